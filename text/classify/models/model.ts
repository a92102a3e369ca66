/**
 * What every model kind implements: fit on tokenised texts, give class
 * probabilities, and describe itself for a bundle (JSON state, extra files,
 * and a tfjs model when it has one).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Callback } from '../../../src/training/trainer.js';
import type { LrSchedule } from '../../../src/training/schedules.js';
import type { History } from '../../../src/training/events.js';
import type { HeadSpec } from '../../../src/heads/head.js';
import type { ExpansionStats, NeighbourExpansionOptions } from '../bow/neighbour-expansion.js';
import type { TfidfOptions } from '../bow/tfidf.js';
import type { VectorLookup } from '../vectors/lookup.js';
import type { RepresentationName } from '../represent/document-encoder.js';
import type { Progress } from '../../../src/progress.js';
import type { SentenceEncoderDescription, SentencePooling } from '../../sentence/index.js';
import type { Provenance } from '../../../src/encoder.js';
import { InvalidArgumentError } from '../../../src/errors.js';

/**
 * The largest `vectorWeight` ('hybrid') and `sentenceWeight` ('smoothed'), and `--encoder-weight`.
 * The dense block is L2-normalised × the weight next to an L2-normalised TF-IDF row, so a weight of w
 * makes the block w times louder: the benchmark grids are 0.5–2 and 1–10 and beyond ~100 the
 * weight only crowds out the TF-IDF columns. Much larger values break the fit itself — from ~1e3
 * L-BFGS stalls within an iteration or two, 1e20 leaves it at its starting point (1/K for every
 * text), 1e40 overflows the float32 features to NaN.
 */
export const MAX_BLOCK_WEIGHT = 100;

/** (c) The bag-of-words baseline: TF-IDF unigrams+bigrams → L2-regularised logistic regression (no pretrained vectors). */
export interface BowModelSpec {
  kind: 'bow';
  tfidf?: TfidfOptions;
  /** Inverse L2 strength (scikit-learn's C). Default 100. */
  c?: number;
}

/** (a) A pretrained document representation → a core head (linear or MLP) trained with the core trainer. */
export interface VectorsModelSpec {
  kind: 'vectors';
  /** Default 'mean-max'. */
  representation?: RepresentationName;
  /** Default { type: 'linear' }. */
  head?: HeadSpec;
}

/**
 * Pretrained representation and TF-IDF features side by side in one L2-regularised logistic regression.
 * The representation is made of word vectors (`representation`: 'mean', 'tfidf-mean', 'sif', 'mean-max'),
 * or is a sentence encoder's vector of each text (`sentence`, with `representation` left out or
 * 'sentence'): the encoder then replaces the word vectors, which are not loaded.
 */
export interface HybridModelSpec {
  kind: 'hybrid';
  /** Default 'mean-max'; 'sentence' (the default when `sentence` is given) needs `sentence`. */
  representation?: RepresentationName | 'sentence';
  /** The sentence encoder of `representation: 'sentence'`: its options, or an encoder already loaded (see `SmoothedModelSpec.sentence`). */
  sentence?: SentenceEncoderSpec | LoadedSentenceEncoder;
  tfidf?: TfidfOptions;
  /** Inverse L2 strength (scikit-learn's C). Default 100. */
  c?: number;
  /** Scale of the (L2-normalised) document vector — word vectors or sentence encoder — relative to the (L2-normalised) TF-IDF row; in (0, `MAX_BLOCK_WEIGHT` = 100]. Default 1. */
  vectorWeight?: number;
}

/**
 * The bag-of-words baseline's TF-IDF columns plus a neighbour-expanded unigram block: training
 * texts also switch on the pretrained-vector neighbours of their words, so words never seen in
 * training still carry weight. Made for small training sets (tens to hundreds of texts); prediction
 * needs no vectors. See ../bow/neighbour-expansion.ts.
 */
export interface SmoothedModelSpec {
  kind: 'smoothed';
  tfidf?: TfidfOptions;
  expansion?: NeighbourExpansionOptions;
  /** Inverse L2 strength (scikit-learn's C). Default 100. */
  c?: number;
  /**
   * A sentence encoder whose vector of each text joins the features as a dense block (L2-normalised ×
   * `sentenceWeight`): its options (what `SentenceEncoder.load` takes, as the 'sentence' kind's
   * `encoder`), or an encoder already loaded — then it stays yours (the classifier never disposes it),
   * and one encoder (e.g. wrapped in a cache of its vectors) can serve many classifiers. The bundle
   * stores the encoder's files. Default none.
   */
  sentence?: SentenceEncoderSpec | LoadedSentenceEncoder;
  /** Scale of the (L2-normalised) sentence vector relative to the (L2-normalised) TF-IDF row; in (0, `MAX_BLOCK_WEIGHT` = 100]; needs `sentence`. Default 1. */
  sentenceWeight?: number;
}

/** (b) An embedding layer initialised from the pretrained vectors, pooled or convolved, then a head. */
export interface EmbeddingModelSpec {
  kind: 'embedding';
  /** 'pool' (masked mean‖max over the words) or 'cnn' (Kim 2014: windows of 3, 4, 5 words, max over time). Default 'pool'. */
  architecture?: 'pool' | 'cnn';
  /** Train the embedding too, at `embeddingLrMultiplier` × the learning rate. Default false (frozen). */
  finetune?: boolean;
  /** Default 0.1. */
  embeddingLrMultiplier?: number;
  /** Texts are cut (or padded) to this many tokens. Default 256. */
  maxLength?: number;
  /** CNN window sizes. Default [3, 4, 5]. */
  kernelSizes?: number[];
  /** CNN filters per window size. Default 64. */
  filters?: number;
  /** Head on the pooled features. Default { type: 'mlp', hidden: [128], dropout: 0.3 }. */
  head?: HeadSpec;
}

/** The sentence encoder of a 'sentence' model: what `SentenceEncoder.load` needs to load it again. */
export interface SentenceEncoderSpec {
  /** 'use-lite', a transformers.js model folder or a Hugging Face hub id. */
  model: string;
  /** Default 'mean'. */
  pooling?: SentencePooling;
  /** Tokens kept per text. Default: the model's limit, at most 512. */
  maxTokens?: number;
  /** Use onnx/model_quantized.onnx. Default: when the folder has it (hub ids: true). */
  quantized?: boolean;
  /** Put before every text (e5 models: 'query: '). Default none. */
  prefix?: string;
  /** transformers.js models: L2-normalise the vectors. Default true (use-lite's are unit length and refuse false). */
  normalize?: boolean;
  /** use-lite only: read a text as the mean of up to this many windows of `maxTokens` pieces. Default 1. */
  chunks?: number;
}

/**
 * A sentence encoder already loaded (`SentenceEncoder.load(…)`), or any object with the same surface —
 * e.g. a wrapper that remembers the vectors of texts it has encoded. A model given one never disposes
 * it. A classifier is saved with its encoder's files, which only a `SentenceEncoder` itself can give:
 * save one trained with the encoder, not with a wrapper.
 */
export interface LoadedSentenceEncoder {
  readonly dim: number;
  readonly provenance: Provenance;
  /** Row-major texts.length × dim. */
  encode(texts: readonly string[], progress?: Progress): Promise<Float32Array>;
  describe(): SentenceEncoderDescription;
  dispose(): void;
}

/**
 * `encoder`'s vectors of `texts`, checked to be texts × dim values (a wrapper whose `dim` disagrees
 * with what its `encode` gives is named here, not in a later shape error).
 */
export async function encodeChecked(encoder: LoadedSentenceEncoder, texts: readonly string[], progress?: Progress): Promise<Float32Array> {
  const data = (await encoder.encode(texts, progress)) as unknown;
  const dim = encoder.dim;
  const length = data !== null && typeof data === 'object' ? (data as { length?: unknown }).length : undefined;
  if (length !== texts.length * dim) {
    const got = typeof length === 'number' ? `${length} values` : data === null ? 'null' : `no list of values (${typeof data})`;
    throw new InvalidArgumentError(`the sentence encoder gave ${got} for ${texts.length} texts of dim ${dim}`, { hint: 'its encode() must return texts × dim values (a Float32Array), row-major, and its dim must be the length of one vector' });
  }
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

/** True for a loaded encoder (it has `encode`), false for encoder options. */
export function isLoadedSentenceEncoder(value: unknown): value is LoadedSentenceEncoder {
  return value !== null && typeof value === 'object' && typeof (value as { encode?: unknown }).encode === 'function';
}

/** The options that load `encoder` again (what a spec records of an encoder given loaded). */
export function sentenceEncoderSpecOf(encoder: LoadedSentenceEncoder): SentenceEncoderSpec {
  // Every family's description has source and maxTokens; the transformers.js one also pooling, quantized, normalize and prefix, use-lite's chunks when not 1.
  const d = encoder.describe() as Partial<SentenceEncoderDescription> & { pooling?: SentencePooling; quantized?: boolean; normalize?: boolean; prefix?: string; chunks?: number };
  const spec: SentenceEncoderSpec = { model: d.source ?? encoder.provenance.source };
  if (d.pooling !== undefined) spec.pooling = d.pooling;
  if (d.maxTokens !== undefined) spec.maxTokens = d.maxTokens;
  if (d.quantized !== undefined) spec.quantized = d.quantized;
  if (d.prefix) spec.prefix = d.prefix;
  // Only when off: the default (true) is what a spec without it loads.
  if (d.normalize === false) spec.normalize = false;
  if (d.chunks !== undefined && d.chunks !== 1) spec.chunks = d.chunks;
  return spec;
}

/** The sentence encoder a spec names (the 'sentence' kind's `encoder`, or the linear kinds' `sentence`), if any. */
export function sentenceEncoderOf(spec: ModelSpec): SentenceEncoderSpec | LoadedSentenceEncoder | undefined {
  if (spec.kind === 'sentence') return spec.encoder;
  if (spec.kind === 'hybrid' || spec.kind === 'smoothed') return spec.sentence;
  return undefined;
}

/** Whether a model of this spec reads pretrained word vectors (not 'bow', 'sentence', or 'hybrid' with a sentence encoder). */
export function usesWordVectors(spec: ModelSpec): boolean {
  if (spec.kind === 'bow' || spec.kind === 'sentence') return false;
  if (spec.kind === 'hybrid') return spec.sentence === undefined && spec.representation !== 'sentence';
  return true;
}

/**
 * (d) A sentence encoder (a transformers.js ONNX model such as all-MiniLM-L6-v2) → a core head, as
 * 'vectors' does with word vectors. The bundle stores the encoder's files, so it stays self-contained.
 */
export interface SentenceModelSpec {
  kind: 'sentence';
  /** The encoder's options, or an encoder already loaded (see `LoadedSentenceEncoder`; it stays yours). */
  encoder: SentenceEncoderSpec | LoadedSentenceEncoder;
  /** Default { type: 'linear' }. */
  head?: HeadSpec;
}

export type ModelSpec = BowModelSpec | VectorsModelSpec | HybridModelSpec | SmoothedModelSpec | EmbeddingModelSpec | SentenceModelSpec;
export type ModelKind = ModelSpec['kind'];
export const MODEL_KINDS: readonly ModelKind[] = ['bow', 'vectors', 'hybrid', 'smoothed', 'embedding', 'sentence'];

/** Options of the neural model kinds (vectors, embedding, sentence); the linear kinds ignore them. */
export interface NeuralFitOptions {
  /** Default: 'vectors' enough for ~600 steps (10 to 200 epochs); 'embedding' 8. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Default 3e-3 for 'vectors', 2e-3 for 'embedding'. */
  learningRate?: number;
  /** Default 'none'. */
  classWeights?: 'balanced' | 'none';
  /**
   * Learning-rate schedule of the core trainer, set before every batch (see docs/core.md): e.g.
   * `{ type: 'one-cycle', cycleMomentum: true }` for fastai's fit_one_cycle (Adam's beta1 cycled too),
   * `{ type: 'cosine' }`, `{ type: 'step', every: 5, gamma: 0.5 }`; `parseSchedule('one-cycle:0.3')`
   * reads the CLI's text form. Default `{ type: 'constant' }`.
   */
  schedule?: LrSchedule;
  /** Extra trainer callbacks (progress bars, history files). */
  callbacks?: Callback[];
  /** Stop when validation loss stalls this many epochs (needs validation texts). Default 3. */
  patience?: number;
}

export interface FitContext extends NeuralFitOptions {
  seed: number;
  numClasses: number;
  /** The full pretrained vectors (not the classifier's subset), for models that search them while fitting ('smoothed'). */
  vectors?: VectorLookup;
  /** The training texts themselves, for models that read text, not tokens ('sentence'). */
  texts?: readonly string[];
  /** Validation texts (tokenised and as given) and labels, when given. */
  validation?: { docs: string[][]; texts: readonly string[]; y: Int32Array };
  /** Progress of long preparation steps (encoding the training texts). */
  progress?: Progress;
}

export interface ModelState {
  /** JSON-serialisable state (weights of the linear models, fitted representation, …). */
  json: Record<string, unknown>;
  /** tfjs model, for the kinds that have one. */
  tfModel?: tf.LayersModel;
}

export interface FitResult {
  epochs?: number;
  /** The neural kinds: the core trainer's history (per-epoch logs, why training stopped early). */
  history?: History;
  emptyRepresentations?: number;
  /** 'smoothed': training words with a vector, words that got neighbours, columns added as neighbours. */
  expansion?: ExpansionStats;
}

/** What a model reads of each text: its tokens (from the classifier's tokenizer), or the text itself. */
export type ModelInput = 'tokens' | 'text';

export interface TextModel {
  readonly kind: ModelKind;
  /** 'text' for models with their own tokenizer ('sentence'): they get no tokens, only the texts. */
  readonly reads: ModelInput;
  /** Fit; reports epochs run (neural kinds) and training texts whose representation was empty (no known word). */
  fit(docs: string[][], y: Int32Array, ctx: FitContext): Promise<FitResult>;
  /** Class probabilities of tokenised texts; `texts` are the same texts as given (read by models with `reads: 'text'`). */
  predictProba(docs: string[][], texts: readonly string[]): Promise<Float32Array>;
  state(): ModelState;
  dispose(): void;
}
