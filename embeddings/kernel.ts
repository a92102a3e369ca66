/**
 * The exact nearest-neighbour kernel: blocked brute force over a row-major
 * Float32Array matrix. Rows are scanned in cache-sized blocks and queries in
 * groups of four, so each row loaded from memory serves four queries; dot
 * products accumulate in float64, so the ranking is exact to float32 inputs.
 * Top-k selection uses a k-sized heap per query; the (optional) row filter is
 * called only for candidates that would enter the top k.
 *
 * Two engines compute the dot products: WebAssembly SIMD (float32, 16 queries per
 * row load; the best 2k+16 candidates per query are then re-scored in float64, so
 * the final ranking is the float64 one) and plain JS (float64 throughout), used
 * when WebAssembly SIMD is unavailable or `engine: 'js'` is asked for.
 *
 * Rows that live in a kernel instance's WebAssembly memory (a RowStore, a loaded
 * word-vectors matrix) are scanned in place; any other matrix is copied into the
 * shared instance's memory block by block. A resident scan puts its scratch space
 * (query tiles, output) after the owner's rows and, when the owner reserved
 * `scanScratchBytes(dim)` there, never grows the memory — so views of the rows
 * held by callers stay valid across queries. Larger query batches are then
 * scanned in rounds that fit the reserved space.
 */
import { TopK } from './topk.js';
import { createWasmDots, kernelOwning, type WasmDots } from './wasm-dots.js';
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
   * Zero rows must have factor 0: they have no direction and are never returned.
   */
  rowScale?: Float64Array | Float32Array | null;
  /** L2 only: per-row squared norms ‖row‖². Required for `l2`. */
  sqNorms?: Float64Array | null;
  /**
   * The kernel instance whose memory holds `matrix` (see RowStore). Optional: a
   * view of a kernel instance's rows is recognised by its buffer. Resident rows are
   * scanned in place instead of being copied block by block. The view must be
   * current (re-read after the memory grew), or the scan throws.
   */
  resident?: WasmDots | null;
}

export interface ScanOptions {
  /** Neighbours per query. */
  k: number;
  /** Return false to skip a row (deleted, excluded, filtered). Called lazily. */
  accept?: (row: number, query: number) => boolean;
  /** Dot-product engine. Default `auto` (WebAssembly SIMD when available). */
  engine?: 'auto' | 'wasm' | 'js';
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
export function rowInverseNorms(matrix: Float32Array, dim: number, rows: number): Float64Array {
  const sq = rowSquaredNorms(matrix, dim, rows);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = sq[r]! > 0 ? 1 / Math.sqrt(sq[r]!) : 0;
  return out;
}

/** Rows copied into WebAssembly memory (or scanned in place) per block. */
const WASM_ROW_BLOCK = 512;
/** Bytes of one block's output: up to 16 dot products per row. */
const OUT_BYTES = WASM_ROW_BLOCK * 16 * 4;
/** Queries a resident scan handles in one pass when the owner reserved `scanScratchBytes`. */
const SCRATCH_QUERIES = 64;

/**
 * Scratch bytes an owner of resident rows should reserve after them (whole 64 KiB
 * pages) so that scans never grow its memory: the output block plus query tiles
 * for 64 queries at a time (larger batches are scanned in rounds).
 */
export function scanScratchBytes(dim: number): number {
  return Math.ceil((OUT_BYTES + SCRATCH_QUERIES * dim * 4) / 65536) * 65536;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * The kernel instance whose memory holds the first `rows` rows of `input.matrix`
 * as its owner's rows, or null (then the rows are copied per block).
 */
function residentKernel(input: ScanInput): WasmDots | null {
  const { matrix } = input;
  const dots = input.resident ?? kernelOwning(matrix.buffer);
  if (dots === null) return null;
  if (matrix.buffer !== dots.memory.buffer) {
    throw new Error('the matrix is a stale view of WebAssembly memory that has since grown: re-read the view before scanning');
  }
  if (input.resident) return dots;
  // Rows past the owner's declared rows could be overwritten by scratch: copy those instead.
  return matrix.byteOffset + input.rows * input.dim * 4 <= dots.rowsEnd ? dots : null;
}

/** The shared instance for matrices that are not resident: rows are copied into it per block. */
let sharedWasm: WasmDots | null | undefined;
function wasmDots(): WasmDots | null {
  if (sharedWasm === undefined) sharedWasm = createWasmDots();
  return sharedWasm;
}

/** Whether the WebAssembly SIMD engine is available in this runtime. */
export function wasmKernelAvailable(): boolean {
  return wasmDots() !== null;
}

/** Everything the two engines share: prepared queries, heaps and the scoring rule. */
interface Prepared {
  q: Float64Array;
  qSq: Float64Array;
  heaps: TopK[];
  sqNorms: Float64Array | null;
  score: (qi: number, row: number, dot: number) => number;
}

/**
 * Exact top-k for `count` queries stored row-major in `queries` (count × dim).
 * Returns one result per query, best first (ties: lower row first).
 */
export function exactTopK(input: ScanInput, queries: Float32Array | Float64Array, count: number, options: ScanOptions): ScanResult[] {
  const { matrix, dim, rows, metric } = input;
  const k = Math.max(0, Math.min(options.k, rows));
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
  const score =
    scale !== null
      ? (_qi: number, row: number, dot: number) => dot * scale[row]!
      : sqNorms !== null
        ? (qi: number, row: number, dot: number) => 2 * dot - sqNorms[row]! - qSq[qi]!
        : (_qi: number, _row: number, dot: number) => dot;

  const engine = options.engine ?? 'auto';
  const resident = engine === 'js' ? null : residentKernel(input);
  const wasm = engine === 'js' ? null : resident ?? wasmDots();
  if (engine === 'wasm' && wasm === null) throw new Error('WebAssembly SIMD is not available in this runtime');
  if (k === 0) return Array.from({ length: count }, () => ({ rows: new Int32Array(0), scores: new Float64Array(0) }));

  // Cosine similarity is at most 1 in magnitude; rounding (float32 rows, a norm taken apart from the
  // dot) can put it a hair outside, which would make 1 − cosine negative: the scores are clamped.
  const finish = metric === 'cosine' ? clampUnit : (scores: Float64Array) => scores;
  if (wasm === null) {
    const prep: Prepared = { q, qSq, heaps: Array.from({ length: count }, () => new TopK(k)), sqNorms, score };
    scanJs(input, count, prep, options.accept);
    return prep.heaps.map((h) => {
      const { ids, scores } = h.sorted();
      return { rows: ids, scores: finish(scores) };
    });
  }
  // float32 candidates, then an exact float64 re-ranking of each query's shortlist.
  const shortlist = Math.min(rows, 2 * k + 16);
  const prep: Prepared = { q, qSq, heaps: Array.from({ length: count }, () => new TopK(shortlist)), sqNorms, score };
  // The scan may grow WebAssembly memory (only when the owner reserved too little
  // scratch), which detaches a resident matrix view: it returns a live one.
  const rows32 = scanWasm(wasm, resident !== null, input, count, prep, options.accept);
  return prep.heaps.map((h, qi) => {
    const cand = h.sorted().ids;
    const exact = new TopK(k);
    const qo = qi * dim;
    for (let i = 0; i < cand.length; i++) {
      const row = cand[i]!;
      const ro = row * dim;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += rows32[ro + d]! * q[qo + d]!;
      exact.push(score(qi, row, dot), row);
    }
    const { ids, scores } = exact.sorted();
    return { rows: ids, scores: finish(scores) };
  });
}

/** Clamp cosine similarities into [−1, 1] in place (the order is unchanged). */
function clampUnit(scores: Float64Array): Float64Array {
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s > 1) scores[i] = 1;
    else if (s < -1) scores[i] = -1;
  }
  return scores;
}

function scanJs(input: ScanInput, count: number, prep: Prepared, accept: ScanOptions['accept']): void {
  const { matrix, dim, rows } = input;
  const { q, heaps, score } = prep;
  const scale = input.metric === 'cosine' ? input.rowScale ?? null : null;
  const dots = new Float64Array(ROW_BLOCK * 4);
  const offer = (qi: number, row: number, dot: number) => {
    const s = score(qi, row, dot);
    const heap = heaps[qi]!;
    // A zero row (cosine factor 0) has no direction: it never matches.
    if (s > heap.threshold && (scale === null || scale[row] !== 0) && (accept === undefined || accept(row, qi))) heap.push(s, row);
  };
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

/** Query groups for the WebAssembly tiles: 16, 8 or 4 queries per tile, single queries alone. */
function groupQueries(count: number): { start: number; size: number; lanes: number }[] {
  const groups: { start: number; size: number; lanes: number }[] = [];
  let start = 0;
  while (start < count) {
    const left = count - start;
    const lanes = left >= 12 ? 16 : left >= 6 ? 8 : left >= 3 ? 4 : 1;
    const size = Math.min(lanes, left);
    groups.push({ start, size, lanes });
    start += size;
  }
  return groups;
}

/**
 * Returns a live view of the matrix (a resident one may have moved).
 *
 * Memory layout (bytes): rows — the owner's (resident) or one copied block at 0 —
 * then, 16-byte aligned, the output block, then the query tiles of this round.
 */
function scanWasm(wasm: WasmDots, resident: boolean, input: ScanInput, count: number, prep: Prepared, accept: ScanOptions['accept']): Float32Array {
  const { dim, rows } = input;
  const { q, qSq, heaps } = prep;
  const scale = input.metric === 'cosine' ? input.rowScale ?? null : null;
  const sqNorms = input.metric === 'l2' ? prep.sqNorms : null;
  const groups = groupQueries(count);
  const base = resident ? input.matrix.byteOffset : 0;
  const scratch = resident ? align16(Math.max(wasm.rowsEnd, base + input.matrix.byteLength, base + rows * dim * 4)) : WASM_ROW_BLOCK * dim * 4;
  const outOff = scratch;
  const tilesOff = outOff + OUT_BYTES;
  const tileBytes = (g: { lanes: number }) => g.lanes * dim * 4;
  const allTiles = groups.reduce((s, g) => s + tileBytes(g), 0);
  // A resident scan uses the room its owner left after the rows (at least one
  // 16-query tile); the shared instance just grows to fit.
  const room = wasm.memory.buffer.byteLength - tilesOff;
  const budget = resident ? Math.max(room, 16 * dim * 4) : allTiles;
  wasm.reserve(tilesOff + Math.min(allTiles, budget));
  const rounds: (typeof groups)[] = [];
  for (let gi = 0, used = Infinity; gi < groups.length; gi++) {
    const g = groups[gi]!;
    if (used + tileBytes(g) > budget) {
      rounds.push([]);
      used = 0;
    }
    rounds[rounds.length - 1]!.push(g);
    used += tileBytes(g);
  }
  const mem = new Float32Array(wasm.memory.buffer);
  const out = outOff / 4;
  for (const round of rounds) {
    // Query tiles, transposed: tile[d·lanes + j] (dot1 takes the query as is).
    const tileOffsets: number[] = [];
    let off = tilesOff;
    for (const g of round) {
      tileOffsets.push(off);
      const t = off / 4;
      mem.fill(0, t, t + g.lanes * dim);
      for (let j = 0; j < g.size; j++) {
        const qo = (g.start + j) * dim;
        for (let d = 0; d < dim; d++) mem[t + (g.lanes === 1 ? d : d * g.lanes + j)] = q[qo + d]!;
      }
      off += tileBytes(g);
    }
    for (let r0 = 0; r0 < rows; r0 += WASM_ROW_BLOCK) {
      const r1 = Math.min(rows, r0 + WASM_ROW_BLOCK);
      const n = r1 - r0;
      const rowsPtr = resident ? base + r0 * dim * 4 : 0;
      if (!resident) mem.set(input.matrix.subarray(r0 * dim, r1 * dim), 0);
      round.forEach((g, gi) => {
        const lanes = g.lanes;
        if (lanes === 1) wasm.dot1(rowsPtr, n, dim, tileOffsets[gi]!, outOff);
        else wasm.tile[(lanes / 4) as 1 | 2 | 4](rowsPtr, n, dim, tileOffsets[gi]!, outOff);
        for (let j = 0; j < g.size; j++) {
          const qi = g.start + j;
          const heap = heaps[qi]!;
          // One loop per scoring rule (no closure call per row: this loop runs rows × queries times).
          let threshold = heap.threshold;
          if (scale !== null) {
            for (let i = 0, p = out + j; i < n; i++, p += lanes) {
              const row = r0 + i;
              const f = scale[row]!;
              const s = mem[p]! * f;
              // A zero row (factor 0) has no direction: it never matches.
              if (s > threshold && f !== 0 && (accept === undefined || accept(row, qi))) {
                heap.push(s, row);
                threshold = heap.threshold;
              }
            }
          } else if (sqNorms !== null) {
            const qq = qSq[qi]!;
            for (let i = 0, p = out + j; i < n; i++, p += lanes) {
              const row = r0 + i;
              const s = 2 * mem[p]! - sqNorms[row]! - qq;
              if (s > threshold && (accept === undefined || accept(row, qi))) {
                heap.push(s, row);
                threshold = heap.threshold;
              }
            }
          } else {
            for (let i = 0, p = out + j; i < n; i++, p += lanes) {
              const s = mem[p]!;
              if (s > threshold && (accept === undefined || accept(r0 + i, qi))) {
                heap.push(s, r0 + i);
                threshold = heap.threshold;
              }
            }
          }
        }
      });
    }
  }
  return resident ? new Float32Array(wasm.memory.buffer, base, rows * dim) : input.matrix;
}
