/**
 * The exact nearest-neighbour kernel: blocked brute force over a row-major
 * Float32Array matrix. Rows are scanned in cache-sized blocks and queries in
 * groups of four, so each row loaded from memory serves four queries; dot
 * products accumulate in float64, so the ranking is exact to float32 inputs.
 * Top-k selection uses a k-sized heap per query; the (optional) row filter is
 * called only for candidates that would enter the top k.
 */
import { TopK } from './topk.js';
import type { Metric } from './types.js';

export interface ScanInput {
  /** Row-major matrix, at least `rows × dim` values. Not copied, not modified. */
  matrix: Float32Array;
  dim: number;
  /** Number of rows to scan (rows beyond are ignored). */
  rows: number;
  metric: Metric;
  /**
   * Cosine only: per-row factor 1/‖row‖. Omit when rows are already unit-norm.
   * (Zero rows should have factor 0.)
   */
  rowScale?: Float32Array | null;
  /** L2 only: per-row squared norms ‖row‖². Required for `l2`. */
  sqNorms?: Float64Array | null;
}

export interface ScanOptions {
  /** Neighbours per query. */
  k: number;
  /** Return false to skip a row (deleted, excluded, filtered). Called lazily. */
  accept?: (row: number, query: number) => boolean;
}

export interface ScanResult {
  /** Row numbers, best first. */
  rows: Int32Array;
  /** Scores, larger is closer (cosine similarity, dot product, or −squared distance). */
  scores: Float64Array;
}

/** Rows per block: 256 rows × 100 dims × 4 bytes = 100 KB, comfortably in L2. */
const ROW_BLOCK = 256;

/** Squared norms of the first `rows` rows. */
export function rowSquaredNorms(matrix: Float32Array, dim: number, rows: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * dim;
    for (let d = 0; d < dim; d++) {
      const x = matrix[o + d]!;
      s += x * x;
    }
    out[r] = s;
  }
  return out;
}

/** Per-row 1/‖row‖ (0 for zero rows), for cosine over a matrix that is not unit-norm. */
export function rowInverseNorms(matrix: Float32Array, dim: number, rows: number): Float32Array {
  const sq = rowSquaredNorms(matrix, dim, rows);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = sq[r]! > 0 ? 1 / Math.sqrt(sq[r]!) : 0;
  return out;
}

/**
 * Exact top-k for `count` queries stored row-major in `queries` (count × dim).
 * Returns one result per query, best first.
 */
export function exactTopK(input: ScanInput, queries: Float32Array | Float64Array, count: number, options: ScanOptions): ScanResult[] {
  const { matrix, dim, rows, metric } = input;
  const k = Math.max(0, Math.min(options.k, rows));
  const accept = options.accept;
  const scale = metric === 'cosine' ? input.rowScale ?? null : null;
  const sqNorms = metric === 'l2' ? input.sqNorms ?? rowSquaredNorms(matrix, dim, rows) : null;

  // Queries in float64; cosine queries are normalised, l2 keeps ‖q‖².
  const q = new Float64Array(count * dim);
  const qSq = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const x = queries[i * dim + d]!;
      q[i * dim + d] = x;
      s += x * x;
    }
    qSq[i] = s;
    if (metric === 'cosine' && s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let d = 0; d < dim; d++) q[i * dim + d]! *= inv;
    }
  }

  const heaps = Array.from({ length: count }, () => new TopK(k));
  const dots = new Float64Array(ROW_BLOCK * 4);

  const offer = (qi: number, row: number, dot: number) => {
    let score: number;
    if (scale !== null) score = dot * scale[row]!;
    else if (sqNorms !== null) score = 2 * dot - sqNorms[row]! - qSq[qi]!;
    else score = dot;
    const heap = heaps[qi]!;
    if (score > heap.threshold && (accept === undefined || accept(row, qi))) heap.push(score, row);
  };

  if (k > 0) {
    for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
      const r1 = Math.min(rows, r0 + ROW_BLOCK);
      let qi = 0;
      for (; qi + 4 <= count; qi += 4) {
        const o0 = qi * dim;
        const o1 = o0 + dim;
        const o2 = o1 + dim;
        const o3 = o2 + dim;
        for (let r = r0; r < r1; r++) {
          const ro = r * dim;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let d = 0; d < dim; d++) {
            const x = matrix[ro + d]!;
            s0 += x * q[o0 + d]!;
            s1 += x * q[o1 + d]!;
            s2 += x * q[o2 + d]!;
            s3 += x * q[o3 + d]!;
          }
          const j = (r - r0) * 4;
          dots[j] = s0;
          dots[j + 1] = s1;
          dots[j + 2] = s2;
          dots[j + 3] = s3;
        }
        for (let r = r0; r < r1; r++) {
          const j = (r - r0) * 4;
          offer(qi, r, dots[j]!);
          offer(qi + 1, r, dots[j + 1]!);
          offer(qi + 2, r, dots[j + 2]!);
          offer(qi + 3, r, dots[j + 3]!);
        }
      }
      for (; qi < count; qi++) {
        const o = qi * dim;
        for (let r = r0; r < r1; r++) {
          const ro = r * dim;
          // Same summation order as the 4-query path, so results never depend on batching.
          let s0 = 0;
          for (let d = 0; d < dim; d++) s0 += matrix[ro + d]! * q[o + d]!;
          offer(qi, r, s0);
        }
      }
    }
  }
  return heaps.map((h) => {
    const { ids, scores } = h.sorted();
    return { rows: ids, scores };
  });
}
