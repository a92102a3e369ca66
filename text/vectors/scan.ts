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

/** Indices of the `k` largest scores among the first `rows`, skipping `exclude`, best first. */
export function topIndices(scores: ArrayLike<number>, rows: number, k: number, exclude: ReadonlySet<number>): number[] {
  const best: number[] = [];
  const bestScores: number[] = [];
  let threshold = -Infinity;
  for (let r = 0; r < rows; r++) {
    const s = scores[r]!;
    if (s <= threshold || exclude.has(r)) continue;
    let i = bestScores.length;
    while (i > 0 && bestScores[i - 1]! < s) i--;
    best.splice(i, 0, r);
    bestScores.splice(i, 0, s);
    if (best.length > k) {
      best.pop();
      bestScores.pop();
    }
    if (best.length === k) threshold = bestScores[k - 1]!;
  }
  return best;
}
