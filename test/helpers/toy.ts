import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/random.js';

/** Gaussian blobs: `classes` well-separated clusters in `dim` dimensions. */
export function blobs(options: { n: number; dim: number; classes: number; spread?: number; seed?: number }) {
  const { n, dim, classes, spread = 0.5, seed = 1 } = options;
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.normal() * 2));
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[c][d] + rng.normal() * spread;
  }
  return { x, y, tensor: () => tf.tensor2d(x, [n, dim]) };
}
