/**
 * Model kind 'sentence': each text encoded by a sentence encoder (../../sentence, a
 * transformers.js ONNX model), standardised, feeding a core head trained by the core trainer.
 * The model reads the texts as given; its tokens are not used.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { SentenceEncoder } from '../../sentence/index.js';
import type { ModelState, SentenceModelSpec, TextModel } from './model.js';
import { DEFAULT_DOCUMENT_HEAD, StandardisedHead } from './standardised-head.js';
import type { TextFitContext } from './trainer.js';

/** Rows of a row-major matrix that are all zero. */
function zeroRows(x: Float32Array, dim: number): number {
  let n = 0;
  for (let r = 0; r < x.length; r += dim) if (x.subarray(r, r + dim).every((v) => v === 0)) n++;
  return n;
}

export class SentenceHeadModel implements TextModel {
  readonly kind = 'sentence' as const;
  private head: StandardisedHead;

  constructor(
    readonly spec: SentenceModelSpec,
    readonly sentenceEncoder: SentenceEncoder,
  ) {
    this.head = new StandardisedHead(spec.head ?? DEFAULT_DOCUMENT_HEAD, sentenceEncoder.dim);
  }

  get model(): tf.LayersModel | undefined {
    return this.head.model;
  }

  async fit(_docs: string[][], y: Int32Array, ctx: TextFitContext) {
    if (!ctx.texts || ctx.texts.length !== y.length) throw new InvalidArgumentError("a 'sentence' model is fitted on the texts themselves: pass them as ctx.texts");
    const x = await this.sentenceEncoder.encode(ctx.texts, ctx.progress);
    const emptyRepresentations = zeroRows(x, this.sentenceEncoder.dim);
    const validation = ctx.validation ? { x: await this.sentenceEncoder.encode(ctx.validation.texts), y: ctx.validation.y } : undefined;
    const history = await this.head.fit(x, y, ctx, validation);
    return { epochs: history.epochs.length, history, emptyRepresentations };
  }

  async predictProba(_docs: string[][], texts: readonly string[]): Promise<Float32Array> {
    return this.head.predictProba(await this.sentenceEncoder.encode(texts));
  }

  state(): ModelState {
    return { json: this.head.toJSON(), tfModel: this.head.model };
  }

  static restore(spec: SentenceModelSpec, json: Record<string, unknown>, encoder: SentenceEncoder, model: tf.LayersModel): SentenceHeadModel {
    const m = new SentenceHeadModel(spec, encoder);
    m.head = StandardisedHead.restore(m.head.head, encoder.dim, json, model);
    return m;
  }

  /** Release the head and the encoder's ONNX session. */
  dispose(): void {
    this.head.dispose();
    this.sentenceEncoder.dispose();
  }
}
