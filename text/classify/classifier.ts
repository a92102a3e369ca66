/**
 * `trainTextClassifier(examples, options)` → `TextClassifier`: tokenise, build
 * the classifier's own vector table (only the rows it needs), fit the chosen
 * model kind, and predict / evaluate / save. See docs/text.md.
 */
import type { Provenance } from '../../src/encoder.js';
import type { ExpansionStats } from './bow/neighbour-expansion.js';
import { DataError, InvalidArgumentError } from '../../src/errors.js';
import { classificationReport, type ClassificationReport } from '../../src/metrics/classification.js';
import type { Progress } from '../../src/progress.js';
import type { EpochLogs } from '../../src/training/events.js';
import type { LrSchedule } from '../../src/training/schedules.js';
import { initEngine } from '../../src/engine/backend.js';
import { checkExamples, encodeLabels, requireKnownLabels, trainingLabels } from './data/labels.js';
import type { TextExample } from './data/types.js';
import { EmbeddingNetModel } from './models/embedding-net.js';
import { LinearTextModel } from './models/linear.js';
import type { LoadedSentenceEncoder, ModelSpec, NeuralFitOptions, TextModel } from './models/model.js';
import { isLoadedSentenceEncoder, MODEL_KINDS, sentenceEncoderOf, sentenceEncoderSpecOf, usesWordVectors } from './models/model.js';
import type { TextFitContext } from './models/trainer.js';
import { SentenceHeadModel } from './models/sentence-head.js';
import { VectorsHeadModel } from './models/vectors-head.js';
import { SentenceEncoder, type SentenceEncoderDescription } from '../sentence/index.js';
import { createRepresentation, type RepresentationOptions } from './represent/index.js';
import { Tokenizer, tokenizerFor, type TokenizerOptions } from './tokenize/tokenizer.js';
import { checkBoolean, checkFitOptions, checkModelSpec, checkWholeNumber } from './options.js';
import { checkRepresentationOptions } from './represent/document-encoder.js';
import { TfidfVectorizer } from './bow/tfidf.js';
import { NeighbourExpansion } from './bow/neighbour-expansion.js';
import { oovReport, VectorLookup, type OovReport, type PretrainedVectors } from './vectors/lookup.js';
import { resolveTextVectors } from './vectors/source.js';
import { VectorTable } from './vectors/table.js';

/** The default vectors: the bundled GloVe-derived 100-d set (no download). */
export { DEFAULT_TEXT_VECTORS } from './vectors/source.js';

export interface TrainTextOptions extends NeuralFitOptions {
  /** What to train. Default { kind: 'hybrid' } (TF-IDF + mean‖max word vectors, logistic regression). */
  model?: ModelSpec;
  /** Vectors: a `loadVectors` source (file path or bundled name) or vectors already loaded. Default 'glove-wink-100d'. Unused by 'bow' and 'sentence'. */
  vectors?: string | PretrainedVectors;
  /** Name recorded in the bundle when `vectors` is an object. Default: the source `loadVectors` recorded (`wv.origin.source`), else 'in-memory'. */
  vectorsName?: string;
  /**
   * Tokeniser options. Defaults: lowercase when the vectors are lowercase, URLs and e-mails
   * replaced, the first 500 tokens of each text kept (`maxTokens: 0` keeps all).
   */
  tokenizer?: TokenizerOptions;
  /** Look up missing tokens in lower/Capitalised/UPPER case. Default true. */
  caseFallback?: boolean;
  /** Representation options (empty-document policy, SIF's a). */
  representation?: RepresentationOptions;
  /**
   * Besides the training vocabulary, keep the vectors of the first N words of the
   * vector file (the most frequent), so a trained model still knows common words it
   * never saw in training. Default 20000 (≈ 8 MB at 100 dimensions). 0 keeps only the training vocabulary.
   */
  extraWords?: number;
  /**
   * Validation texts: early stopping for the neural kinds (on validation loss), and, once trained,
   * the classifier's accuracy and macro-F1 on them (`summary.validation`, stored in bundles; the full
   * evaluation is `clf.validationEvaluation`). Texts whose label was not seen in training are left
   * out (reported in `summary.validation.unseenLabels`); if that leaves none, training fails with a
   * `DataError` naming the labels.
   */
  validation?: TextExample[];
  /** Seed for initial weights and shuffling. Default 0. */
  seed?: number;
  /** Progress while loading vectors. */
  progress?: Progress;
  /**
   * Ctrl-C (SIGINT) while a neural kind ('vectors', 'embedding') trains stops it after the current
   * batch; the classifier keeps the weights trained so far (the best epoch's, with validation texts)
   * and `summary.interrupted` is true. The linear kinds are fitted in one synchronous run that a
   * signal cannot enter: Ctrl-C ends the process there as it would without this option. Default
   * false: SIGINT is left alone.
   */
  handleInterrupt?: boolean;
}

export interface TrainingSummary {
  model: ModelSpec;
  trainTexts: number;
  labels: string[];
  seconds: number;
  /** OOV rates of the training texts against the full vectors (absent for 'bow'). */
  oov?: OovReport;
  /** Training texts encoded as the zero vector because no word had a vector. */
  emptyRepresentations?: number;
  /** 'smoothed': training words with a vector, words expanded, neighbour columns added. */
  expansion?: ExpansionStats;
  epochs?: number;
  /**
   * The neural kinds ('vectors', 'embedding', 'sentence'): the learning-rate schedule they trained
   * with — the `schedule` option, or `{ type: 'constant' }` when none was given. Absent for the
   * linear kinds (fitted by L-BFGS, no learning rate) and in bundles saved before it was recorded.
   */
  schedule?: LrSchedule;
  /**
   * The neural kinds: every epoch run, as the core trainer logged it — `loss`, `acc`, `lr` (the rate
   * at the epoch's end), `seconds`, with validation texts `val_loss` and `val_acc`, and `momentum`
   * when the schedule cycles it. Absent for the linear kinds and in bundles saved before it was recorded.
   */
  history?: EpochLogs[];
  /** True when Ctrl-C stopped a neural kind's training (see `handleInterrupt`): the weights are those trained so far. */
  interrupted?: boolean;
  /** 'sentence': the encoder, as loaded (its files are stored in the bundle). */
  sentenceEncoder?: SentenceEncoderDescription;
  /** The vectors used; `keptWords` = rows stored with the classifier (0 for 'smoothed', which stores none). */
  vectors?: { source: string; dim: number; keptWords: number };
  tokenizer: Record<string, unknown>;
  seed: number;
  /**
   * Validation texts given, how many were used, the labels unseen in training whose texts were left
   * out, and the trained classifier's accuracy and macro-F1 on the texts used. (When none has a
   * training label, training fails with a `DataError`.) Bundles saved before the metrics were
   * added have only the counts.
   */
  validation?: { texts: number; used: number; unseenLabels: Array<{ label: string; count: number }>; accuracy?: number; macroF1?: number };
}

export interface Prediction {
  label: string;
  score: number;
}

export interface TextEvaluation {
  report: ClassificationReport;
  /** Examples whose label the model never saw: reported, left out of the metrics. */
  unseenLabels: Array<{ label: string; count: number }>;
  excluded: number;
  /** OOV rates of these texts against the model's vector table (absent for 'bow' and 'smoothed', which store no vectors). */
  oov?: OovReport;
}

export class TextClassifier {
  constructor(
    readonly labels: string[],
    readonly spec: ModelSpec,
    readonly tokenizer: Tokenizer,
    readonly model: TextModel,
    /** The classifier's own vector table (absent for 'bow' and 'smoothed'). */
    readonly lookup: VectorLookup | undefined,
    readonly provenance: Provenance | undefined,
    readonly summary: TrainingSummary,
  ) {}

  private disposed = false;

  /**
   * The trained classifier evaluated on the `validation` texts given to `trainTextClassifier` (full
   * report: per-class figures, confusion matrix). Not stored in bundles (their summary keeps accuracy
   * and macro-F1); undefined for a loaded classifier or without validation texts.
   */
  validationEvaluation?: TextEvaluation;

  /** True once `dispose()` has released the model: the classifier then refuses to predict, evaluate or be saved. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throw a typed error when the classifier was disposed (its network is gone; a linear model's weights too, by contract). */
  assertUsable(action: string): void {
    if (this.disposed) {
      throw new InvalidArgumentError(`cannot ${action}: this text classifier was disposed`, {
        hint: 'dispose() releases the model; call it when you are done, or train or load it again (loadTextClassifier) to use it',
      });
    }
  }

  tokenize(texts: readonly string[]): string[][] {
    return this.tokenizer.tokenizeAll(texts);
  }

  /** What the model reads of `texts`: their tokens, or none when it reads the texts themselves. */
  private tokensFor(texts: readonly string[]): string[][] {
    return this.model.reads === 'text' ? [] : this.tokenize(texts);
  }

  /** Class probabilities, row-major texts × labels. */
  async predictProba(texts: readonly string[]): Promise<Float32Array> {
    this.assertUsable('predict');
    checkTexts(texts);
    if (texts.length === 0) return new Float32Array(0);
    await initEngine();
    return this.model.predictProba(this.tokensFor(texts), texts);
  }

  /** The top-k labels of each text with their probabilities. */
  async predict(texts: readonly string[], options: { topK?: number } = {}): Promise<Prediction[][]> {
    const topK = options.topK ?? 1;
    // Checked before it is capped at the number of labels, so that 2.5 is refused whatever that number.
    if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1) throw new InvalidArgumentError(`topK must be a whole number ≥ 1, got ${String(topK)}`);
    const k = Math.min(topK, this.labels.length);
    const p = await this.predictProba(texts);
    const C = this.labels.length;
    return texts.map((_, i) =>
      this.labels
        .map((label, c) => ({ label, score: p[i * C + c] }))
        .sort((a, b) => b.score - a.score)
        .slice(0, k),
    );
  }

  /** Accuracy, macro-F1, per-class P/R/F1 and confusion matrix; unseen labels are reported, not fatal. */
  async evaluate(examples: readonly TextExample[], options: { topK?: number } = {}): Promise<TextEvaluation> {
    this.assertUsable('evaluate');
    examples = checkExamples(examples, 'evaluation set');
    if (examples.length === 0) throw new DataError('no texts to evaluate', { hint: 'give labelled texts' });
    const { y, unseen } = encodeLabels(examples, this.labels);
    const keep = examples.filter((_, i) => y[i] >= 0);
    if (keep.length === 0) {
      throw new DataError(`none of the ${examples.length} texts has a label the model knows (${this.labels.join(', ')})`, {
        hint: 'check the label column, or evaluate with the data the model was trained for',
      });
    }
    const texts = keep.map((e) => e.text);
    const docs = this.tokensFor(texts);
    const scores = await this.model.predictProba(docs, texts);
    const report = classificationReport(
      y.filter((c) => c >= 0),
      scores,
      this.labels,
      options,
    );
    return { report, unseenLabels: unseen, excluded: examples.length - keep.length, oov: this.lookup ? oovReport(docs, this.lookup) : undefined };
  }

  /** Release the model (its network and, for 'sentence', the encoder's session). Calling it again does nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

/** Texts to classify: an array of strings (an empty string is a text; the model answers it from its prior). */
function checkTexts(texts: readonly string[]): void {
  if (!Array.isArray(texts)) throw new InvalidArgumentError(`texts must be an array of strings, got ${texts === null ? 'null' : typeof texts}`, { hint: 'wrap a single text in an array: predict([text])' });
  const bad = texts.findIndex((t) => typeof t !== 'string');
  if (bad >= 0) {
    const t = texts[bad] as unknown;
    throw new InvalidArgumentError(`texts[${bad}] is ${t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t}, not a string`, { hint: 'give every text as a string' });
  }
}

/** A model's sentence encoder, loaded (when the spec gives options) or as given (then the caller keeps it). */
interface SentenceUse {
  encoder: LoadedSentenceEncoder;
  /** True when loaded here: the model disposes it. */
  owned: boolean;
}

/**
 * The spec as recorded (summary, bundle): an encoder given loaded is replaced by the options that load
 * it again, so the spec stays JSON. A spec without a loaded encoder is returned as it is.
 */
function recordedSpec(spec: ModelSpec): ModelSpec {
  if (spec.kind === 'sentence' && isLoadedSentenceEncoder(spec.encoder)) return { ...spec, encoder: sentenceEncoderSpecOf(spec.encoder) };
  if ((spec.kind === 'hybrid' || spec.kind === 'smoothed') && isLoadedSentenceEncoder(spec.sentence)) return { ...spec, sentence: sentenceEncoderSpecOf(spec.sentence) };
  return spec;
}

/** Train a text classifier on labelled texts. */
export async function trainTextClassifier(examples: readonly TextExample[], options: TrainTextOptions = {}): Promise<TextClassifier> {
  const started = performance.now();
  const given: ModelSpec = options.model ?? { kind: 'hybrid' };
  if (given === null || typeof given !== 'object') throw new InvalidArgumentError(`model must be a model spec such as { kind: 'hybrid' }, got ${String(given)}`);
  const spec = given;
  if (!MODEL_KINDS.includes(spec.kind)) {
    throw new InvalidArgumentError(`unknown model kind '${spec.kind as string}'`, { hint: `use one of ${MODEL_KINDS.join(', ')}` });
  }
  // Every option is checked before vectors are loaded or anything is fitted.
  checkModelSpec(spec);
  checkFitOptions(options);
  checkWholeNumber('extraWords', options.extraWords, 0);
  checkBoolean('caseFallback', options.caseFallback);
  checkRepresentationOptions(options.representation ?? {});
  new Tokenizer(options.tokenizer); // checks the tokeniser options
  if (spec.kind === 'bow' || spec.kind === 'hybrid' || spec.kind === 'smoothed') new TfidfVectorizer(spec.tfidf);
  if (spec.kind === 'smoothed') new NeighbourExpansion(spec.expansion);
  // Texts are strings and labels strings (as readDataset reads them: 1 and '1' are one label).
  examples = checkExamples(examples, 'training set');
  const validationExamples = options.validation === undefined ? undefined : checkExamples(options.validation, 'validation set');
  const empty = examples.filter((e) => e.text.trim() === '').length;
  if (empty > 0) {
    throw new DataError(`${empty} training text(s) are empty`, { hint: 'readDataset skips empty texts; filter them out before training' });
  }
  const labels = trainingLabels(examples);
  const y = encodeLabels(examples, labels).y;
  // Like Keras/fastai with validation labels outside the training classes: an error, not a silent run
  // without early stopping and without validation metrics. Raised before vectors are loaded or anything is fitted.
  const validationLabels = validationExamples?.length ? requireKnownLabels(validationExamples, labels, 'validation') : undefined;
  const seed = options.seed ?? 0;
  await initEngine();

  // The sentence encoder (the 'sentence' kind's, or a linear kind's sentence block) is loaded before the
  // word vectors, so a missing model is named at once; one given loaded is used as it is, and stays the caller's.
  const named = sentenceEncoderOf(spec);
  const sentenceUse: SentenceUse | undefined =
    named === undefined ? undefined : isLoadedSentenceEncoder(named) ? { encoder: named, owned: false } : { encoder: await SentenceEncoder.load(named), owned: true };
  const handover = { done: false };
  try {
    return await trainWith(spec, sentenceUse, examples, options, { started, y, labels, validationExamples, validationLabels, seed }, handover);
  } catch (e) {
    // Until a model holds it (after that, a failure disposes the model, which disposes its encoder), the encoder loaded here is released here.
    if (sentenceUse?.owned && !handover.done) sentenceUse.encoder.dispose();
    throw e;
  }
}

async function trainWith(
  spec: ModelSpec,
  sentenceUse: SentenceUse | undefined,
  examples: readonly TextExample[],
  options: TrainTextOptions,
  prepared: { started: number; y: Int32Array; labels: string[]; validationExamples?: TextExample[]; validationLabels?: ReturnType<typeof requireKnownLabels>; seed: number },
  handover: { done: boolean },
): Promise<TextClassifier> {
  const { started, y, labels, validationExamples, validationLabels, seed } = prepared;
  const { vectors, source } = usesWordVectors(spec)
    ? await resolveTextVectors(options.vectors, { vectorsName: options.vectorsName, progress: options.progress })
    : { vectors: undefined, source: options.vectorsName ?? 'in-memory' };
  const tokenizer = tokenizerFor(vectors?.words, options.tokenizer);
  const texts = examples.map((e) => e.text);
  // The 'sentence' kind reads the texts themselves (its encoder's tokenizer is part of the model); a linear kind with a sentence block reads both.
  const sentence = spec.kind === 'sentence' ? sentenceUse?.encoder : undefined;
  const docs = sentence ? [] : tokenizer.tokenizeAll(texts);

  let lookup: VectorLookup | undefined;
  let full: VectorLookup | undefined;
  let oov: OovReport | undefined;
  let provenance: Provenance | undefined;
  if (vectors) {
    full = new VectorLookup(vectors, { caseFallback: options.caseFallback });
    oov = oovReport(docs, full);
    if (spec.kind === 'smoothed') {
      // The vectors only expand the training texts; the fitted model predicts from its own word columns.
      provenance = { source, description: `${vectors.dim}-d word vectors; used to expand the training texts, not stored` };
    } else {
      // The classifier keeps only what it needs: rows of training tokens + the most frequent words.
      const rows = new Set<number>();
      const extra = Math.min(options.extraWords ?? 20000, vectors.words.length);
      for (let r = 0; r < extra; r++) rows.add(r);
      for (const doc of docs) for (const t of doc) rows.add(full.row(t));
      lookup = new VectorLookup(VectorTable.subset(vectors, rows), { caseFallback: full.caseFallback });
      provenance = { source, description: `${vectors.dim}-d word vectors; ${lookup.vectors.words.length} of ${vectors.words.length} words kept` };
    }
  }

  // With a sentence encoder, the bundle stores it (and, for 'smoothed', no word vectors): it is the model's provenance.
  if (sentenceUse) provenance = sentenceUse.encoder.provenance;
  const model = createModel(spec, tokenizer, lookup, provenance, options.representation, sentenceUse);
  handover.done = true; // from here the model (and, after training, the classifier) disposes the encoder it owns
  // Validation texts with labels unseen in training are left out (and reported in the summary).
  const validationTexts = validationExamples?.filter((_, i) => validationLabels!.y[i] >= 0).map((e) => e.text);
  const validation =
    validationTexts && validationLabels
      ? { docs: sentence ? [] : tokenizer.tokenizeAll(validationTexts), texts: validationTexts, y: validationLabels.y.filter((c) => c >= 0) }
      : undefined;
  const ctx: TextFitContext = { ...options, seed, numClasses: labels.length, texts, validation, vectors: spec.kind === 'smoothed' ? full : undefined };
  let fitted: Awaited<ReturnType<TextModel['fit']>>;
  try {
    fitted = await model.fit(docs, y, ctx);
  } catch (e) {
    model.dispose(); // with a sentence encoder loaded for it, its ONNX session too
    throw e;
  }
  const history = fitted.history;
  const interrupted = history?.stopReason === 'interrupted';
  const summary: TrainingSummary = {
    model: recordedSpec(spec),
    trainTexts: examples.length,
    labels,
    seconds: (performance.now() - started) / 1000,
    oov,
    emptyRepresentations: fitted.emptyRepresentations,
    expansion: fitted.expansion,
    epochs: fitted.epochs,
    // Only the neural kinds train with the core trainer (a schedule and per-epoch logs); the linear kinds ignore `schedule`.
    ...(history ? { schedule: options.schedule ?? { type: 'constant' }, history: history.epochs.map((e) => ({ ...e })) } : {}),
    ...(interrupted ? { interrupted } : {}),
    vectors: full ? { source, dim: full.dim, keptWords: lookup?.vectors.words.length ?? 0 } : undefined,
    ...(sentenceUse ? { sentenceEncoder: sentenceUse.encoder.describe() } : {}),
    tokenizer: { ...tokenizer.toJSON() },
    seed,
    validation:
      validation && validationLabels
        ? { texts: validationExamples!.length, used: validation.y.length, unseenLabels: validationLabels.unseen }
        : undefined,
  };
  const clf = new TextClassifier(labels, summary.model, tokenizer, model, lookup, provenance, summary);
  if (summary.validation) {
    // The metrics the validation texts are given for (texts with unseen labels are left out, as in evaluate).
    let ev: TextEvaluation;
    try {
      ev = await clf.evaluate(validationExamples!);
    } catch (e) {
      clf.dispose();
      throw e;
    }
    clf.validationEvaluation = ev;
    summary.validation = { ...summary.validation, accuracy: ev.report.accuracy, macroF1: ev.report.macroF1 };
  }
  return clf;
}

export function createModel(
  spec: ModelSpec,
  tokenizer: Tokenizer,
  lookup: VectorLookup | undefined,
  provenance: Provenance | undefined,
  representation: RepresentationOptions = {},
  /** The sentence encoder of a 'sentence' model or of a linear kind's sentence block, and whether the model owns it. */
  sentence?: SentenceUse,
): TextModel {
  const encoder = (name: string | undefined) =>
    createRepresentation((name ?? 'mean-max') as Parameters<typeof createRepresentation>[0], tokenizer, lookup!, provenance!, representation);
  const linear = (withWords: boolean) => new LinearTextModel(spec as ConstructorParameters<typeof LinearTextModel>[0], withWords ? encoder((spec as { representation?: string }).representation) : undefined, undefined, undefined, sentence);
  switch (spec.kind) {
    case 'bow':
      return new LinearTextModel(spec);
    case 'hybrid':
      return linear(!sentence);
    case 'smoothed':
      return linear(false);
    case 'vectors':
      return new VectorsHeadModel(spec, encoder(spec.representation));
    case 'embedding':
      return new EmbeddingNetModel(spec, lookup!);
    case 'sentence':
      if (!sentence) throw new InvalidArgumentError("a 'sentence' model needs its loaded SentenceEncoder");
      return new SentenceHeadModel(spec, sentence.encoder, sentence.owned);
  }
}
