/**
 * Model kind 'embedding': token ids → embedding layer initialised from the
 * pretrained vectors (frozen, or fine-tuned at a lower learning rate through a
 * core-trainer parameter group) → masked mean‖max pooling or Kim-style window
 * convolutions → a core head. Ids: 0 = padding, 1 = unknown word, 2 + r = row r
 * of the classifier's vector table. Pooling uses known words only (ids ≥ 2,
 * frozen or fine-tuned); the unknown row (zero, learnable when fine-tuning)
 * is read only by the CNN, where it keeps an unknown word's position.
 */
import * as tf from '@tensorflow/tfjs';
import { headLayers, type HeadSpec } from '../../../src/heads/head.js';
import type { BatchSource } from '../../../src/training/data.js';
import { predictProba, type ParamGroup } from '../../../src/training/trainer.js';
import { textTrainer, type TextFitContext } from './trainer.js';
import { checkModelSpec } from '../options.js';
import type { VectorLookup } from '../vectors/lookup.js';
import { TkMaskedPooling, TkPretrainedEmbedding, TkWindowConv } from './layers.js';
import type { EmbeddingModelSpec, ModelState, TextModel } from './model.js';

export const DEFAULT_EMBEDDING_HEAD: HeadSpec = { type: 'mlp', hidden: [128], dropout: 0.3 };
const PAD = 0;
const UNK = 1;

export class EmbeddingNetModel implements TextModel {
  readonly kind = 'embedding' as const;
  readonly reads = 'tokens' as const;
  model?: tf.LayersModel;
  readonly maxLength: number;

  constructor(
    readonly spec: EmbeddingModelSpec,
    readonly lookup: VectorLookup,
    /** The spec was read from a bundle (see `checkModelSpec`). */
    saved = false,
  ) {
    checkModelSpec(spec, saved);
    this.maxLength = spec.maxLength ?? 256;
  }

  /** Padded id matrix, n × maxLength. */
  ids(docs: string[][]): Int32Array {
    const L = this.maxLength;
    const out = new Int32Array(docs.length * L).fill(PAD);
    docs.forEach((doc, i) => {
      for (let j = 0; j < Math.min(L, doc.length); j++) {
        const r = this.lookup.row(doc[j]);
        out[i * L + j] = r < 0 ? UNK : r + 2;
      }
    });
    return out;
  }

  /**
   * Padding kept beyond a batch's longest text. Pooling ignores padding, so none is
   * needed. The CNN's max over time also sees windows lying wholly in padding
   * (whose output is ReLU(bias)) whenever a text is at least the widest window
   * shorter than maxLength; padding by the widest window keeps exactly the windows
   * full padding to maxLength would give, so scores do not depend on the batch.
   */
  private extraPadding(): number {
    return (this.spec.architecture ?? 'pool') === 'cnn' ? Math.max(...(this.spec.kernelSizes ?? [3, 4, 5])) : 0;
  }

  /** Batches padded to their longest text (+ extraPadding, capped at maxLength) when the network takes any length. */
  private source(ids: Int32Array, docs: string[][]): BatchSource {
    const L = this.maxLength;
    const fixed = this.model?.inputs[0].shape[1];
    const extra = this.extraPadding();
    const lengths = docs.map((d) => Math.min(L, d.length));
    return {
      size: ids.length / L,
      batch: (indices) => {
        let width = L;
        if (typeof fixed !== 'number') {
          let longest = 0;
          for (const i of indices) longest = Math.max(longest, lengths[i]);
          width = Math.min(L, Math.max(1, longest + extra));
        }
        const b = new Int32Array(indices.length * width);
        for (let i = 0; i < indices.length; i++) b.set(ids.subarray(indices[i] * L, indices[i] * L + width), i * width);
        return tf.tensor2d(b, [indices.length, width], 'int32');
      },
    };
  }

  private build(numClasses: number, seed: number): { model: tf.LayersModel; embedding: TkPretrainedEmbedding } {
    const d = this.lookup.dim;
    const rows = this.lookup.vectors.words.length + 2;
    // Any length: batches are padded to their longest text (see source()); bundles from before take maxLength.
    const input = tf.input({ shape: [null], dtype: 'int32', name: 'token_ids' });
    const embedding = new TkPretrainedEmbedding({ inputDim: rows, outputDim: d, name: 'pretrained_embedding' });
    const emb = embedding.apply(input) as tf.SymbolicTensor;
    let features: tf.SymbolicTensor;
    if ((this.spec.architecture ?? 'pool') === 'cnn') {
      features = new TkWindowConv({ kernelSizes: this.spec.kernelSizes ?? [3, 4, 5], filters: this.spec.filters ?? 64, seed, name: 'window_conv' }).apply(
        emb,
      ) as tf.SymbolicTensor;
    } else {
      features = new TkMaskedPooling({ mode: 'mean-max', name: 'masked_pooling' }).apply([emb, input]) as tf.SymbolicTensor;
    }
    let out = features;
    for (const layer of headLayers(this.spec.head ?? DEFAULT_EMBEDDING_HEAD, { inputDim: features.shape[1] as number, numClasses, seed, name: 'head' })) {
      out = layer.apply(out) as tf.SymbolicTensor;
    }
    const model = tf.model({ inputs: input, outputs: out, name: 'text_embedding_net' });
    // Row 0 (padding) and 1 (unknown) stay zero; rows 2.. are the pretrained vectors.
    const table = new Float32Array(rows * d);
    table.set(this.lookup.vectors.matrix, 2 * d);
    const init = tf.tensor2d(table, [rows, d]);
    embedding.setWeights([init]);
    init.dispose();
    return { model, embedding };
  }

  async fit(docs: string[][], y: Int32Array, ctx: TextFitContext) {
    const { model, embedding } = this.build(ctx.numClasses, ctx.seed);
    this.model = model;
    const finetune = this.spec.finetune ?? false;
    embedding.trainable = finetune;
    const others = model.trainableWeights.filter((w) => !embedding.trainableWeights.includes(w));
    const paramGroups: ParamGroup[] = [{ variables: others, lrMultiplier: 1 }];
    if (finetune) paramGroups.push({ variables: embedding.trainableWeights, lrMultiplier: this.spec.embeddingLrMultiplier ?? 0.1 });
    const validationData = ctx.validation ? { x: this.source(this.ids(ctx.validation.docs), ctx.validation.docs), y: ctx.validation.y } : undefined;
    const trainer = textTrainer(model, ctx, { epochs: 8, learningRate: 2e-3 }, { validationData, paramGroups });
    const ids = this.ids(docs);
    let empty = 0;
    for (let i = 0; i < docs.length; i++) if (!ids.subarray(i * this.maxLength, (i + 1) * this.maxLength).some((id) => id >= 2)) empty++;
    const history = await trainer.fit({ x: this.source(ids, docs), y });
    return { epochs: history.epochs.length, history, emptyRepresentations: empty };
  }

  async predictProba(docs: string[][]): Promise<Float32Array> {
    return predictProba(this.model!, this.source(this.ids(docs), docs));
  }

  state(): ModelState {
    return { json: { maxLength: this.maxLength }, tfModel: this.model };
  }

  static restore(spec: EmbeddingModelSpec, lookup: VectorLookup, model: tf.LayersModel): EmbeddingNetModel {
    const m = new EmbeddingNetModel(spec, lookup, true);
    m.model = model;
    return m;
  }

  dispose(): void {
    this.model?.dispose();
  }
}
