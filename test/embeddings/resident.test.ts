import { afterEach, describe, expect, it } from 'vitest';
import { exactTopK, wasmKernelAvailable } from '../../embeddings/index.js';
import { scanScratchBytes } from '../../embeddings/kernel.js';
import { allocateRows, isResident, LiveMatrix, RowStore } from '../../embeddings/rowstore.js';
import { createWasmDots, kernelOwning, WASM_MAX_BYTES } from '../../embeddings/wasm-dots.js';
import { randomMatrix, row } from './helpers.js';

const METRICS = ['cosine', 'l2', 'ip'] as const;

function filled(rows: number, dim: number, seed: number): Float32Array {
  const m = allocateRows(rows, dim);
  m.set(randomMatrix(rows, dim, seed));
  return m;
}

function inverseNorms(m: Float32Array, rows: number, dim: number): Float64Array {
  const s = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let d = 0; d < dim; d++) n += m[r * dim + d]! ** 2;
    s[r] = 1 / Math.sqrt(n);
  }
  return s;
}

describe('rows resident in WebAssembly memory', () => {
  const saved = process.env.TRANSFERKIT_NO_WASM;
  afterEach(() => {
    if (saved === undefined) delete process.env.TRANSFERKIT_NO_WASM;
    else process.env.TRANSFERKIT_NO_WASM = saved;
  });

  it('allocateRows gives a zero-filled view of a kernel memory, with scan scratch reserved after it', () => {
    expect(wasmKernelAvailable()).toBe(true);
    const m = allocateRows(1000, 37);
    expect(m.length).toBe(37_000);
    expect(m.byteOffset).toBe(0);
    expect(m.every((x) => x === 0)).toBe(true);
    expect(isResident(m)).toBe(true);
    const dots = kernelOwning(m.buffer)!;
    expect(dots.rowsEnd).toBe(37_000 * 4);
    expect(dots.memory.buffer.byteLength).toBeGreaterThanOrEqual(37_000 * 4 + scanScratchBytes(37));
    expect(isResident(new Float32Array(10))).toBe(false);
  });

  it('without WebAssembly SIMD it is a plain Float32Array', () => {
    process.env.TRANSFERKIT_NO_WASM = '1';
    const m = allocateRows(10, 4);
    expect(m.buffer.byteLength).toBe(160);
    expect(isResident(m)).toBe(false);
    expect(new RowStore(4, 10).resident).toBeNull();
  });

  it('a memory past 4 GiB is refused (callers fall back to the JS heap)', () => {
    expect(() => createWasmDots(WASM_MAX_BYTES + 65536)).toThrow(RangeError);
    const dots = createWasmDots()!;
    expect(() => dots.reserve(WASM_MAX_BYTES + 1)).toThrow(RangeError);
  });

  it('scans in place agree with the JS engine for every metric, dimension and batch size, and never grow the memory', () => {
    for (const dim of [1, 3, 4, 15, 16, 17, 37, 100]) {
      const rows = 1500;
      const m = filled(rows, dim, dim);
      const buffer = m.buffer;
      // 1–7 queries fit in one pass; 150 take three rounds of the reserved scratch.
      for (const count of [1, 7, 150]) {
        const qs = randomMatrix(count, dim, 100 + dim + count);
        // (One-dimensional cosine scores are all ±1: a sea of ties, ordered by rounding.)
        for (const metric of dim === 1 ? (['l2', 'ip'] as const) : METRICS) {
          const input = { matrix: m, dim, rows, metric, rowScale: metric === 'cosine' ? inverseNorms(m, rows, dim) : null };
          const js = exactTopK(input, qs, count, { k: 6, engine: 'js' });
          const wasm = exactTopK(input, qs, count, { k: 6, engine: 'wasm' });
          expect(wasm.map((x) => Array.from(x.rows))).toEqual(js.map((x) => Array.from(x.rows)));
          wasm.forEach((x, i) => x.scores.forEach((s, j) => expect(s).toBeCloseTo(js[i]!.scores[j]!, 9)));
        }
      }
      // Views held by callers stay valid: the scans used the scratch reserved after the rows.
      expect(m.buffer).toBe(buffer);
      expect(m.length).toBe(rows * dim);
    }
  });

  it('a stale view (after the memory grew) is refused; the current view gives the same answers', () => {
    const rows = 800;
    const dim = 24;
    const m = filled(rows, dim, 3);
    const q = row(randomMatrix(1, dim, 4), 0, dim);
    const before = exactTopK({ matrix: m, dim, rows, metric: 'ip' }, q, 1, { k: 5 })[0]!;
    const held = new LiveMatrix(m);
    expect(held.view).toBe(m);
    const dots = kernelOwning(m.buffer)!;
    dots.reserve(dots.memory.buffer.byteLength + 65536);
    expect(m.length).toBe(0); // detached
    expect(() => exactTopK({ matrix: m, dim, rows, metric: 'ip' }, q, 1, { k: 5 })).toThrow(/stale view/);
    const live = held.view;
    expect(live.buffer).toBe(dots.memory.buffer);
    expect(live.length).toBe(rows * dim);
    expect(isResident(live)).toBe(true);
    const after = exactTopK({ matrix: live, dim, rows, metric: 'ip' }, q, 1, { k: 5 })[0]!;
    expect(Array.from(after.rows)).toEqual(Array.from(before.rows));
    expect(Array.from(after.scores)).toEqual(Array.from(before.scores));
  });

  it('a view of kernel memory past its owner’s declared rows is copied, not scanned in place (scratch would overwrite it)', () => {
    const rows = 600;
    const dim = 8;
    const dots = createWasmDots(rows * dim * 4 + scanScratchBytes(dim))!;
    const m = new Float32Array(dots.memory.buffer, 0, rows * dim);
    const data = randomMatrix(rows, dim, 5);
    m.set(data);
    // rowsEnd is 0: nothing is declared as rows.
    expect(isResident(m)).toBe(false);
    const qs = randomMatrix(20, dim, 6);
    const js = exactTopK({ matrix: m, dim, rows, metric: 'l2' }, qs, 20, { k: 4, engine: 'js' });
    const wasm = exactTopK({ matrix: m, dim, rows, metric: 'l2' }, qs, 20, { k: 4 });
    expect(wasm.map((x) => Array.from(x.rows))).toEqual(js.map((x) => Array.from(x.rows)));
    expect(Array.from(m)).toEqual(Array.from(data));
  });

  it('RowStore keeps its rows and its declared extent through growth', () => {
    const store = new RowStore(5, 4);
    const dots = store.resident!;
    store.matrix.set(Float32Array.from({ length: 20 }, (_, i) => i));
    store.grow(100);
    expect(store.capacity).toBe(100);
    expect(dots.rowsEnd).toBe(100 * 5 * 4);
    expect(dots.memory.buffer.byteLength).toBeGreaterThanOrEqual(100 * 5 * 4 + scanScratchBytes(5));
    expect(Array.from(store.matrix.subarray(0, 20))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(store.matrix.buffer).toBe(dots.memory.buffer);
  });

  it('the single-query kernel sums every dimension (16-wide steps, 4-wide steps and the tail)', () => {
    const dots = createWasmDots()!;
    for (let dim = 1; dim <= 53; dim++) {
      const rows = 3;
      const data = randomMatrix(rows + 1, dim, dim);
      const mem = new Float32Array(dots.memory.buffer);
      mem.set(data); // rows at 0, the query right after them
      const qPtr = rows * dim * 4;
      const outPtr = 4096 * 4;
      dots.dot1(0, rows, dim, qPtr, outPtr);
      for (let r = 0; r < rows; r++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += data[r * dim + d]! * data[rows * dim + d]!;
        expect(mem[outPtr / 4 + r]).toBeCloseTo(dot, 4);
      }
    }
  });
});
