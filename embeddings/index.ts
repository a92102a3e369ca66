/** Public API of the embeddings module: nearest-neighbour indexes over any vectors. */
export * from './types.js';
export { ExactIndex, DEFAULT_K, type ExactIndexOptions, type FromMatrixOptions } from './exact.js';
export { exactTopK, wasmKernelAvailable, rowInverseNorms, rowSquaredNorms, type ScanInput, type ScanOptions, type ScanResult } from './kernel.js';
export { TopK } from './topk.js';
export { HnswIndex, checkHnswOptions, DEFAULT_M, MAX_M, MAX_SEED, DEFAULT_EF, DEFAULT_EF_CONSTRUCTION, DEFAULT_HNSW_CAPACITY, DEFAULT_SEED, type HnswIndexOptions } from './hnsw.js';
export { loadIndex, type LoadOptions } from './load.js';
export { readManifest, checkIndexOutput, indexManifestDigest, INDEX_OWNER, INDEX_FORMAT, INDEX_FORMAT_VERSION, type IndexManifest, type FileEntry, type ReadOptions } from './persist.js';
export { METRICS, FLOAT32_MAX, isZeroVector, scoreToDistance, distanceToScore } from './vectors.js';
export {
  evaluate,
  tuneEf,
  recallAtK,
  exactNeighbours,
  groundTruthFor,
  sampleSelfQueries,
  type SelfQueries,
  type EvaluateOptions,
  type EvaluateResult,
  type TuneEfOptions,
  type TuneEfResult,
} from './evaluate.js';
export { readEmbeddingsJsonl, type ReadJsonlOptions, type EmbeddingsTable } from './jsonl.js';
export { recipeFileFor, writeRecipeFile, readRecipeFile, recipeMismatch, isRecipe, MAX_RECIPE_BYTES, type RecipeFile, type RecipeFingerprint } from './recipe-file.js';
export { buildIndex, EXACT_THRESHOLD, INDEX_KINDS, TUNE_DEFAULTS, type BuildIndexOptions, type BuiltIndex, type TuneAtBuildOptions } from './build.js';
export { seededRandom, sampleIndices } from './sample.js';
export { addEncoded, queryEncoded, type AddEncodedOptions } from './encoded.js';
