/** Pretrained word vectors: loaders, the binary cache, the gensim-style `WordVectors` API, evaluation. */
export { loadVectors, resolveSource, readVectorFile, cacheFileFor, type LoadVectorsOptions } from './load.js';
export {
  WordVectors,
  DEFAULT_TOPN,
  type Neighbor,
  type Term,
  type OovPolicy,
  type MostSimilarOptions,
  type AnalogyMethod,
  type AnalogyOptions,
  type VectorsOrigin,
  type FromArraysOptions,
} from './word-vectors.js';
export { VECTOR_FORMATS, WRITABLE_FORMATS, detectFormat, type VectorFormat, type WritableFormat } from './formats.js';
export { BUNDLED_VECTORS, DEFAULT_VECTORS, findBundled, bundledPath, type BundledVectors } from './sources.js';
export { readCache, readCacheHeader, writeCache, CACHE_VERSION, OutdatedCacheError, type CacheHeader } from './cache.js';
export type { RawVectors } from './read/raw.js';
export { evaluateAnalogies, evaluateWordPairs, DEFAULT_RESTRICT_VOCAB, type AnalogyEvaluation, type AnalogyEvaluationOptions, type AnalogyScore, type EvaluateOptions, type WordPairsEvaluation } from './evaluate.js';
export { saveVectors, type SaveVectorsOptions, type VectorsLike } from './write/save.js';
export { spearman, pearson } from './stats.js';
export { WordIndex } from './word-index.js';
