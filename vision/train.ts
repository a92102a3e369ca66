/**
 * One call from a folder of labelled images to a trained classifier:
 * read → decode (skipping unreadable files) → seeded stratified split → build
 * body + new head → run a strategy → validation report.
 */
import type { HeadSpec } from '../src/heads/head.js';
import { parseHeadSpec } from '../src/heads/head.js';
import { DataError, InvalidArgumentError } from '../src/errors.js';
import { stratifiedSplit } from '../src/metrics/split.js';
import { classificationReport, type ClassificationReport } from '../src/metrics/classification.js';
import type { Callback } from '../src/training/trainer.js';
import type { EpochLogs, History } from '../src/training/events.js';
import type { OptimizerName } from '../src/training/trainer.js';
import { validateSchedule, type LrSchedule } from '../src/training/schedules.js';
import type { Progress } from '../src/progress.js';
import type { AugmentOptions } from './augment.js';
import { Backbone, type BackboneOptions } from './backbone.js';
import { IMAGE_CLASSIFIER_KIND, ImageClassifier } from './classifier.js';
import { decodeAll, readImages, type ImageCollection, type SkippedFile } from './data.js';
import type { ImageSet } from './image-source.js';
import { ImageLearner } from './learner.js';
import { buildClassifierModel, type Pooling } from './model.js';
import { getStrategy, type StrategyName } from './strategies.js';
import type { TrainingSupport } from './engine/index.js';
import { withMemoryGuard } from './memory.js';
import { checkCheckpointOptions, VisionCheckpoint, type CheckpointRecord, type CheckpointSave, type VisionCheckpointOptions } from './checkpoint.js';
import { checkBundleOutput } from '../src/bundle/owner.js';
import { refuseInputAsOutput } from '../src/io/output.js';

export interface TrainImageClassifierOptions {
  /** Registry name, model.json URL, local model path, or a loaded Backbone. Default 'mobilenet_v2_nsfwjs'. */
  backbone?: string | Backbone;
  /** Options for loading the backbone (image size, normalisation, …) when `backbone` is not loaded yet. */
  backboneOptions?: BackboneOptions;
  /** Default 'feature-extract'. */
  strategy?: StrategyName;
  /** Default 10. */
  epochs?: number;
  /** Images per training step. Default 32. */
  batchSize?: number;
  /**
   * Images per pass through the frozen body when computing features (and per
   * validation pass through the whole network). Default: `batchSize` — so a smaller
   * batch size is the way to fit large images in memory.
   */
  extractBatchSize?: number;
  /** Default: the strategy's (feature-extract 1e-3, fine-tune-top/all 1e-4, fine-tune 2e-3). */
  learningRate?: number;
  /** fine-tune-top: last frozen layer group or layer name. */
  freezeUntil?: string;
  /** fine-tune: head warm-up epochs. Default 1. */
  freezeEpochs?: number;
  /** fine-tune: head rate / first group rate. Default 100. */
  lrMult?: number;
  /** Head: a spec or short form ('linear', 'mlp:256'). Default 'linear'. */
  head?: HeadSpec | string;
  /** Default 'avg'. */
  pooling?: Pooling;
  /** Default false. */
  augment?: boolean | AugmentOptions;
  /** Augmented copies cached per image when a prefix is frozen. Default 4. */
  augmentRounds?: number;
  /** Fraction held out (stratified) for validation. Default 0.2; 0 for none. */
  validationSplit?: number;
  /** Default 0. */
  seed?: number;
  /** Per-class loss weights, or 'balanced' for imbalanced data. Default none. */
  classWeights?: number[] | 'balanced';
  optimizer?: OptimizerName;
  /**
   * Learning-rate schedule of every phase (see docs/core.md). Default: the strategy's
   * (`getStrategy(name).defaultSchedule`): constant, and one-cycle in both of fine-tune's phases
   * (`FINE_TUNE_SCHEDULE`), which a schedule given here replaces.
   */
  schedule?: LrSchedule;
  /** Let unfrozen BatchNorm layers of the body use batch statistics. Default false (head BatchNorm always trains). */
  trainBatchNorm?: boolean;
  callbacks?: Callback[];
  /** Progress of downloads, decoding and feature passes. */
  progress?: Progress;
  handleInterrupt?: boolean;
  /**
   * Save the best classifier so far, as a loadable bundle, into `dir` whenever the monitored value
   * improves (default `val_loss`, `loss` without validation data) — across fine-tune's two phases.
   */
  checkpoint?: VisionCheckpointOptions;
}

/**
 * One epoch of a training run: the trainer's logs (EpochLogs' named fields), numbered across
 * phases — `epoch` is 0-based and runs on through fine-tune's phase 2. `momentum` is there only
 * when the schedule cycles it (one-cycle with `cycleMomentum`).
 */
export type VisionEpochRecord = Pick<EpochLogs, 'epoch' | 'loss' | 'acc' | 'val_loss' | 'val_acc' | 'lr' | 'momentum' | 'seconds'> & {
  /** fine-tune: 'head' (warm-up, body frozen) or 'fine-tune' (everything); absent for one-phase strategies. */
  phase?: string;
  /** fine-tune: 0-based epoch within its phase. */
  phaseEpoch?: number;
};

/** The phases' histories as one list of epoch records (see VisionEpochRecord). */
export function epochRecords(histories: readonly History[], phases?: readonly string[]): VisionEpochRecord[] {
  const out: VisionEpochRecord[] = [];
  histories.forEach((h, p) => {
    for (const e of h.epochs) {
      // `rest`: val_loss and val_acc with validation data, and any metric a callback logged.
      const { epoch, loss, acc, lr, momentum, seconds, ...rest } = e;
      const phase = phases && phases.length > 1 ? { phase: phases[p], phaseEpoch: epoch } : {};
      out.push({ epoch: out.length, ...phase, loss, acc, ...(rest as Pick<VisionEpochRecord, 'val_loss' | 'val_acc'>), lr, ...(momentum !== undefined ? { momentum } : {}), seconds });
    }
  });
  return out;
}

export interface TrainImageClassifierResult {
  classifier: ImageClassifier;
  backbone: Backbone;
  learner: ImageLearner;
  /** One history per training phase (fine-tune has two). */
  histories: History[];
  /** Every epoch run, numbered across phases and tagged with its phase (fine-tune). */
  history: VisionEpochRecord[];
  /** The learning-rate schedule every phase ran with: the `schedule` option, else the strategy's default. */
  schedule: LrSchedule;
  /** Epochs run in all, across phases (after an interrupt the last may be partial). */
  epochsRun: number;
  /** Why training ended early ('interrupted' after Ctrl-C with handleInterrupt), if it did. */
  stopReason?: string;
  /** Validation report (absent without a validation split). */
  validation?: ClassificationReport;
  skipped: SkippedFile[];
  counts: { train: number; validation: number };
  timings: { extractSeconds: number; trainSeconds: number; decodeSeconds: number };
  trainingSupport?: TrainingSupport;
  /** With the `checkpoint` option: the epoch its folder holds (absent if no epoch was saved). */
  checkpoint?: CheckpointRecord;
}

/** Options only one strategy reads: given with another, they would be silently ignored, so they are refused. */
export const STRATEGY_ONLY_OPTIONS: readonly { option: 'freezeUntil' | 'freezeEpochs' | 'lrMult'; strategy: StrategyName }[] = [
  { option: 'freezeUntil', strategy: 'fine-tune-top' },
  { option: 'freezeEpochs', strategy: 'fine-tune' },
  { option: 'lrMult', strategy: 'fine-tune' },
];

/**
 * The first option given (not undefined) that the chosen strategy would ignore, with the strategy it
 * belongs to; undefined when there is none. `checkTrainOptions` refuses it; the CLI words the same
 * finding with its flag names.
 */
export function ignoredStrategyOption(options: Pick<TrainImageClassifierOptions, 'strategy' | 'freezeUntil' | 'freezeEpochs' | 'lrMult'>): (typeof STRATEGY_ONLY_OPTIONS)[number] | undefined {
  const strategy = options.strategy ?? 'feature-extract';
  return STRATEGY_ONLY_OPTIONS.find((o) => options[o.option] !== undefined && o.strategy !== strategy);
}

/**
 * Check the training options that need no data or backbone (strategy, epochs, head, batch sizes,
 * learning rate, validation split, fine-tune's warm-up epochs and rate ratio, pooling, augmentation
 * rounds, learning-rate schedule), so a bad value — or one the strategy would ignore — is refused before any image is read or
 * model loaded. Returns the parsed head.
 */
export function checkTrainOptions(options: TrainImageClassifierOptions): HeadSpec {
  const strategy = getStrategy(options.strategy ?? 'feature-extract').name;
  const ignored = ignoredStrategyOption(options);
  if (ignored) {
    throw new InvalidArgumentError(`${ignored.option} applies only to strategy '${ignored.strategy}', not '${strategy}'`, {
      hint: `leave ${ignored.option} out, or use strategy: '${ignored.strategy}'`,
    });
  }
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt('epochs', options.epochs);
  positiveInt('batch size', options.batchSize);
  positiveInt('extraction batch size', options.extractBatchSize);
  positiveInt('freezeEpochs (head warm-up epochs)', options.freezeEpochs);
  positiveInt('augmentRounds', options.augmentRounds);
  if (options.augmentRounds !== undefined && !options.augment) {
    throw new InvalidArgumentError('augmentRounds applies only with augment (it is the number of augmented copies cached per image)', { hint: 'pass augment: true, or leave augmentRounds out' });
  }
  if (options.augmentRounds !== undefined && strategy === 'fine-tune-all') {
    throw new InvalidArgumentError("augmentRounds applies only when a prefix of the network is frozen (its activations are cached); fine-tune-all augments every image anew each epoch", {
      hint: "leave augmentRounds out, or use strategy 'feature-extract', 'fine-tune-top' or 'fine-tune' (its warm-up)",
    });
  }
  const lr = options.learningRate;
  if (lr !== undefined && !(Number.isFinite(lr) && lr > 0)) {
    throw new InvalidArgumentError(`learning rate must be a number > 0, got ${lr}`, { hint: 'leave it out for the strategy\'s default (feature-extract 1e-3, fine-tune-top/all 1e-4, fine-tune 2e-3)' });
  }
  const split = options.validationSplit;
  if (split !== undefined && !(Number.isFinite(split) && split >= 0 && split < 1)) {
    throw new InvalidArgumentError(`validationSplit must be a fraction in [0, 1), got ${split}`, { hint: 'e.g. 0.2 to hold out a fifth of each class; 0 for no validation' });
  }
  if (options.lrMult !== undefined && !(Number.isFinite(options.lrMult) && options.lrMult >= 1)) {
    throw new InvalidArgumentError(`lrMult must be a number ≥ 1, got ${options.lrMult}`, { hint: 'the head\'s rate ÷ the first layer group\'s, e.g. 100' });
  }
  if (options.pooling !== undefined && options.pooling !== 'avg' && options.pooling !== 'flatten') {
    throw new InvalidArgumentError(`unknown pooling '${String(options.pooling)}'`, { hint: "use 'avg' or 'flatten'" });
  }
  if (options.checkpoint !== undefined) checkCheckpointOptions(options.checkpoint);
  validateSchedule(options.schedule);
  return typeof options.head === 'string' ? parseHeadSpec(options.head) : (options.head ?? { type: 'linear' as const });
}

/** Train an image classifier from a folder per class or a CSV manifest. */
export async function trainImageClassifier(data: string | ImageCollection, options: TrainImageClassifierOptions = {}): Promise<TrainImageClassifierResult> {
  const head = checkTrainOptions(options);
  const strategy = getStrategy(options.strategy ?? 'feature-extract');
  const epochs = options.epochs ?? 10;
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 32;
  const extractBatchSize = options.extractBatchSize ?? batchSize;
  const checkpointDir = options.checkpoint?.dir;
  // Built now: a bad monitor or mode is refused before any work. Its save function is set below.
  let saveCheckpoint: ((what: CheckpointSave) => Promise<void>) | undefined;
  const checkpoint = options.checkpoint ? new VisionCheckpoint(options.checkpoint, strategy.phases, (what) => saveCheckpoint!(what)) : undefined;
  if (checkpointDir !== undefined) await checkBundleOutput(checkpointDir, IMAGE_CLASSIFIER_KIND);
  const collection = typeof data === 'string' ? await readImages(data) : data;
  const backbone = typeof options.backbone === 'object' ? options.backbone : await Backbone.load(options.backbone ?? 'mobilenet_v2_nsfwjs', { progress: options.progress, ...options.backboneOptions });
  if (checkpointDir !== undefined) {
    // A folder in the data folder would be read as a class next time; in the backbone's, it could overwrite its files.
    await refuseInputAsOutput(
      { flag: 'checkpoint', path: checkpointDir, kind: 'folder', data: { flag: 'data', readExtensions: [] } },
      { data: collection.source, backbone: backbone.provenance.kind === 'local' ? backbone.provenance.source : undefined },
    );
  }

  const memory = { task: 'training', imageSize: backbone.preprocessing.size, batchSize: Math.max(batchSize, extractBatchSize) };
  const t0 = performance.now();
  const decoded = await decodeAll(collection, backbone.preprocessing, { progress: options.progress });
  const decodeSeconds = (performance.now() - t0) / 1000;
  const validationSplit = options.validationSplit ?? 0.2;
  const pick = (idx: Int32Array): ImageSet => ({ images: Array.from(idx, (i) => decoded.images[i]), y: Int32Array.from(idx, (i) => decoded.y[i]) });
  let train: ImageSet;
  let valid: ImageSet | undefined;
  if (validationSplit > 0) {
    const split = stratifiedSplit(decoded.y, { validation: validationSplit, seed });
    train = pick(split.train);
    valid = split.validation.length ? pick(split.validation) : undefined;
  } else {
    train = { images: decoded.images, y: decoded.y };
  }
  if (train.images.length === 0) throw new DataError('no training images left after the validation split', { hint: 'add images or lower the validation split' });

  const model = buildClassifierModel(backbone, { numClasses: decoded.labels.length, head, pooling: options.pooling, seed });
  const learner = new ImageLearner(backbone, model, { train, valid }, {
    augment: options.augment,
    augmentRounds: options.augmentRounds,
    trainBatchNorm: options.trainBatchNorm,
    seed,
    extractBatchSize,
    progress: options.progress,
  });
  const learningRate = options.learningRate ?? strategy.defaultLearningRate;
  const schedule = options.schedule ?? strategy.defaultSchedule;
  const fineTune = strategy.name === 'fine-tune' ? { freezeEpochs: options.freezeEpochs ?? 1, lrMult: options.lrMult ?? 100 } : {};
  const architecture = { head, pooling: options.pooling ?? 'avg' };
  /** The manifest's training record: the options, then what ran (`history`, and why it stopped early). */
  const trainingRecord = (history: VisionEpochRecord[], stopReason?: string): Record<string, unknown> => ({
    strategy: strategy.name,
    epochs,
    ...fineTune,
    // What actually ran: differs from the epochs asked for when training stopped early.
    epochsRun: history.length,
    ...(stopReason ? { stopReason, ...(stopReason === 'interrupted' ? { interrupted: true } : {}) } : {}),
    batchSize,
    learningRate,
    // The schedule every phase ran with: the one given, else the strategy's (fine-tune: one-cycle).
    schedule,
    freezeUntil: strategy.name === 'fine-tune-top' ? (options.freezeUntil ?? backbone.groups[backbone.groups.length - 2]?.name) : undefined,
    augment: Boolean(options.augment),
    validationSplit,
    seed,
    classWeights: options.classWeights,
    trainExamples: train.images.length,
    validationExamples: valid?.images.length ?? 0,
    history,
  });
  // The whole classifier (in feature-extract the fit trains only the head), with the history up to the epoch saved.
  saveCheckpoint = async ({ record, logs, histories }) => {
    const { dir, ...held } = record;
    const clf = new ImageClassifier(model, decoded.labels, backbone.preprocessing, {
      encoder: backbone.describe(),
      training: { ...trainingRecord(epochRecords(histories, strategy.phases)), checkpoint: held },
      metrics: valid && logs.val_loss !== undefined ? { validation: { loss: logs.val_loss, accuracy: logs.val_acc, count: valid.images.length } } : {},
      architecture,
    });
    await clf.save(dir);
  };
  const t1 = performance.now();
  const { histories, probs } = await withMemoryGuard(memory, async () => {
    const histories = await strategy.run(learner, {
    epochs,
    learningRate,
    freezeUntil: options.freezeUntil,
    freezeEpochs: options.freezeEpochs,
    lrMult: options.lrMult,
    fit: {
      batchSize,
      classWeights: options.classWeights,
      optimizer: options.optimizer,
      schedule: options.schedule,
      callbacks: [...(options.callbacks ?? []), ...(checkpoint ? [checkpoint] : [])],
      handleInterrupt: options.handleInterrupt,
      seed,
    },
    });
    return { histories, probs: await learner.validationProbabilities() };
  });
  const extractSeconds = learner.extractionStats.seconds;
  const trainSeconds = (performance.now() - t1) / 1000 - extractSeconds;
  const validation = probs && valid ? classificationReport(valid.y, probs, decoded.labels) : undefined;
  const history = epochRecords(histories, strategy.phases);
  // Why the run ended early, if it did: the last phase's reason (a warm-up stopped early by a callback
  // is followed by the full phase 2; an interrupted warm-up is the last phase that ran).
  const stopReason = histories[histories.length - 1]?.stopReason;

  const classifier = new ImageClassifier(model, decoded.labels, backbone.preprocessing, {
    encoder: backbone.describe(),
    training: { ...trainingRecord(history, stopReason), ...(checkpoint?.best ? { checkpoint: checkpoint.best } : {}) },
    metrics: validation ? { validation: { accuracy: validation.accuracy, macroF1: validation.macroF1, count: validation.count } } : {},
    architecture,
  });
  return {
    classifier,
    backbone,
    learner,
    histories,
    history,
    schedule,
    epochsRun: history.length,
    ...(stopReason ? { stopReason } : {}),
    validation,
    skipped: decoded.skipped,
    counts: { train: train.images.length, validation: valid?.images.length ?? 0 },
    timings: { extractSeconds, trainSeconds, decodeSeconds },
    trainingSupport: learner.trainingSupport,
    ...(checkpoint?.best ? { checkpoint: checkpoint.best } : {}),
  };
}
