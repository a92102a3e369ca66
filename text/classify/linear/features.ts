/**
 * Feature matrices for the linear models: a sparse CSR block (bag-of-words),
 * a dense block (pretrained document vectors), or both side by side.
 */
import { InvalidArgumentError } from '../../../src/errors.js';

/** Compressed sparse rows: row r holds indices[indptr[r]..indptr[r+1]) with their values. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

export interface Dense {
  rows: number;
  cols: number;
  /** Row-major rows × cols. */
  data: Float32Array;
}

/** Sparse columns come first (0..sparse.cols−1), then dense columns. */
export interface Features {
  rows: number;
  sparse?: Csr;
  dense?: Dense;
}

export function featureDim(f: Features): number {
  return (f.sparse?.cols ?? 0) + (f.dense?.cols ?? 0);
}

export function makeFeatures(sparse?: Csr, dense?: Dense): Features {
  if (!sparse && !dense) throw new InvalidArgumentError('a feature matrix needs a sparse or a dense block');
  if (sparse && dense && sparse.rows !== dense.rows) {
    throw new InvalidArgumentError(`sparse block has ${sparse.rows} rows, dense block ${dense.rows}`);
  }
  return { rows: sparse?.rows ?? dense!.rows, sparse, dense };
}

/** Two sparse blocks side by side (same rows): `a`'s columns, then `b`'s. */
export function hstackCsr(a: Csr, b: Csr): Csr {
  if (a.rows !== b.rows) throw new InvalidArgumentError(`cannot put a ${a.rows}-row block beside a ${b.rows}-row block`);
  const nnz = a.indices.length + b.indices.length;
  const indptr = new Int32Array(a.rows + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let o = 0;
  for (let r = 0; r < a.rows; r++) {
    for (let j = a.indptr[r]; j < a.indptr[r + 1]; j++, o++) {
      indices[o] = a.indices[j];
      values[o] = a.values[j];
    }
    for (let j = b.indptr[r]; j < b.indptr[r + 1]; j++, o++) {
      indices[o] = a.cols + b.indices[j];
      values[o] = b.values[j];
    }
    indptr[r + 1] = o;
  }
  return { rows: a.rows, cols: a.cols + b.cols, indptr, indices, values };
}

/** Rows `idx` of a feature matrix. */
export function selectRows(f: Features, idx: ArrayLike<number>): Features {
  let sparse: Csr | undefined;
  if (f.sparse) {
    const s = f.sparse;
    let nnz = 0;
    for (let i = 0; i < idx.length; i++) nnz += s.indptr[idx[i] + 1] - s.indptr[idx[i]];
    const indptr = new Int32Array(idx.length + 1);
    const indices = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    let o = 0;
    for (let i = 0; i < idx.length; i++) {
      const a = s.indptr[idx[i]];
      const b = s.indptr[idx[i] + 1];
      indices.set(s.indices.subarray(a, b), o);
      values.set(s.values.subarray(a, b), o);
      o += b - a;
      indptr[i + 1] = o;
    }
    sparse = { rows: idx.length, cols: s.cols, indptr, indices, values };
  }
  let dense: Dense | undefined;
  if (f.dense) {
    const d = f.dense;
    const data = new Float32Array(idx.length * d.cols);
    for (let i = 0; i < idx.length; i++) data.set(d.data.subarray(idx[i] * d.cols, (idx[i] + 1) * d.cols), i * d.cols);
    dense = { rows: idx.length, cols: d.cols, data };
  }
  return { rows: idx.length, sparse, dense };
}

/** Append one L2-normalised sparse row: `entries` as [column, value] in ascending column order (a zero row stays zero). */
export function appendL2Row(entries: ReadonlyArray<readonly [number, number]>, cols: number[], vals: number[]): void {
  let norm = 0;
  for (const [, v] of entries) norm += v * v;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (const [c, v] of entries) {
    cols.push(c);
    vals.push(v * inv);
  }
}
