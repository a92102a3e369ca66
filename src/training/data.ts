/**
 * What the trainer eats: inputs (a tensor, or a source that builds batches on
 * demand — images decoded lazily, augmented, …) and integer labels.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';

export type ModelInput = tf.Tensor | tf.Tensor[];

export interface BatchSource {
  /** Number of examples. */
  readonly size: number;
  /**
   * Model input for these example indices. `training` is true while fitting
   * (sources may augment then). The caller disposes the returned tensors.
   */
  batch(indices: Int32Array, training: boolean): ModelInput | Promise<ModelInput>;
}

export type Inputs = tf.Tensor | BatchSource;

export interface Dataset {
  x: Inputs;
  /** Class index (0..numClasses−1) of each example. */
  y: ArrayLike<number>;
}

function isTensor(x: Inputs): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/** A BatchSource over the first axis of a tensor (the tensor stays owned by the caller). */
export function tensorSource(x: tf.Tensor): BatchSource {
  return {
    size: x.shape[0],
    batch: (indices) => tf.tidy(() => tf.gather(x, tf.tensor1d(indices, 'int32'))),
  };
}

export function toSource(x: Inputs): BatchSource {
  return isTensor(x) ? tensorSource(x) : x;
}

/** A BatchSource over a row-major Float32Array of n × dim features. */
export function matrixSource(matrix: Float32Array, dim: number): BatchSource {
  const size = matrix.length / dim;
  return {
    size,
    batch(indices) {
      const out = new Float32Array(indices.length * dim);
      for (let i = 0; i < indices.length; i++) out.set(matrix.subarray(indices[i] * dim, (indices[i] + 1) * dim), i * dim);
      return tf.tensor2d(out, [indices.length, dim]);
    },
  };
}

/** The subset of a dataset at these indices (lazy: no copy of the inputs). */
export function subset(data: Dataset, indices: Int32Array): Dataset {
  const source = toSource(data.x);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) y[i] = data.y[indices[i]];
  return {
    x: {
      size: indices.length,
      batch: (idx, training) => source.batch(idx.map((i) => indices[i]), training),
    },
    y,
  };
}

export function checkDataset(data: Dataset, numClasses: number, what: string): void {
  const n = toSource(data.x).size;
  if (n === 0) throw new DataError(`${what} set is empty`);
  if (n !== data.y.length) throw new DataError(`${what} set has ${n} inputs but ${data.y.length} labels`);
  for (let i = 0; i < data.y.length; i++) {
    const c = data.y[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new DataError(`${what} label at index ${i} is ${c}, expected an integer in [0, ${numClasses})`);
    }
  }
}

export function disposeInput(x: ModelInput): void {
  tf.dispose(x);
}
