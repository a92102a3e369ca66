/**
 * Model kind 'vectors': a fitted document representation (mean, TF-IDF mean,
 * SIF, mean‖max), standardised with training statistics, feeding a core head
 * (linear or MLP) trained by the core trainer.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HeadSpec } from '../../../src/heads/head.js';
import type { DocumentEncoder } from '../represent/document-encoder.js';
import type { ModelState, TextModel, VectorsModelSpec } from './model.js';
import { DEFAULT_DOCUMENT_HEAD, StandardisedHead } from './standardised-head.js';
import type { TextFitContext } from './trainer.js';

export { defaultEpochs } from './standardised-head.js';
export const DEFAULT_VECTORS_HEAD: HeadSpec = DEFAULT_DOCUMENT_HEAD;

export class VectorsHeadModel implements TextModel {
  readonly kind = 'vectors' as const;
  private head: StandardisedHead;

  constructor(
    readonly spec: VectorsModelSpec,
    readonly encoder: DocumentEncoder,
  ) {
    this.head = new StandardisedHead(spec.head ?? DEFAULT_VECTORS_HEAD, encoder.dim);
  }

  /** The trained tfjs head. */
  get model(): tf.LayersModel | undefined {
    return this.head.model;
  }

  async fit(docs: string[][], y: Int32Array, ctx: TextFitContext) {
    this.encoder.fit(docs);
    const x = this.encoder.encodeTokens(docs);
    const emptyRepresentations = this.encoder.emptyCount;
    // The head's size is known once the representation is fitted.
    this.head = new StandardisedHead(this.head.head, this.encoder.dim);
    const validation = ctx.validation ? { x: this.encoder.encodeTokens(ctx.validation.docs), y: ctx.validation.y } : undefined;
    const history = await this.head.fit(x, y, ctx, validation);
    return { epochs: history.epochs.length, history, emptyRepresentations };
  }

  async predictProba(docs: string[][]): Promise<Float32Array> {
    return this.head.predictProba(this.encoder.encodeTokens(docs));
  }

  state(): ModelState {
    return { json: this.head.toJSON(), tfModel: this.head.model };
  }

  static restore(spec: VectorsModelSpec, json: Record<string, unknown>, encoder: DocumentEncoder, model: tf.LayersModel): VectorsHeadModel {
    const m = new VectorsHeadModel(spec, encoder);
    m.head = StandardisedHead.restore(m.head.head, encoder.dim, json, model);
    return m;
  }

  dispose(): void {
    this.head.dispose();
  }
}
