/**
 * The three linear model kinds, fitted by L-BFGS (see ../linear/softmax-regression.ts):
 *  - 'bow': TF-IDF unigrams+bigrams only — the baseline that shows what pretrained vectors add;
 *  - 'hybrid': the same TF-IDF columns plus a pretrained document representation
 *    (L2-normalised, scaled by `vectorWeight`), one regularised model over both;
 *  - 'smoothed': the same TF-IDF columns plus a unigram block in which training texts also
 *    switch on the pretrained-vector neighbours of their words (../bow/neighbour-expansion.ts).
 */
import { InvalidArgumentError } from '../../../src/errors.js';
import { NeighbourExpansion, type NeighbourExpansionState } from '../bow/neighbour-expansion.js';
import { TfidfVectorizer, type TfidfState } from '../bow/tfidf.js';
import { featureDim, hstackCsr, makeFeatures, type Dense, type Features } from '../linear/features.js';
import { SoftmaxRegression, type SoftmaxRegressionState } from '../linear/softmax-regression.js';
import { checkModelSpec } from '../options.js';
import type { DocumentEncoder } from '../represent/document-encoder.js';
import type { BowModelSpec, FitContext, HybridModelSpec, ModelState, SmoothedModelSpec, TextModel } from './model.js';

type LinearSpec = BowModelSpec | HybridModelSpec | SmoothedModelSpec;

/**
 * Inverse L2 strength (scikit-learn's C) of both linear kinds. Chosen on a validation split carved
 * from the SpamAssassin train part, never on its test part (bench/text.ts: grid 10/30/100/300; 100 was
 * best for bow and for hybrid SIF, within one validation message of the best for hybrid mean‖max).
 * Other corpora may prefer another C: choose it on your own validation texts (`c`, `--c`).
 */
export const DEFAULT_C = 100;
/**
 * Weight of the (L2-normalised) pretrained representation next to the (L2-normalised) TF-IDF row in
 * 'hybrid'. Chosen like `DEFAULT_C`: 1 beat 3 and 10 at every C of the grid, for mean‖max and SIF.
 */
export const DEFAULT_VECTOR_WEIGHT = 1;

export class LinearTextModel implements TextModel {
  readonly kind: LinearSpec['kind'];
  readonly reads = 'tokens' as const;
  readonly tfidf: TfidfVectorizer;
  /** Present for 'smoothed'. */
  readonly expansion?: NeighbourExpansion;
  regression?: SoftmaxRegression;
  fitInfo?: { iterations: number; converged: boolean; loss: number };

  constructor(
    readonly spec: LinearSpec,
    /** Present for 'hybrid'. */
    readonly encoder?: DocumentEncoder,
    tfidf?: TfidfVectorizer,
    expansion?: NeighbourExpansion,
  ) {
    checkModelSpec(spec);
    this.kind = spec.kind;
    this.tfidf = tfidf ?? new TfidfVectorizer(spec.tfidf);
    if (spec.kind === 'smoothed') this.expansion = expansion ?? new NeighbourExpansion(spec.expansion);
  }

  private dense(docs: string[][]): Dense | undefined {
    if (!this.encoder) return undefined;
    const dim = this.encoder.dim;
    const data = this.encoder.encodeTokens(docs);
    const weight = this.spec.kind === 'hybrid' ? (this.spec.vectorWeight ?? DEFAULT_VECTOR_WEIGHT) : 1;
    for (let i = 0; i < docs.length; i++) {
      let n = 0;
      for (let k = 0; k < dim; k++) n += data[i * dim + k] ** 2;
      const s = n > 0 ? weight / Math.sqrt(n) : 0;
      for (let k = 0; k < dim; k++) data[i * dim + k] *= s;
    }
    return { rows: docs.length, cols: dim, data };
  }

  /** Feature rows; `training` marks the texts the model is fitted on (the only ones 'smoothed' expands). */
  features(docs: string[][], training = false): Features {
    const bow = this.tfidf.transform(docs);
    const sparse = this.expansion ? hstackCsr(bow, this.expansion.transform(docs, { expand: training })) : bow;
    return makeFeatures(sparse, this.dense(docs));
  }

  async fit(docs: string[][], y: Int32Array, ctx: FitContext) {
    if (this.expansion && !ctx.vectors) {
      throw new InvalidArgumentError("the 'smoothed' model needs the pretrained vectors to find word neighbours", { hint: 'train it with trainTextClassifier and a vectors source' });
    }
    this.tfidf.fit(docs);
    this.encoder?.fit(docs);
    this.expansion?.fit(docs, ctx.vectors!);
    const x = this.features(docs, true);
    const emptyRepresentations = this.encoder?.emptyCount;
    this.regression = new SoftmaxRegression(featureDim(x), ctx.numClasses);
    this.fitInfo = this.regression.fit(x, y, {
      c: this.spec.c ?? DEFAULT_C,
      classWeights: ctx.classWeights === 'balanced' ? 'balanced' : undefined,
    });
    return { emptyRepresentations, expansion: this.expansion?.stats };
  }

  async predictProba(docs: string[][]): Promise<Float32Array> {
    return this.regression!.predictProba(this.features(docs));
  }

  state(): ModelState {
    return { json: { tfidf: this.tfidf.toJSON(), expansion: this.expansion?.toJSON(), regression: this.regression!.toJSON(), fitInfo: this.fitInfo } };
  }

  static restore(spec: LinearSpec, json: Record<string, unknown>, encoder?: DocumentEncoder): LinearTextModel {
    const expansion = spec.kind === 'smoothed' ? NeighbourExpansion.fromJSON(json.expansion as NeighbourExpansionState) : undefined;
    const m = new LinearTextModel(spec, encoder, TfidfVectorizer.fromJSON(json.tfidf as TfidfState), expansion);
    m.regression = SoftmaxRegression.fromJSON(json.regression as SoftmaxRegressionState);
    return m;
  }

  dispose(): void {}
}
