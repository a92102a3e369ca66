/**
 * Activations of a frozen prefix, computed once per image (and per
 * augmentation round) and kept in memory, so epochs only run what trains.
 * Round −1 is the un-augmented pass (used for validation, and for training
 * when augmentation is off).
 */
import type * as tf from '@tensorflow/tfjs';
import { silentProgress, type Progress } from '../src/progress.js';
import { Rng } from '../src/random.js';
import { augmentImage, type ResolvedAugment } from './augment.js';
import { visionEngine } from './engine/index.js';
import { toBatch, type PreprocessSpec, type RgbImage } from './preprocess.js';

export interface ExtractionStats {
  /** Images run through the prefix so far. */
  images: number;
  /** Seconds spent running the prefix. */
  seconds: number;
  passes: number;
}

export class ActivationCache {
  private readonly rounds = new Map<number, Float32Array>();
  readonly stats: ExtractionStats = { images: 0, seconds: 0, passes: 0 };

  constructor(
    /** Input → boundary activations; frozen. */
    readonly prefix: tf.LayersModel,
    readonly boundary: string,
    private readonly images: readonly RgbImage[],
    private readonly spec: PreprocessSpec,
    private readonly options: { augment?: ResolvedAugment; seed?: number; batchSize?: number; progress?: Progress; label?: string } = {},
  ) {}

  /** Shape of one example's activations. */
  get shape(): number[] {
    return this.prefix.outputs[0].shape.slice(1) as number[];
  }

  get dim(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  get size(): number {
    return this.images.length;
  }

  has(round: number): boolean {
    return this.rounds.has(round);
  }

  /** Cached activations of a round (computed by `ensure`). */
  get(round: number): Float32Array {
    const m = this.rounds.get(round);
    if (!m) throw new Error(`internal: activations of round ${round} at '${this.boundary}' not computed`);
    return m;
  }

  /** Compute a round's activations if not cached yet. */
  async ensure(round: number): Promise<Float32Array> {
    const cached = this.rounds.get(round);
    if (cached) return cached;
    const augment = round >= 0 ? this.options.augment : undefined;
    const rng = new Rng(((this.options.seed ?? 0) * 7919 + round * 104729) >>> 0);
    const batchSize = this.options.batchSize ?? 32;
    const progress = this.options.progress ?? silentProgress;
    const out = new Float32Array(this.images.length * this.dim);
    const engine = visionEngine();
    const started = performance.now();
    progress.start(`${this.options.label ?? 'features'}${round >= 0 && augment ? ` (augmentation round ${round + 1})` : ''}`, this.images.length);
    try {
      for (let start = 0; start < this.images.length; start += batchSize) {
        let batch = this.images.slice(start, start + batchSize);
        if (augment) batch = batch.map((img) => augmentImage(img, augment, rng));
        const x = toBatch(batch, this.spec);
        out.set(await engine.runFrozen(this.prefix, x), start * this.dim);
        x.dispose();
        progress.update(Math.min(this.images.length, start + batchSize));
      }
    } finally {
      progress.stop();
    }
    this.stats.seconds += (performance.now() - started) / 1000;
    this.stats.images += this.images.length;
    this.stats.passes++;
    this.rounds.set(round, out);
    return out;
  }

  /** Drop cached rounds (e.g. when the prefix's weights changed). */
  clear(): void {
    this.rounds.clear();
  }
}
