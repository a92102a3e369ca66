/**
 * Model kind 'vectors': a fitted document representation (mean, TF-IDF mean,
 * SIF, mean‖max), standardised with training statistics, feeding a core head
 * (linear or MLP) trained by the core trainer.
 */
import type * as tf from '@tensorflow/tfjs';
import type { DocumentEncoder } from '../represent/document-encoder.js';
import type { TextModel, VectorsModelSpec } from './model.js';
import { HeadOnVectorsModel } from './standardised-head.js';
import type { TextFitContext } from './trainer.js';


export class VectorsHeadModel extends HeadOnVectorsModel implements TextModel {
  readonly kind = 'vectors' as const;
  readonly reads = 'tokens' as const;

  constructor(
    readonly spec: VectorsModelSpec,
    readonly encoder: DocumentEncoder,
  ) {
    super(spec.head, encoder.dim);
  }

  protected override async prepare(docs: string[][], _ctx: TextFitContext): Promise<number> {
    this.encoder.fit(docs);
    return this.encoder.dim;
  }

  protected async vectorsOf(docs: string[][]): Promise<Float32Array> {
    return this.encoder.encodeTokens(docs);
  }

  protected emptyCount(): number {
    return this.encoder.emptyCount;
  }

  static restore(spec: VectorsModelSpec, json: Record<string, unknown>, encoder: DocumentEncoder, model: tf.LayersModel): VectorsHeadModel {
    return new VectorsHeadModel(spec, encoder).restoreHead(json, model);
  }
}
