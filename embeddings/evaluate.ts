/**
 * Recall is measured, not assumed: `evaluate` compares an index with exact search
 * on the same items and reports recall@k and queries per second; `tuneEf` finds
 * the smallest HNSW `ef` that reaches a target recall.
 */
import { InvalidArgumentError } from '../src/errors.js';
import { ExactIndex } from './exact.js';
import type { HnswIndex } from './hnsw.js';
import type { Metric, SearchHit, VectorIndex } from './types.js';
import { sampleIndices } from './sample.js';
import { flattenQueries, isZeroVector } from './vectors.js';

export interface EvaluateOptions {
  /** Neighbours per query. Default 10. */
  k?: number;
  /** HNSW search breadth to evaluate; default the index's own. */
  ef?: number;
  /**
   * Exact search over the same items. Default: built from the index (for HNSW,
   * from the vectors stored in the graph). Pass one to reuse it across calls.
   */
  truth?: VectorIndex;
  /** Precomputed exact results (from `exactNeighbours`), to evaluate many `ef`s cheaply. */
  truthHits?: SearchHit[][];
  /** Per query, a key to leave out of both result lists (queries drawn from the index itself). */
  selfKeys?: readonly (string | undefined)[];
}

export interface EvaluateResult {
  k: number;
  queries: number;
  /** HNSW `ef` used, or null for an exact index. */
  ef: number | null;
  /** Mean over queries of |found ∩ true top-k| / k (a hit tied with the k-th true neighbour counts as found). */
  recall: number;
  /** Queries per second of the evaluated index, one query at a time on this thread. */
  qps: number;
  /** Queries per second of the exact search (batched), when it was run here. */
  exactQps: number | null;
}

/** Exact top-k for queries (leaving out each query's self key), and how fast it ran. */
export function exactNeighbours(
  truth: VectorIndex,
  queries: Float32Array | ArrayLike<number>[],
  k: number,
  selfKeys?: readonly (string | undefined)[],
): { hits: SearchHit[][]; qps: number } {
  const t0 = performance.now();
  const raw = truth.queryBatch(queries, { k: selfKeys ? k + 1 : k });
  const seconds = (performance.now() - t0) / 1000;
  const hits = raw.map((h, i) => dropSelf(h, selfKeys?.[i], k));
  return { hits, qps: raw.length / Math.max(seconds, 1e-9) };
}

function dropSelf(hits: SearchHit[], self: string | undefined, k: number): SearchHit[] {
  const out = self === undefined ? hits : hits.filter((h) => h.key !== self);
  return out.slice(0, k);
}

export interface SelfQueries {
  /** The sampled items' stored vectors, row-major, `selfKeys.length` × dim. */
  queries: Float32Array;
  /** The key of each query, to leave out of its own results (`EvaluateOptions.selfKeys`). */
  selfKeys: string[];
}

/**
 * Seeded self-queries: `count` distinct stored items (all of them when the index is smaller),
 * each queried with its own stored vector; pass `selfKeys` to `evaluate` so every query leaves
 * itself out. The same seed draws the same items. Under cosine, items stored as zero vectors are
 * not drawn: a zero query has no direction (queries refuse it).
 */
export function sampleSelfQueries(
  index: Pick<VectorIndex, 'keys' | 'dim'> & { vector(key: string): Float32Array | undefined; metric?: Metric },
  count: number,
  seed: number,
): SelfQueries {
  const all = index.keys();
  const keys = index.metric === 'cosine' ? all.filter((key) => !isZeroVector(index.vector(key)!)) : all;
  const selfKeys = sampleIndices(keys.length, count, seed).map((i) => keys[i]!);
  const queries = new Float32Array(selfKeys.length * index.dim);
  selfKeys.forEach((key, i) => queries.set(index.vector(key)!, i * index.dim));
  return { queries, selfKeys };
}

/** The exact index matching an index's items (itself when it is exact). */
export function groundTruthFor(index: VectorIndex): VectorIndex {
  if (index.kind === 'exact') return index;
  const hnsw = index as HnswIndex;
  const keys = hnsw.keys();
  const matrix = new Float32Array(keys.length * hnsw.dim);
  keys.forEach((key, i) => matrix.set(hnsw.vector(key)!, i * hnsw.dim));
  const metadata = keys.map((key) => hnsw.metadata(key));
  return ExactIndex.fromMatrix({ keys, matrix, dim: hnsw.dim, metric: hnsw.metric, normalized: hnsw.metric === 'cosine', metadata });
}

/** Recall@k of `found` against `truth` (same query order). */
export function recallAtK(found: SearchHit[][], truth: SearchHit[][], k: number): number {
  if (found.length !== truth.length) throw new InvalidArgumentError(`${found.length} results for ${truth.length} queries`);
  if (truth.length === 0) return 1;
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const want = Math.min(k, t.length);
    if (want === 0) {
      sum += 1;
      continue;
    }
    const keys = new Set(t.slice(0, want).map((h) => h.key));
    const kth = t[want - 1]!.score;
    const tol = 1e-6 * Math.max(1, Math.abs(kth));
    let hit = 0;
    for (const h of found[i]!.slice(0, want)) if (keys.has(h.key) || h.score >= kth - tol) hit++;
    sum += Math.min(hit, want) / want;
  }
  return sum / truth.length;
}

/** Recall@k and speed of `index` against exact search. */
export function evaluate(index: VectorIndex, queries: Float32Array | ArrayLike<number>[], options: EvaluateOptions = {}): EvaluateResult {
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`k must be a positive integer, got ${k}`);
  const { flat, count } = flattenQueries(queries, index.dim);
  if (count === 0) throw new InvalidArgumentError('evaluate needs at least one query');
  const selfKeys = options.selfKeys;
  if (selfKeys && selfKeys.length !== count) throw new InvalidArgumentError(`${selfKeys.length} self keys for ${count} queries`);
  let exactQps: number | null = null;
  let truthHits = options.truthHits;
  if (!truthHits) {
    const truth = options.truth ?? groundTruthFor(index);
    const res = exactNeighbours(truth, flat, k, selfKeys);
    truthHits = res.hits;
    exactQps = res.qps;
  }
  const ef = index.kind === 'hnsw' ? options.ef ?? (index as HnswIndex).ef : null;
  const want = selfKeys ? k + 1 : k;
  const found: SearchHit[][] = [];
  const dim = index.dim;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    found.push(index.query(flat.subarray(i * dim, (i + 1) * dim), { k: want, ef: ef ?? undefined }));
  }
  const seconds = (performance.now() - t0) / 1000;
  const trimmed = found.map((h, i) => dropSelf(h, selfKeys?.[i], k));
  return { k, queries: count, ef, recall: recallAtK(trimmed, truthHits, k), qps: count / Math.max(seconds, 1e-9), exactQps };
}

export interface TuneEfOptions {
  /** Recall@k to reach. Default 0.95. */
  target?: number;
  /** Default 10. */
  k?: number;
  /** Largest ef tried. Default 4096. */
  maxEf?: number;
  /** Set the index's default ef to the result. Default true. */
  apply?: boolean;
  truth?: VectorIndex;
  /** Precomputed exact top-k per query (then `truth` is not used). */
  truthHits?: SearchHit[][];
  selfKeys?: readonly (string | undefined)[];
}

export interface TuneEfResult {
  /** Smallest ef found reaching the target (maxEf when none did: check `reached`). */
  ef: number;
  recall: number;
  qps: number;
  reached: boolean;
  target: number;
  /** Number of queries the recall was measured on. */
  queries: number;
  /** Every ef tried, in order. */
  trials: { ef: number; recall: number; qps: number }[];
}

/**
 * Smallest `ef` reaching `target` recall@k on these queries: doubling from k, then
 * bisection between the last miss and the first hit. Never below k (hnswlib searches
 * with max(ef, k)). Queries drawn from the indexed items are easier than new ones:
 * tune on held-out queries when you have them.
 */
export function tuneEf(index: HnswIndex, queries: Float32Array | ArrayLike<number>[], options: TuneEfOptions = {}): TuneEfResult {
  const target = options.target ?? 0.95;
  const k = options.k ?? 10;
  const maxEf = options.maxEf ?? 4096;
  if (!(target > 0 && target <= 1)) throw new InvalidArgumentError(`target recall must be in (0, 1], got ${target}`);
  const { flat, count } = flattenQueries(queries, index.dim);
  const truthHits = options.truthHits ?? exactNeighbours(options.truth ?? groundTruthFor(index), flat, k, options.selfKeys).hits;
  const trials: TuneEfResult['trials'] = [];
  const tried = new Map<number, { recall: number; qps: number }>();
  const run = (ef: number) => {
    const seen = tried.get(ef);
    if (seen) return seen;
    const r = evaluate(index, flat, { k, ef, truthHits, selfKeys: options.selfKeys });
    const out = { recall: r.recall, qps: r.qps };
    tried.set(ef, out);
    trials.push({ ef, ...out });
    return out;
  };
  // hnswlib searches with max(ef, k), so no ef below k is worth reporting.
  let lo = k - 1; // largest ef known to miss (or not worth trying)
  let hi = -1; // smallest ef known to reach
  for (let ef = Math.max(1, k); ; ef = Math.min(maxEf, ef * 2)) {
    if (run(ef).recall >= target) {
      hi = ef;
      break;
    }
    lo = ef;
    if (ef >= maxEf) break;
  }
  if (hi < 0) {
    const r = tried.get(lo)!; // lo is the last (largest) ef tried
    if (options.apply ?? true) index.ef = lo;
    return { ef: lo, recall: r.recall, qps: r.qps, reached: false, target, queries: count, trials };
  }
  // Bisect to within ~10 % (recall is noisy below that).
  while (hi - lo > Math.max(1, Math.floor(hi / 10))) {
    const mid = Math.floor((lo + hi) / 2);
    if (run(mid).recall >= target) hi = mid;
    else lo = mid;
  }
  const best = tried.get(hi)!;
  if (options.apply ?? true) index.ef = hi;
  return { ef: hi, recall: best.recall, qps: best.qps, reached: true, target, queries: count, trials };
}
