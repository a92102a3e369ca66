/**
 * Model kind 'sentence': each text encoded by a sentence encoder (../../sentence, a
 * transformers.js ONNX model), standardised, feeding a core head trained by the core trainer.
 * The model reads the texts as given; its tokens are not used.
 */
import type * as tf from '@tensorflow/tfjs';
import { isZeroVector } from '../../../embeddings/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { Progress } from '../../../src/progress.js';
import { encodeChecked, type LoadedSentenceEncoder, type SentenceModelSpec, type TextModel } from './model.js';
import { HeadOnVectorsModel } from './standardised-head.js';
import type { TextFitContext } from './trainer.js';

export class SentenceHeadModel extends HeadOnVectorsModel implements TextModel {
  readonly kind = 'sentence' as const;
  /** The encoder has its own tokenizer: the model reads the texts, not the classifier's tokens. */
  readonly reads = 'text' as const;

  constructor(
    readonly spec: SentenceModelSpec,
    readonly sentenceEncoder: LoadedSentenceEncoder,
    /** Whether `dispose()` disposes the encoder: true for one loaded for this model, false for one it was given loaded. */
    private readonly ownsEncoder = true,
  ) {
    super(spec.head, sentenceEncoder.dim);
  }

  protected override async prepare(_docs: string[][], ctx: TextFitContext): Promise<number> {
    if (!ctx.texts) throw new InvalidArgumentError("a 'sentence' model is fitted on the texts themselves: pass them as ctx.texts");
    return this.sentenceEncoder.dim;
  }

  protected async vectorsOf(_docs: string[][], texts: readonly string[], progress?: Progress): Promise<Float32Array> {
    return encodeChecked(this.sentenceEncoder, texts, progress);
  }

  /** Rows that are all zero. */
  protected emptyCount(x: Float32Array): number {
    const dim = this.sentenceEncoder.dim;
    let n = 0;
    for (let r = 0; r < x.length; r += dim) if (isZeroVector(x, r, r + dim)) n++;
    return n;
  }

  static restore(spec: SentenceModelSpec, json: Record<string, unknown>, encoder: LoadedSentenceEncoder, model: tf.LayersModel): SentenceHeadModel {
    return new SentenceHeadModel(spec, encoder).restoreHead(json, model);
  }

  /** Release the head, and the encoder's ONNX session when the model loaded it (one given loaded stays its owner's). */
  override dispose(): void {
    super.dispose();
    if (this.ownsEncoder) this.sentenceEncoder.dispose();
  }
}
