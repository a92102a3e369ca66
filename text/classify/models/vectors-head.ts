/**
 * Model kind 'vectors': a fitted document representation (mean, TF-IDF mean,
 * SIF, mean‖max), standardised with training statistics, feeding a core head
 * (linear or MLP) trained by the core trainer.
 */
import * as tf from '@tensorflow/tfjs';
import { buildHead, type HeadSpec } from '../../../src/heads/head.js';
import { matrixSource } from '../../../src/training/data.js';
import { predictProba } from '../../../src/training/trainer.js';
import { textTrainer, type TextFitContext } from './trainer.js';
import type { DocumentEncoder } from '../represent/document-encoder.js';
import type { ModelState, TextModel, VectorsModelSpec } from './model.js';

export const DEFAULT_VECTORS_HEAD: HeadSpec = { type: 'linear' };

/** Enough passes for ~600 optimiser steps, between 10 and 200 epochs (small training sets need many passes). */
export function defaultEpochs(n: number, batchSize: number): number {
  return Math.min(200, Math.max(10, Math.ceil(600 / Math.ceil(n / batchSize))));
}

export class VectorsHeadModel implements TextModel {
  readonly kind = 'vectors' as const;
  model?: tf.LayersModel;
  mean = new Float32Array(0);
  std = new Float32Array(0);

  constructor(
    readonly spec: VectorsModelSpec,
    readonly encoder: DocumentEncoder,
  ) {}

  private standardised(docs: string[][], encoded?: Float32Array): Float32Array {
    const x = encoded ?? this.encoder.encodeTokens(docs);
    const d = this.encoder.dim;
    for (let i = 0; i < x.length; i++) x[i] = (x[i] - this.mean[i % d]) / this.std[i % d];
    return x;
  }

  async fit(docs: string[][], y: Int32Array, ctx: TextFitContext) {
    this.encoder.fit(docs);
    const raw = this.encoder.encodeTokens(docs);
    const emptyRepresentations = this.encoder.emptyCount;
    const d = this.encoder.dim;
    const n = docs.length;
    this.mean = new Float32Array(d);
    this.std = new Float32Array(d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) this.mean[k] += raw[i * d + k] / n;
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) this.std[k] += (raw[i * d + k] - this.mean[k]) ** 2 / n;
    for (let k = 0; k < d; k++) this.std[k] = Math.sqrt(this.std[k]) || 1;
    const x = this.standardised(docs, raw);
    this.model = buildHead(this.spec.head ?? DEFAULT_VECTORS_HEAD, { inputDim: d, numClasses: ctx.numClasses, seed: ctx.seed, name: 'text_head' });
    const validationData = ctx.validation ? { x: matrixSource(this.standardised(ctx.validation.docs), d), y: ctx.validation.y } : undefined;
    const trainer = textTrainer(this.model, ctx, { epochs: defaultEpochs(docs.length, ctx.batchSize ?? 32), learningRate: 3e-3 }, { validationData });
    const history = await trainer.fit({ x: matrixSource(x, d), y });
    return { epochs: history.epochs.length, history, emptyRepresentations };
  }

  async predictProba(docs: string[][]): Promise<Float32Array> {
    return predictProba(this.model!, matrixSource(this.standardised(docs), this.encoder.dim));
  }

  state(): ModelState {
    return { json: { mean: Array.from(this.mean), std: Array.from(this.std) }, tfModel: this.model };
  }

  static restore(spec: VectorsModelSpec, json: Record<string, unknown>, encoder: DocumentEncoder, model: tf.LayersModel): VectorsHeadModel {
    const m = new VectorsHeadModel(spec, encoder);
    m.mean = Float32Array.from(json.mean as number[]);
    m.std = Float32Array.from(json.std as number[]);
    m.model = model;
    return m;
  }

  dispose(): void {
    this.model?.dispose();
  }
}
