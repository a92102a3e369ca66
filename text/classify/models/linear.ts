/**
 * The three linear model kinds, fitted by L-BFGS (see ../linear/softmax-regression.ts):
 *  - 'bow': TF-IDF unigrams+bigrams only — the baseline that shows what pretrained vectors add;
 *  - 'hybrid': the same TF-IDF columns plus a pretrained document representation — word vectors
 *    or a sentence encoder's vector — (L2-normalised, scaled by `vectorWeight`), one regularised
 *    model over both;
 *  - 'smoothed': the same TF-IDF columns plus a unigram block in which training texts also
 *    switch on the pretrained-vector neighbours of their words (../bow/neighbour-expansion.ts),
 *    and optionally a sentence encoder's vector (L2-normalised × `sentenceWeight`).
 */
import { InvalidArgumentError } from '../../../src/errors.js';
import { NeighbourExpansion, type NeighbourExpansionState } from '../bow/neighbour-expansion.js';
import { TfidfVectorizer, type TfidfState } from '../bow/tfidf.js';
import { featureDim, hstackCsr, makeFeatures, type Dense, type Features } from '../linear/features.js';
import { SoftmaxRegression, type SoftmaxRegressionState } from '../linear/softmax-regression.js';
import { checkModelSpec } from '../options.js';
import type { DocumentEncoder } from '../represent/document-encoder.js';
import { encodeChecked, type BowModelSpec, type FitContext, type HybridModelSpec, type LoadedSentenceEncoder, type ModelState, type SmoothedModelSpec, type TextModel } from './model.js';

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

/** Rows that are all zero (a sentence encoder's vector of a text it knows nothing of). */
function zeroRows(data: Float32Array, dim: number): number {
  let n = 0;
  for (let r = 0; r < data.length; r += dim) {
    let zero = true;
    for (let k = r; k < r + dim && zero; k++) zero = data[k] === 0;
    if (zero) n++;
  }
  return n;
}

export class LinearTextModel implements TextModel {
  readonly kind: LinearSpec['kind'];
  readonly reads = 'tokens' as const;
  readonly tfidf: TfidfVectorizer;
  /** Present for 'smoothed'. */
  readonly expansion?: NeighbourExpansion;
  regression?: SoftmaxRegression;
  fitInfo?: { iterations: number; converged: boolean; loss: number };
  /** 'hybrid' or 'smoothed' with a sentence encoder: the encoder whose vector of each text is the dense block. */
  readonly sentenceEncoder?: LoadedSentenceEncoder;
  /** Whether `dispose()` disposes the sentence encoder (one this model loaded; never one it was given loaded). */
  private readonly ownsSentenceEncoder: boolean;

  constructor(
    readonly spec: LinearSpec,
    /** Present for 'hybrid' with word vectors. */
    readonly encoder?: DocumentEncoder,
    tfidf?: TfidfVectorizer,
    expansion?: NeighbourExpansion,
    /** 'hybrid' or 'smoothed' with a sentence encoder: the encoder, and whether this model owns it (then disposes it). */
    sentence?: { encoder: LoadedSentenceEncoder; owned: boolean },
    /** The spec was read from a bundle (see `checkModelSpec`). */
    saved = false,
  ) {
    checkModelSpec(spec, saved);
    this.kind = spec.kind;
    this.tfidf = tfidf ?? new TfidfVectorizer(spec.tfidf);
    if (spec.kind === 'smoothed') this.expansion = expansion ?? new NeighbourExpansion(spec.expansion);
    const wantsSentence = spec.kind !== 'bow' && spec.sentence !== undefined;
    if (wantsSentence !== Boolean(sentence)) {
      throw new InvalidArgumentError(
        wantsSentence ? `this '${spec.kind}' model has a sentence block but was given no loaded sentence encoder` : `this '${spec.kind}' model has no sentence block, yet was given a sentence encoder`,
        { hint: 'train it with trainTextClassifier, which loads the encoder the spec names' },
      );
    }
    if (encoder && sentence) throw new InvalidArgumentError("a 'hybrid' model has one document representation: word vectors or a sentence encoder, not both");
    this.sentenceEncoder = sentence?.encoder;
    this.ownsSentenceEncoder = sentence?.owned ?? false;
  }

  /** The scale of the dense block: `vectorWeight` ('hybrid'), `sentenceWeight` ('smoothed'). */
  private get denseWeight(): number {
    if (this.spec.kind === 'hybrid') return this.spec.vectorWeight ?? DEFAULT_VECTOR_WEIGHT;
    if (this.spec.kind === 'smoothed') return this.spec.sentenceWeight ?? DEFAULT_VECTOR_WEIGHT;
    return 1;
  }

  /** The dense block: the word-vector representation or the sentence encoder's vectors, each row L2-normalised × the weight (a zero row stays zero). */
  private async dense(docs: string[][], texts: readonly string[], progress?: FitContext['progress']): Promise<Dense | undefined> {
    let dim: number;
    let data: Float32Array;
    if (this.encoder) {
      dim = this.encoder.dim;
      data = this.encoder.encodeTokens(docs);
    } else if (this.sentenceEncoder) {
      if (texts.length !== docs.length) {
        throw new InvalidArgumentError(`a '${this.kind}' model with a sentence encoder reads the texts themselves: got ${texts.length} texts for ${docs.length} token lists`, {
          hint: 'pass the texts as given next to their tokens (TextClassifier does)',
        });
      }
      dim = this.sentenceEncoder.dim;
      // A copy: the encoder (or a cache around it) may keep the array it returned.
      data = Float32Array.from(await encodeChecked(this.sentenceEncoder, texts, progress));
    } else return undefined;
    const weight = this.denseWeight;
    for (let i = 0; i < docs.length; i++) {
      let n = 0;
      for (let k = 0; k < dim; k++) n += data[i * dim + k] ** 2;
      const s = n > 0 ? weight / Math.sqrt(n) : 0;
      for (let k = 0; k < dim; k++) data[i * dim + k] *= s;
    }
    return { rows: docs.length, cols: dim, data };
  }

  /**
   * Feature rows: TF-IDF columns, then 'smoothed''s word columns, then the dense block. `texts` are the
   * texts as given (read by a sentence encoder; not needed without one); `training` marks the texts
   * the model is fitted on (the only ones 'smoothed' expands).
   */
  async features(docs: string[][], texts: readonly string[] = [], training = false, progress?: FitContext['progress']): Promise<Features> {
    const bow = this.tfidf.transform(docs);
    const sparse = this.expansion ? hstackCsr(bow, this.expansion.transform(docs, { expand: training })) : bow;
    return makeFeatures(sparse, await this.dense(docs, texts, progress));
  }

  async fit(docs: string[][], y: Int32Array, ctx: FitContext) {
    if (this.expansion && !ctx.vectors) {
      throw new InvalidArgumentError("the 'smoothed' model needs the pretrained vectors to find word neighbours", { hint: 'train it with trainTextClassifier and a vectors source' });
    }
    if (this.sentenceEncoder && !ctx.texts) {
      throw new InvalidArgumentError(`a '${this.kind}' model with a sentence encoder is fitted on the texts themselves too: pass them as ctx.texts`);
    }
    this.tfidf.fit(docs);
    this.encoder?.fit(docs);
    this.expansion?.fit(docs, ctx.vectors!);
    const x = await this.features(docs, ctx.texts ?? [], true, ctx.progress);
    const emptyRepresentations = this.encoder ? this.encoder.emptyCount : this.sentenceEncoder ? zeroRows(x.dense!.data, x.dense!.cols) : undefined;
    this.regression = new SoftmaxRegression(featureDim(x), ctx.numClasses);
    this.fitInfo = this.regression.fit(x, y, {
      c: this.spec.c ?? DEFAULT_C,
      classWeights: ctx.classWeights === 'balanced' ? 'balanced' : undefined,
    });
    return { emptyRepresentations, expansion: this.expansion?.stats };
  }

  async predictProba(docs: string[][], texts: readonly string[] = []): Promise<Float32Array> {
    return this.regression!.predictProba(await this.features(docs, texts));
  }

  state(): ModelState {
    return { json: { tfidf: this.tfidf.toJSON(), expansion: this.expansion?.toJSON(), regression: this.regression!.toJSON(), fitInfo: this.fitInfo } };
  }

  /** A fitted model from its state; `sentence` is the bundle's encoder (which the model then owns). */
  static restore(spec: LinearSpec, json: Record<string, unknown>, encoder?: DocumentEncoder, sentence?: LoadedSentenceEncoder): LinearTextModel {
    const expansion = spec.kind === 'smoothed' ? NeighbourExpansion.fromJSON(json.expansion as NeighbourExpansionState) : undefined;
    const m = new LinearTextModel(spec, encoder, TfidfVectorizer.fromJSON(json.tfidf as TfidfState), expansion, sentence && { encoder: sentence, owned: true }, true);
    m.regression = SoftmaxRegression.fromJSON(json.regression as SoftmaxRegressionState);
    return m;
  }

  /** Releases the sentence encoder's session when this model loaded it (one given loaded stays its owner's). */
  dispose(): void {
    if (this.ownsSentenceEncoder) this.sentenceEncoder?.dispose();
  }
}
