/**
 * Multinomial logistic regression with an L2 penalty, fitted by L-BFGS on
 * sparse and/or dense features (as scikit-learn's LogisticRegression with
 * solver 'lbfgs'). Deterministic; no tensors: a pass over the data costs
 * O(non-zeros × classes), so tens of thousands of TF-IDF columns train in seconds.
 */
import { DataError, InvalidArgumentError } from '../../../src/errors.js';
import { firstNonFinite } from '../../../embeddings/vectors.js';
import { featureDim, type Features } from './features.js';

export interface SoftmaxRegressionOptions {
  /** Inverse regularisation strength (scikit-learn's C): objective Σ loss + ‖W‖² / (2C). Default 10 (the text models pass 100). */
  c?: number;
  /** Maximum L-BFGS iterations. Default 200. */
  maxIter?: number;
  /** Stop when the largest gradient component is below this. Default 1e-4 (as scikit-learn). */
  tolerance?: number;
  /** L-BFGS memory. Default 10. */
  memory?: number;
  /** Per-class loss weights, or 'balanced'. Default none. */
  classWeights?: number[] | 'balanced';
}

export interface SoftmaxRegressionState {
  dim: number;
  numClasses: number;
  /** dim × numClasses, row-major. */
  weights: number[];
  bias: number[];
}

export interface FitInfo {
  iterations: number;
  loss: number;
  converged: boolean;
}

export class SoftmaxRegression {
  weights: Float64Array;
  bias: Float64Array;

  constructor(
    readonly dim: number,
    readonly numClasses: number,
  ) {
    this.weights = new Float64Array(dim * numClasses);
    this.bias = new Float64Array(numClasses);
  }

  /** Fit on features `x` and class indices `y` (0..numClasses−1). */
  fit(x: Features, y: ArrayLike<number>, options: SoftmaxRegressionOptions = {}): FitInfo {
    const c = options.c ?? 10;
    if (!(c > 0)) throw new InvalidArgumentError(`C must be > 0, got ${c}`);
    if (featureDim(x) !== this.dim) throw new InvalidArgumentError(`features have ${featureDim(x)} columns, the model ${this.dim}`);
    const K = this.numClasses;
    const n = x.rows;
    const sw = new Float64Array(n).fill(1);
    if (options.classWeights) {
      const counts = new Array<number>(K).fill(0);
      for (let i = 0; i < n; i++) counts[y[i]]++;
      const cw = options.classWeights === 'balanced' ? counts.map((k) => (k ? n / (K * k) : 0)) : options.classWeights;
      for (let i = 0; i < n; i++) sw[i] = cw[y[i]];
    }
    const P = this.dim * K + K;
    const params = new Float64Array(P);
    const grad = new Float64Array(P);
    const f = (p: Float64Array, g: Float64Array) => objective(x, y, sw, p, g, this.dim, K, 1 / c);
    const info = lbfgs(f, params, grad, { maxIter: options.maxIter ?? 200, tolerance: options.tolerance ?? 1e-4, memory: options.memory ?? 10 });
    // A NaN or infinite loss leaves a model that predicts NaN (or one class for everything): refused, not returned.
    if (!Number.isFinite(info.loss) || !params.every(Number.isFinite)) {
      const bad = firstNonFiniteFeature(x);
      throw new DataError(
        `the logistic regression cannot be fitted: its loss is ${info.loss}${bad ? `, and feature column ${bad.col} of row ${bad.row} (0-based) is ${bad.value}` : ' (the features overflow it)'}`,
        {
          hint: 'the features must be finite and of moderate size: check what gives the dense block (an encoder returning NaN?) and keep vectorWeight / sentenceWeight ≤ 100',
        },
      );
    }
    this.weights = params.slice(0, this.dim * K);
    this.bias = params.slice(this.dim * K);
    return info;
  }

  /** Logits, row-major rows × numClasses. */
  logits(x: Features): Float32Array {
    const K = this.numClasses;
    const out = new Float32Array(x.rows * K);
    const z = new Float64Array(K);
    for (let i = 0; i < x.rows; i++) {
      forwardRow(x, i, this.weights, this.bias, this.dim, K, z);
      out.set(z, i * K);
    }
    return out;
  }

  /** Softmax probabilities, row-major rows × numClasses. */
  predictProba(x: Features): Float32Array {
    const out = this.logits(x);
    const K = this.numClasses;
    for (let i = 0; i < x.rows; i++) softmaxInPlace(out, i * K, K);
    return out;
  }

  toJSON(): SoftmaxRegressionState {
    return { dim: this.dim, numClasses: this.numClasses, weights: Array.from(this.weights), bias: Array.from(this.bias) };
  }

  static fromJSON(s: SoftmaxRegressionState): SoftmaxRegression {
    const m = new SoftmaxRegression(s.dim, s.numClasses);
    m.weights = Float64Array.from(s.weights);
    m.bias = Float64Array.from(s.bias);
    return m;
  }
}

/** The first feature that is NaN or ±Infinity, if any. */
function firstNonFiniteFeature(x: Features): { row: number; col: number; value: number } | undefined {
  if (x.sparse) {
    const { indptr, indices, values } = x.sparse;
    for (let i = 0; i < x.rows; i++) {
      for (let p = indptr[i]; p < indptr[i + 1]; p++) if (!Number.isFinite(values[p])) return { row: i, col: indices[p], value: values[p] };
    }
  }
  if (x.dense) {
    const { data, cols } = x.dense;
    const base = x.sparse?.cols ?? 0;
    const k = firstNonFinite(data);
    if (k >= 0) return { row: Math.floor(k / cols), col: base + (k % cols), value: data[k] };
  }
  return undefined;
}

function softmaxInPlace(v: Float32Array | Float64Array, o: number, K: number): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, v[o + k]);
  let s = 0;
  for (let k = 0; k < K; k++) s += v[o + k] = Math.exp(v[o + k] - max);
  for (let k = 0; k < K; k++) v[o + k] /= s;
}

/** z = W·x_i + b for one row. */
function forwardRow(x: Features, i: number, W: Float64Array, b: Float64Array, dim: number, K: number, z: Float64Array): void {
  for (let k = 0; k < K; k++) z[k] = b[k];
  if (x.sparse) {
    const s = x.sparse;
    for (let p = s.indptr[i]; p < s.indptr[i + 1]; p++) {
      const v = s.values[p];
      const o = s.indices[p] * K;
      for (let k = 0; k < K; k++) z[k] += v * W[o + k];
    }
  }
  if (x.dense) {
    const d = x.dense;
    const base = (x.sparse?.cols ?? 0) * K;
    for (let j = 0, r = i * d.cols; j < d.cols; j++) {
      const v = d.data[r + j];
      if (v === 0) continue;
      const o = base + j * K;
      for (let k = 0; k < K; k++) z[k] += v * W[o + k];
    }
  }
}

/** Mean weighted cross-entropy + λ/2 ‖W‖² / n (bias not penalised); fills the gradient. */
function objective(
  x: Features,
  y: ArrayLike<number>,
  sw: Float64Array,
  params: Float64Array,
  grad: Float64Array,
  dim: number,
  K: number,
  lambda: number,
): number {
  const n = x.rows;
  const W = params.subarray(0, dim * K);
  const b = params.subarray(dim * K);
  grad.fill(0);
  const gW = grad.subarray(0, dim * K);
  const gb = grad.subarray(dim * K);
  // 1. Z = X·W + b (n × K).
  const Z = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) Z[i * K + k] = b[k];
  const sp = x.sparse;
  const de = x.dense;
  const base = (sp?.cols ?? 0) * K;
  if (sp) {
    const { indptr, indices, values } = sp;
    for (let i = 0; i < n; i++) {
      const zi = i * K;
      const end = indptr[i + 1];
      if (K === 2) {
        let z0 = 0;
        let z1 = 0;
        for (let p = indptr[i]; p < end; p++) {
          const v = values[p];
          const o = indices[p] * 2;
          z0 += v * W[o];
          z1 += v * W[o + 1];
        }
        Z[zi] += z0;
        Z[zi + 1] += z1;
      } else {
        for (let p = indptr[i]; p < end; p++) {
          const v = values[p];
          const o = indices[p] * K;
          for (let k = 0; k < K; k++) Z[zi + k] += v * W[o + k];
        }
      }
    }
  }
  if (de) {
    const { data, cols } = de;
    for (let i = 0; i < n; i++) {
      const zi = i * K;
      for (let j = 0, r = i * cols; j < cols; j++) {
        const v = data[r + j];
        const o = base + j * K;
        for (let k = 0; k < K; k++) Z[zi + k] += v * W[o + k];
      }
    }
  }
  // 2. Loss, and Z becomes the residual w · (softmax − onehot).
  let loss = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const zi = i * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (Z[zi + k] > max) max = Z[zi + k];
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(Z[zi + k] - max);
    const lse = max + Math.log(s);
    const w = sw[i];
    const c = y[i];
    wsum += w;
    loss += w * (lse - Z[zi + c]);
    for (let k = 0; k < K; k++) {
      const r = w * (Math.exp(Z[zi + k] - lse) - (k === c ? 1 : 0));
      Z[zi + k] = r;
      gb[k] += r;
    }
  }
  // 3. G = Xᵀ·R.
  if (sp) {
    const { indptr, indices, values } = sp;
    for (let i = 0; i < n; i++) {
      const zi = i * K;
      const end = indptr[i + 1];
      if (K === 2) {
        const r0 = Z[zi];
        const r1 = Z[zi + 1];
        for (let p = indptr[i]; p < end; p++) {
          const v = values[p];
          const o = indices[p] * 2;
          gW[o] += v * r0;
          gW[o + 1] += v * r1;
        }
      } else {
        for (let p = indptr[i]; p < end; p++) {
          const v = values[p];
          const o = indices[p] * K;
          for (let k = 0; k < K; k++) gW[o + k] += v * Z[zi + k];
        }
      }
    }
  }
  if (de) {
    const { data, cols } = de;
    for (let i = 0; i < n; i++) {
      const zi = i * K;
      for (let j = 0, r = i * cols; j < cols; j++) {
        const v = data[r + j];
        const o = base + j * K;
        for (let k = 0; k < K; k++) gW[o + k] += v * Z[zi + k];
      }
    }
  }
  // Scaled by 1/n (as scikit-learn's Σ loss + ‖W‖²/2C, divided by n) so C means the same at every size.
  const inv = 1 / Math.max(wsum, 1e-12);
  let reg = 0;
  for (let j = 0; j < W.length; j++) {
    reg += W[j] * W[j];
    gW[j] = gW[j] * inv + lambda * inv * W[j];
  }
  for (let k = 0; k < K; k++) gb[k] *= inv;
  return loss * inv + 0.5 * lambda * inv * reg;
}

interface LbfgsOptions {
  maxIter: number;
  tolerance: number;
  memory: number;
}

/** Minimise f (which fills its gradient argument) from x in place. */
function lbfgs(f: (x: Float64Array, g: Float64Array) => number, x: Float64Array, g: Float64Array, o: LbfgsOptions): FitInfo {
  const P = x.length;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let fx = f(x, g);
  const d = new Float64Array(P);
  const xNew = new Float64Array(P);
  const gNew = new Float64Array(P);
  const alpha = new Float64Array(o.memory);
  let it = 0;
  const maxAbs = (v: Float64Array) => {
    let m = 0;
    for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
    return m;
  };
  let converged = maxAbs(g) < o.tolerance;
  for (; it < o.maxIter && !converged; it++) {
    // Two-loop recursion: d = −H·g.
    for (let i = 0; i < P; i++) d[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(S[j], d);
      axpy(-alpha[j], Y[j], d);
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < P; i++) d[i] *= gamma;
    } else {
      const gn = Math.sqrt(dot(g, g));
      for (let i = 0; i < P; i++) d[i] /= Math.max(gn, 1);
    }
    for (let j = 0; j < S.length; j++) {
      const beta = rho[j] * dot(Y[j], d);
      axpy(alpha[j] - beta, S[j], d);
    }
    let slope = dot(g, d);
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < P; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    // Backtracking line search (Armijo).
    let step = 1;
    let fNew = 0;
    let accepted = false;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < P; i++) xNew[i] = x[i] + step * d[i];
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(P);
    const yv = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      s[i] = xNew[i] - x[i];
      yv[i] = gNew[i] - g[i];
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (S.length === o.memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    x.set(xNew);
    g.set(gNew);
    const rel = Math.abs(fx - fNew) / Math.max(Math.abs(fx), Math.abs(fNew), 1);
    fx = fNew;
    converged = maxAbs(g) < o.tolerance || rel < 1e-9;
  }
  return { iterations: it, loss: fx, converged };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}
