/**
 * A core head (linear or MLP) on fixed-size document vectors, standardised with the
 * training texts' per-dimension mean and standard deviation, trained by the core trainer
 * (early stopping on validation loss when validation vectors are given). Shared by the
 * model kinds that turn texts into vectors first: 'vectors' (word-vector representations)
 * and 'sentence' (a sentence encoder).
 */
import type * as tf from '@tensorflow/tfjs';
import { isZeroVector } from '../../../embeddings/index.js';
import { buildHead, type HeadSpec } from '../../../src/heads/head.js';
import { matrixSource } from '../../../src/training/data.js';
import type { History } from '../../../src/training/events.js';
import { predictProba } from '../../../src/training/trainer.js';
import type { Progress } from '../../../src/progress.js';
import type { ModelState } from './model.js';
import { checkFitOptions } from '../options.js';
import { textTrainer, type TextFitContext } from './trainer.js';

const DEFAULT_DOCUMENT_HEAD: HeadSpec = { type: 'linear' };


/** Enough passes for ~600 optimiser steps, between 10 and 200 epochs (small training sets need many passes). */
function defaultEpochs(n: number, batchSize: number): number {
  return Math.min(200, Math.max(10, Math.ceil(600 / Math.ceil(n / batchSize))));
}

export class StandardisedHead {
  model?: tf.LayersModel;
  mean = new Float32Array(0);
  std = new Float32Array(0);

  constructor(
    readonly head: HeadSpec,
    readonly dim: number,
  ) {}

  /**
   * Standardise a row-major n × dim matrix in place (training statistics) and return it. An all-zero
   * row (a text with no known word, or a zero encoding) becomes the origin — the mean training text —
   * so the head answers it from its bias rather than from a point far outside the training data.
   */
  standardise(x: Float32Array): Float32Array {
    const d = this.dim;
    for (let o = 0; o < x.length; o += d) {
      if (isZeroVector(x, o, o + d)) continue;
      for (let k = 0; k < d; k++) x[o + k] = (x[o + k] - this.mean[k]) / this.std[k];
    }
    return x;
  }

  /** Fit the statistics on `x` (n × dim, standardised in place), build the head and train it. */
  async fit(x: Float32Array, y: Int32Array, ctx: TextFitContext, validation?: { x: Float32Array; y: Int32Array }): Promise<History> {
    // Before the default epoch count is worked out from the batch size (a bad batch size is named as such).
    checkFitOptions(ctx);
    const d = this.dim;
    const n = x.length / d;
    // Statistics of the texts that have a representation (all of them if none has).
    const rows = Array.from({ length: n }, (_, i) => i).filter((i) => !isZeroVector(x, i * d, i * d + d));
    const used = rows.length > 0 ? rows : Array.from({ length: n }, (_, i) => i);
    const m = used.length;
    this.mean = new Float32Array(d);
    this.std = new Float32Array(d);
    for (const i of used) for (let k = 0; k < d; k++) this.mean[k] += x[i * d + k] / m;
    for (const i of used) for (let k = 0; k < d; k++) this.std[k] += (x[i * d + k] - this.mean[k]) ** 2 / m;
    for (let k = 0; k < d; k++) this.std[k] = Math.sqrt(this.std[k]) || 1;
    this.standardise(x);
    this.model = buildHead(this.head, { inputDim: d, numClasses: ctx.numClasses, seed: ctx.seed, name: 'text_head' });
    const validationData = validation ? { x: matrixSource(this.standardise(validation.x), d), y: validation.y } : undefined;
    const trainer = textTrainer(this.model, ctx, { epochs: defaultEpochs(n, ctx.batchSize ?? 32), learningRate: 3e-3 }, { validationData });
    return trainer.fit({ x: matrixSource(x, d), y });
  }

  /** Class probabilities of raw (unstandardised) vectors; `x` is standardised in place. */
  predictProba(x: Float32Array): Promise<Float32Array> {
    return predictProba(this.model!, matrixSource(this.standardise(x), this.dim));
  }

  toJSON(): { mean: number[]; std: number[] } {
    return { mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  static restore(head: HeadSpec, dim: number, json: Record<string, unknown>, model: tf.LayersModel): StandardisedHead {
    const h = new StandardisedHead(head, dim);
    h.mean = Float32Array.from(json.mean as number[]);
    h.std = Float32Array.from(json.std as number[]);
    h.model = model;
    return h;
  }

  dispose(): void {
    this.model?.dispose();
  }
}

/**
 * A model kind that turns texts into fixed-size vectors and classifies them with a
 * `StandardisedHead` ('vectors', 'sentence'): the subclass says how texts become vectors
 * (`vectorsOf`) and what fitting that takes (`prepare`); fitting the head, predicting,
 * the state and disposal are shared.
 */
export abstract class HeadOnVectorsModel {
  protected head: StandardisedHead;

  constructor(headSpec: HeadSpec | undefined, dim: number) {
    this.head = new StandardisedHead(headSpec ?? DEFAULT_DOCUMENT_HEAD, dim);
  }

  /** Vectors of texts (as tokens and as given), row-major texts × dim. */
  protected abstract vectorsOf(docs: string[][], texts: readonly string[], progress?: Progress): Promise<Float32Array>;

  /** Fit what turns texts into vectors on the training texts; returns the vector size. Default: nothing to fit. */
  protected async prepare(_docs: string[][], _ctx: TextFitContext): Promise<number> {
    return this.head.dim;
  }

  /** Training texts that came out as the zero vector (no known word, or a zero encoding). */
  protected abstract emptyCount(x: Float32Array): number;

  /** The trained tfjs head. */
  get model(): tf.LayersModel | undefined {
    return this.head.model;
  }

  async fit(docs: string[][], y: Int32Array, ctx: TextFitContext) {
    const dim = await this.prepare(docs, ctx);
    const x = await this.vectorsOf(docs, ctx.texts ?? [], ctx.progress);
    const emptyRepresentations = this.emptyCount(x);
    // The head's size is known once the representation is fitted.
    this.head = new StandardisedHead(this.head.head, dim);
    const validation = ctx.validation ? { x: await this.vectorsOf(ctx.validation.docs, ctx.validation.texts), y: ctx.validation.y } : undefined;
    const history = await this.head.fit(x, y, ctx, validation);
    return { epochs: history.epochs.length, history, emptyRepresentations };
  }

  async predictProba(docs: string[][], texts: readonly string[]): Promise<Float32Array> {
    return this.head.predictProba(await this.vectorsOf(docs, texts));
  }

  state(): ModelState {
    return { json: this.head.toJSON(), tfModel: this.head.model };
  }

  /** Put back a saved head (statistics and network). */
  protected restoreHead(json: Record<string, unknown>, model: tf.LayersModel): this {
    this.head = StandardisedHead.restore(this.head.head, this.head.dim, json, model);
    return this;
  }

  dispose(): void {
    this.head.dispose();
  }
}
