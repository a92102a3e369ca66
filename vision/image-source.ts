/**
 * Batch sources over decoded images (for training through the whole network)
 * and over cached activations (for training what follows a frozen prefix).
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../src/training/data.js';
import { Rng } from '../src/random.js';
import { augmentImage, type ResolvedAugment } from './augment.js';
import { toBatch, type PreprocessSpec, type RgbImage } from './preprocess.js';

export interface ImageSet {
  images: RgbImage[];
  y: Int32Array;
}

/** Normalised image batches; augmented (seeded) when the trainer asks for training batches. */
export class ImageBatchSource implements BatchSource {
  private readonly rng: Rng;

  constructor(
    private readonly images: readonly RgbImage[],
    private readonly spec: PreprocessSpec,
    private readonly augment?: ResolvedAugment,
    seed = 0,
  ) {
    this.rng = new Rng(seed);
  }

  get size(): number {
    return this.images.length;
  }

  batch(indices: Int32Array, training: boolean): tf.Tensor4D {
    const picked = Array.from(indices, (i) => this.images[i]);
    const prepared = training && this.augment ? picked.map((img) => augmentImage(img, this.augment!, this.rng)) : picked;
    return toBatch(prepared, this.spec);
  }
}

/** Rows of a row-major activation matrix, reshaped to `shape` per example; `round` picks which cached matrix. */
export class ActivationSource implements BatchSource {
  round = 0;

  constructor(
    readonly size: number,
    private readonly shape: number[],
    private readonly matrix: (round: number) => Float32Array,
  ) {}

  batch(indices: Int32Array, training: boolean): tf.Tensor {
    const m = this.matrix(training ? this.round : -1);
    const dim = this.shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(indices.length * dim);
    for (let i = 0; i < indices.length; i++) out.set(m.subarray(indices[i] * dim, (indices[i] + 1) * dim), i * dim);
    return tf.tensor(out, [indices.length, ...this.shape]);
  }
}
