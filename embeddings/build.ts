/** Build an index of either kind from keys and a matrix in one call. */
import { InvalidArgumentError } from '../src/errors.js';
import { silentProgress, type Progress } from '../src/progress.js';
import { ExactIndex } from './exact.js';
import { HnswIndex, type HnswIndexOptions } from './hnsw.js';
import type { JsonValue, Metric } from './types.js';

/** Below this many items `kind: 'auto'` builds an exact index: fast enough, and no recall loss. */
export const EXACT_THRESHOLD = 20_000;

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
  progress?: Progress;
}

export function buildIndex(options: BuildIndexOptions): ExactIndex | HnswIndex {
  const { keys, matrix, dim } = options;
  if (matrix.length !== keys.length * dim) {
    throw new InvalidArgumentError(`matrix has ${matrix.length} values, need ${keys.length} × ${dim}`);
  }
  const kind = options.kind ?? 'auto';
  const useExact = kind === 'exact' || (kind === 'auto' && keys.length < EXACT_THRESHOLD);
  if (useExact) {
    return ExactIndex.fromMatrix({ keys, matrix, dim, metric: options.metric, metadata: options.metadata });
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
  progress.start('building HNSW index', keys.length);
  try {
    index.addBatch(keys, matrix, { metadata: options.metadata, onProgress: (done) => progress.update(done) });
  } finally {
    progress.stop();
  }
  return index;
}
