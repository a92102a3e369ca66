/** Build an index of either kind from keys and a matrix in one call, optionally tuning ef honestly. */
import { InvalidArgumentError } from '../src/errors.js';
import { silentProgress, type Progress } from '../src/progress.js';
import { tuneEf, type TuneEfResult } from './evaluate.js';
import { ExactIndex } from './exact.js';
import { checkHnswOptions, DEFAULT_EF, DEFAULT_EF_CONSTRUCTION, DEFAULT_M, DEFAULT_SEED, HnswIndex, type HnswIndexOptions } from './hnsw.js';
import { sampleIndices } from './sample.js';
import { checkMatrix, isZeroVector } from './vectors.js';
import type { EmbeddingRecipe, JsonValue, Metric } from './types.js';

/** The kinds `buildIndex` builds: `auto` picks exact or HNSW by size. */
export const INDEX_KINDS = ['auto', 'exact', 'hnsw'] as const;

/** Options only an HNSW index uses. */
const HNSW_ONLY = ['M', 'efConstruction', 'ef', 'seed', 'tune'] as const;
const HNSW_DEFAULTS = { M: DEFAULT_M, efConstruction: DEFAULT_EF_CONSTRUCTION, ef: DEFAULT_EF, seed: DEFAULT_SEED };

/** Below this many items `kind: 'auto'` builds an exact index: fast enough, and no recall loss. */
export const EXACT_THRESHOLD = 20_000;

/** The tuning `tune: true` asks for; an option left out of a `tune` object takes its value from here. */
export const TUNE_DEFAULTS = { target: 0.95, k: 10, queries: 200, seed: 1 } as const;

export interface TuneAtBuildOptions {
  /** Recall@k to reach. Default 0.95. */
  target?: number;
  /** Default 10. */
  k?: number;
  /** Held-out items used as queries. Default 200. */
  queries?: number;
  /** Sampling seed. Default 1. */
  seed?: number;
}

export interface BuildIndexOptions extends Omit<HnswIndexOptions, 'dim' | 'capacity'> {
  keys: readonly string[];
  /** Row-major keys.length × dim. An exact index uses it without copying. */
  matrix: Float32Array;
  dim: number;
  metadata?: readonly (JsonValue | undefined)[];
  /** `auto` (default): exact below 20,000 items, HNSW from there. */
  kind?: 'auto' | 'exact' | 'hnsw';
  /** Default `cosine`. */
  metric?: Metric;
  /**
   * HNSW only: pick the smallest ef reaching a target recall. Sampled items are held
   * back, the rest inserted, ef tuned on the held-back items as unseen queries, and
   * then they are inserted too — so the estimate is that of new queries.
   */
  tune?: boolean | TuneAtBuildOptions;
  /** How a new input becomes a vector of this space; saved with the index (see `VectorIndex.recipe`). */
  recipe?: EmbeddingRecipe;
  progress?: Progress;
}

export interface BuiltIndex {
  index: ExactIndex | HnswIndex;
  /** The ef tuning, when asked for and the index is HNSW. */
  tuning: TuneEfResult | null;
}

export function buildIndex(options: BuildIndexOptions): BuiltIndex {
  const { keys, matrix, dim } = options;
  if (matrix.length !== keys.length * dim) {
    throw new InvalidArgumentError(`matrix has ${matrix.length} values, need ${keys.length} × ${dim}`);
  }
  const kind = options.kind ?? 'auto';
  if (!(INDEX_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError(`unknown index kind '${String(kind)}'`, { hint: `use one of ${INDEX_KINDS.join(', ')}` });
  }
  // HNSW options are checked whatever is built (kind 'auto' applies them when it builds HNSW) …
  checkHnswOptions(options);
  // … and refused with an exact index, which has no graph to shape or ef to tune — unless a value is the
  // default (it would change nothing: the CLI passes its defaults of M and efConstruction along).
  const hnswOnly = HNSW_ONLY.filter((o) => (o === 'tune' ? options.tune !== undefined && options.tune !== false : options[o] !== undefined && options[o] !== HNSW_DEFAULTS[o]));
  if (kind === 'exact' && hnswOnly.length > 0) {
    const one = hnswOnly.length === 1;
    throw new InvalidArgumentError(`${hnswOnly.join(', ')} ${one ? 'is an HNSW option' : 'are HNSW options'}: an exact index has no graph and searches exhaustively`, {
      hint: `leave ${one ? 'it' : 'them'} out, or build with kind 'hnsw' (or 'auto', which uses ${one ? 'it' : 'them'} only when it builds HNSW)`,
    });
  }
  const useExact = kind === 'exact' || (kind === 'auto' && keys.length < EXACT_THRESHOLD);
  // NaN, ±Infinity, values beyond float32 and repeated keys are refused before any work (ExactIndex.fromMatrix checks them itself).
  if (!useExact) {
    checkMatrix(matrix, dim, (r) => `the vector of '${keys[r]}' (row ${r})`);
    const first = new Map<string, number>();
    keys.forEach((key, i) => {
      if (typeof key !== 'string') throw new InvalidArgumentError(`keys must be strings, got ${typeof key} at position ${i}`);
      const earlier = first.get(key);
      if (earlier !== undefined) throw new InvalidArgumentError(`duplicate key '${key}' at positions ${earlier} and ${i}`, { hint: 'keys must be unique' });
      first.set(key, i);
    });
  }
  if (useExact) {
    const exact = ExactIndex.fromMatrix({ keys, matrix, dim, metric: options.metric, metadata: options.metadata });
    if (options.recipe !== undefined) exact.recipe = options.recipe;
    return { index: exact, tuning: null };
  }
  const progress = options.progress ?? silentProgress;
  const index = new HnswIndex({
    dim,
    metric: options.metric,
    M: options.M,
    efConstruction: options.efConstruction,
    ef: options.ef,
    seed: options.seed,
    capacity: Math.max(1, keys.length),
  });
  const tune = options.tune === true ? {} : options.tune || null;
  const n = keys.length;
  // Under cosine, zero rows cannot be queries (no direction): they are never held back.
  const zeroRow = (r: number) => index.metric === 'cosine' && isZeroVector(matrix, r * dim, (r + 1) * dim);
  const held = tune ? sampleIndices(n, Math.min(tune.queries ?? TUNE_DEFAULTS.queries, Math.floor(n / 2)), tune.seed ?? TUNE_DEFAULTS.seed).filter((r) => !zeroRow(r)) : [];
  const heldSet = new Set(held);
  const add = (r: number) => index.add(keys[r]!, matrix.subarray(r * dim, (r + 1) * dim), options.metadata?.[r]);
  progress.start('building HNSW index', n);
  let done = 0;
  const tick = () => {
    done++;
    if (done % 1000 === 0 || done === n) progress.update(done);
  };
  let tuning: TuneEfResult | null = null;
  try {
    for (let r = 0; r < n; r++) {
      if (heldSet.has(r)) continue;
      add(r);
      tick();
    }
    if (tune && held.length > 0) {
      const k = tune.k ?? TUNE_DEFAULTS.k;
      const queries = new Float32Array(held.length * dim);
      held.forEach((r, i) => queries.set(matrix.subarray(r * dim, (r + 1) * dim), i * dim));
      const exact = ExactIndex.fromMatrix({ keys, matrix, dim, metric: options.metric });
      const truthHits = exact.queryBatch(queries, { k, exclude: held.map((r) => keys[r]!) });
      tuning = tuneEf(index, queries, { target: tune.target ?? TUNE_DEFAULTS.target, k, truthHits, apply: true });
    }
    for (const r of held) {
      add(r);
      tick();
    }
  } finally {
    progress.stop();
  }
  if (options.recipe !== undefined) index.recipe = options.recipe;
  return { index, tuning };
}
