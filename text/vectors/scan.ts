/**
 * Full score vectors (one dot product per row) for the cases a top-k index
 * cannot serve: 3CosMul combines three similarity lists per word.
 * Four rows per iteration so each query value loaded serves four rows.
 */
export function dotAll(matrix: Float32Array, dim: number, rows: number, q: ArrayLike<number>, out: Float32Array): Float32Array {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const o0 = r * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    for (let k = 0; k < dim; k++) {
      const x = q[k]!;
      a += matrix[o0 + k]! * x;
      b += matrix[o1 + k]! * x;
      c += matrix[o2 + k]! * x;
      d += matrix[o3 + k]! * x;
    }
    out[r] = a;
    out[r + 1] = b;
    out[r + 2] = c;
    out[r + 3] = d;
  }
  for (; r < rows; r++) {
    const o = r * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) s += matrix[o + k]! * q[k]!;
    out[r] = s;
  }
  return out;
}
