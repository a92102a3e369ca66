/**
 * The training loop. It is small on purpose: it runs batches and announces
 * events; progress bars, history files, early stopping and checkpoints are
 * callbacks subscribed to those events (as in fastai's Learner).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { stratifiedSplit, balancedClassWeights } from '../metrics/split.js';
import { Rng, range } from '../random.js';
import { checkDataset, disposeInput, subset, toSource, type Dataset, type ModelInput } from './data.js';
import type { EpochLogs, History, TrainerEvent } from './events.js';
import { lrMultiplier, momentumAt, momentumCycle, validateSchedule, type LrSchedule } from './schedules.js';

/** What a callback can see and do while training runs. */
export interface TrainerControl {
  readonly model: tf.LayersModel;
  readonly history: History;
  /** Ask the loop to stop after the current batch. */
  stop(reason: string): void;
  readonly stopRequested: boolean;
  /** At epochEnd: whether a stop ended this epoch before all its batches ran (Ctrl-C, a callback's stop at a batch); its logs then average only the batches that ran. */
  readonly epochCutShort: boolean;
  /** A copy of all model weights (trainable and not); the caller disposes it. */
  snapshot(): tf.Tensor[];
  /** Put a snapshot back into the model. */
  restore(weights: tf.Tensor[]): void;
  /** The optimizers of the running fit, one per parameter group (empty outside a fit). */
  readonly optimizers: readonly tf.Optimizer[];
}

export interface Callback {
  onEvent(event: TrainerEvent, trainer: TrainerControl): void | Promise<void>;
}

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

/** Variables trained with their own learning-rate multiplier (discriminative rates). */
export interface ParamGroup {
  variables: tf.LayerVariable[];
  /** Multiplier of the base learning rate. */
  lrMultiplier: number;
}

/**
 * Forward pass used for training and evaluation. Default: `model.apply(x, {training})`.
 * Override to keep parts of the model in inference mode (e.g. frozen BatchNorm).
 */
export type ForwardFn = (model: tf.LayersModel, x: ModelInput, training: boolean) => tf.Tensor;

export interface FitOptions {
  /** Number of passes over the training set. Default 10. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Seed for shuffling and the validation split. Default 0. */
  seed?: number;
  /** Shuffle the training set every epoch. Default true. */
  shuffle?: boolean;
  /** A separate validation set. */
  validationData?: Dataset;
  /** Or: hold out this stratified fraction of the training set. Default 0 (none). */
  validationSplit?: number;
  /** Default 'adam'. */
  optimizer?: OptimizerName;
  /** Base learning rate. Default 1e-3. */
  learningRate?: number;
  /** Momentum for sgd (0: plain SGD). Default 0.9; a one-cycle `cycleMomentum` schedule replaces it while training. */
  momentum?: number;
  /** Default constant. */
  schedule?: LrSchedule;
  /** Per-class loss weights, or 'balanced' (n / (classes × count)). Default none. */
  classWeights?: number[] | 'balanced';
  /** Clip gradients to this global L2 norm. Default none. */
  clipNorm?: number;
  /** Default: every trainable weight at the base rate. */
  paramGroups?: ParamGroup[];
  callbacks?: Callback[];
  /** Ctrl-C stops after the current batch (callbacks still see fitEnd). Default false. */
  handleInterrupt?: boolean;
  forward?: ForwardFn;
  /** Batch size for validation passes. Default 4 × batchSize. */
  evalBatchSize?: number;
}

const defaultForward: ForwardFn = (model, x, training) => model.apply(x, { training }) as tf.Tensor;

function makeOptimizer(name: OptimizerName, lr: number, momentum: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(lr);
    case 'sgd':
      return momentum > 0 ? tf.train.momentum(lr, momentum) : tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
  }
  throw new InvalidArgumentError(`unknown optimizer '${name}'`, { hint: 'use adam, sgd or rmsprop' });
}

/** Per Adam optimizer whose beta1 is cycled: the product of the beta1 values of the steps taken so far. */
const adamBeta1Products = new WeakMap<tf.Optimizer, number>();

/**
 * Set the momentum an optimizer computes with (called before every step): SGD's momentum, Adam's beta1. tfjs's
 * MomentumOptimizer.setMomentum() changes only the number it reports — each step multiplies by a
 * scalar tensor made once in its constructor — so that scalar is replaced too. Adam reads its beta1
 * at every step; its bias correction 1 − Πβ₁ is kept exact for a changing beta1 (see below).
 */
function setMomentum(optimizer: tf.Optimizer, momentum: number): void {
  // By class name: tfjs's Optimizer answers `instanceof` by duck typing (an Adam is "instanceof MomentumOptimizer").
  const kind = optimizer.getClassName();
  if (kind === tf.MomentumOptimizer.className) {
    (optimizer as tf.MomentumOptimizer).setMomentum(momentum);
    const o = optimizer as unknown as { m: tf.Scalar };
    o.m.dispose();
    o.m = tf.keep(tf.scalar(momentum));
  } else if (kind === tf.AdamOptimizer.className) {
    // Adam divides by 1 − accBeta1, which tfjs starts at the beta1 it was built with and multiplies by
    // the beta1 of each step *after* that step: with a changing beta1 the correction would lag a step
    // (the first update of a cycle starting at 0.95 on an Adam built with 0.9 came out halved). So the
    // product of the betas used so far, this step's included, is put in place before every step.
    const adam = optimizer as unknown as { beta1: number; accBeta1: tf.Variable };
    const product = (adamBeta1Products.get(optimizer) ?? 1) * momentum;
    adamBeta1Products.set(optimizer, product);
    adam.beta1 = momentum;
    tf.tidy(() => adam.accBeta1.assign(tf.scalar(product)));
  } else {
    throw new InvalidArgumentError(`cannot set the momentum of a ${optimizer.getClassName()} optimizer`);
  }
}

/** Dispose an optimizer whole: tfjs's MomentumOptimizer.dispose() forgets the learning-rate scalar of the SGD it extends (one tensor leaked per fit). */
function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (optimizer.getClassName() === tf.MomentumOptimizer.className) {
    const c = (optimizer as unknown as { c?: tf.Scalar }).c;
    if (c && !c.isDisposed) c.dispose();
  }
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // SGD and momentum compute with a scalar that only their setLearningRate() updates.
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** Mean softmax cross-entropy and accuracy of logits against labels. */
function lossAndCorrect(logits: tf.Tensor, labels: tf.Tensor1D, numClasses: number, weights?: tf.Tensor): [tf.Scalar, tf.Scalar] {
  return tf.tidy(() => {
    const onehot = tf.oneHot(labels, numClasses);
    const loss = weights
      ? tf.losses.softmaxCrossEntropy(onehot, logits, tf.gather(weights, labels))
      : tf.losses.softmaxCrossEntropy(onehot, logits);
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(labels, 'int32')), 'float32'));
    return [loss as tf.Scalar, correct as tf.Scalar];
  });
}

export class Trainer implements TrainerControl {
  /** The history of the current (or last) fit; each fit starts a new one. */
  history: History = { epochs: [] };
  private stopReason?: string;
  private cutShort = false;
  private fitOptimizers: tf.Optimizer[] = [];
  private readonly options: Required<Pick<FitOptions, 'epochs' | 'batchSize' | 'seed' | 'shuffle' | 'learningRate'>> & FitOptions;

  constructor(
    readonly model: tf.LayersModel,
    options: FitOptions = {},
  ) {
    this.options = { epochs: 10, batchSize: 32, seed: 0, shuffle: true, learningRate: 1e-3, ...options };
    const { epochs, batchSize, learningRate } = this.options;
    if (!Number.isInteger(epochs) || epochs < 1) throw new InvalidArgumentError(`epochs must be a positive integer, got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batch size must be a positive integer, got ${batchSize}`);
    if (!(learningRate > 0)) throw new InvalidArgumentError(`learning rate must be > 0, got ${learningRate}`);
    const { clipNorm, evalBatchSize, momentum, validationSplit } = this.options;
    if (momentum !== undefined && !(momentum >= 0 && momentum < 1)) throw new InvalidArgumentError(`momentum must be in [0, 1), got ${momentum}`);
    if (validationSplit !== undefined && !(validationSplit >= 0 && validationSplit < 1)) throw new InvalidArgumentError(`validationSplit must be in [0, 1), got ${validationSplit}`);
    if (clipNorm !== undefined && !(clipNorm > 0)) throw new InvalidArgumentError(`clipNorm must be > 0 (the largest global gradient norm), got ${clipNorm}`);
    if (evalBatchSize !== undefined && (!Number.isInteger(evalBatchSize) || evalBatchSize < 1)) throw new InvalidArgumentError(`evalBatchSize must be a positive integer, got ${evalBatchSize}`);
    validateSchedule(this.options.schedule);
    if (momentumCycle(this.options.schedule)) {
      // fastai's momentum cycle needs a momentum to cycle: SGD's (when it has one) or Adam's beta1.
      const name = this.options.optimizer ?? 'adam';
      if (name === 'rmsprop' || (name === 'sgd' && momentum === 0)) {
        throw new InvalidArgumentError(`a one-cycle schedule with cycleMomentum needs an optimizer with momentum; ${name === 'sgd' ? 'sgd with momentum 0 (plain SGD)' : 'rmsprop (it runs without momentum here)'} has none`, {
          hint: "use optimizer 'adam' (its beta1 is cycled) or 'sgd' with momentum > 0, or drop cycleMomentum",
        });
      }
    }
  }

  get epochCutShort(): boolean {
    return this.cutShort;
  }

  get stopRequested(): boolean {
    return this.stopReason !== undefined;
  }

  stop(reason: string): void {
    this.stopReason ??= reason;
  }

  snapshot(): tf.Tensor[] {
    return this.model.getWeights().map((w) => w.clone());
  }

  restore(weights: tf.Tensor[]): void {
    this.model.setWeights(weights);
  }

  get optimizers(): readonly tf.Optimizer[] {
    return this.fitOptimizers;
  }

  private numClasses(): number {
    const shape = this.model.outputs[0].shape;
    return shape[shape.length - 1] as number;
  }

  private async emit(event: TrainerEvent): Promise<void> {
    for (const cb of this.options.callbacks ?? []) await cb.onEvent(event, this);
  }

  /** Train on `data`; returns the per-epoch history. */
  async fit(data: Dataset): Promise<History> {
    const o = this.options;
    const numClasses = this.numClasses();
    checkDataset(data, numClasses, 'training');
    // A trainer fitted again starts afresh: a stop asked for in the last fit, and its epochs, are behind it.
    this.history = { epochs: [] };
    this.stopReason = undefined;
    this.cutShort = false;
    let train = data;
    let valid = o.validationData;
    if (!valid && o.validationSplit) {
      const split = stratifiedSplit(data.y, { validation: o.validationSplit, seed: o.seed });
      train = subset(data, split.train);
      valid = subset(data, split.validation);
    }
    if (valid) checkDataset(valid, numClasses, 'validation');

    const source = toSource(train.x);
    const n = source.size;
    const stepsPerEpoch = Math.ceil(n / o.batchSize);
    const totalSteps = stepsPerEpoch * o.epochs;
    const rng = new Rng(o.seed);
    const forward = o.forward ?? defaultForward;
    const cw = o.classWeights === 'balanced' ? balancedClassWeights(train.y, numClasses) : o.classWeights;
    if (cw && cw.length !== numClasses) {
      throw new InvalidArgumentError(`class weights has ${cw.length} entries for ${numClasses} classes`);
    }
    if (cw && (cw.some((w) => !(w >= 0 && Number.isFinite(w))) || !cw.some((w) => w > 0))) {
      throw new InvalidArgumentError(`class weights must be finite numbers ≥ 0, not all 0; got [${cw.join(', ')}]`);
    }
    const groups: ParamGroup[] = o.paramGroups ?? [{ variables: this.model.trainableWeights, lrMultiplier: 1 }];
    const groupVars = groups.map((g) => g.variables.map((v) => v.read() as tf.Variable));
    const allVars = groupVars.flat();
    // Refused before any tensor is made for the fit (the class weights and optimizers leaked here).
    if (allVars.length === 0) throw new InvalidArgumentError('the model has no trainable weights');
    const weights = cw ? tf.tensor1d(cw) : undefined;
    const optimizers = groups.map((g) =>
      makeOptimizer(o.optimizer ?? 'adam', o.learningRate * g.lrMultiplier, o.momentum ?? 0.9),
    );
    const yAll = Int32Array.from(train.y);

    const onSigint = () => this.stop('interrupted');
    if (o.handleInterrupt) process.once('SIGINT', onSigint);
    let step = 0;
    let lr = o.learningRate;
    let momentum: number | undefined;
    this.fitOptimizers = optimizers;
    try {
      await this.emit({ type: 'fitBegin', epochs: o.epochs, stepsPerEpoch, trainSize: n, validationSize: valid ? valid.y.length : 0 });
      for (let epoch = 0; epoch < o.epochs && !this.stopRequested; epoch++) {
        const started = performance.now();
        await this.emit({ type: 'epochBegin', epoch });
        const order = o.shuffle ? rng.shuffle(range(n)) : range(n);
        let lossSum = 0;
        let correctSum = 0;
        let seen = 0;
        let batches = 0;
        for (let b = 0; b < stepsPerEpoch && !this.stopRequested; b++, step++, batches++) {
          await this.emit({ type: 'batchBegin', epoch, batch: b });
          const idx = order.subarray(b * o.batchSize, Math.min(n, (b + 1) * o.batchSize));
          lr = o.learningRate * lrMultiplier(o.schedule, { step, totalSteps, epoch });
          optimizers.forEach((opt, i) => setLearningRate(opt, lr * groups[i].lrMultiplier));
          momentum = momentumAt(o.schedule, { step, totalSteps, epoch });
          if (momentum !== undefined) for (const opt of optimizers) setMomentum(opt, momentum);
          const x = await source.batch(idx, true);
          const labels = tf.tensor1d(idx.map((i) => yAll[i]), 'int32');
          let correct = 0;
          const { value, grads } = tf.variableGrads(() => {
            const logits = forward(this.model, x, true);
            const [loss, c] = lossAndCorrect(logits, labels, numClasses, weights);
            correct = c.dataSync()[0];
            const penalties = this.model.calculateLosses();
            return penalties.length ? (tf.addN([loss, ...penalties]) as tf.Scalar) : loss;
          }, allVars);
          if (o.clipNorm) clipByGlobalNorm(grads, o.clipNorm);
          groupVars.forEach((vars, i) => {
            const sub: tf.NamedTensorMap = {};
            for (const v of vars) if (grads[v.name]) sub[v.name] = grads[v.name];
            optimizers[i].applyGradients(sub);
          });
          const lossValue = (await value.data())[0];
          tf.dispose([value, labels, ...Object.values(grads)]);
          disposeInput(x);
          lossSum += lossValue * idx.length;
          correctSum += correct;
          seen += idx.length;
          await this.emit({ type: 'batchEnd', epoch, batch: b, loss: lossValue, lr, ...(momentum !== undefined ? { momentum } : {}) });
          // On synchronous backends (wasm, cpu) every await above resolves without leaving the
          // microtask queue, so a Ctrl-C would never be delivered: let the event loop turn.
          if (o.handleInterrupt) await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if (seen === 0) break;
        this.cutShort = batches < stepsPerEpoch;
        const logs: EpochLogs = { epoch, loss: lossSum / seen, acc: correctSum / seen, lr, seconds: 0 };
        if (momentum !== undefined) logs.momentum = momentum;
        if (valid && !(this.stopReason === 'interrupted')) {
          const v = await evaluateLoss(this.model, valid, numClasses, o.evalBatchSize ?? o.batchSize * 4, forward);
          logs.val_loss = v.loss;
          logs.val_acc = v.acc;
        }
        logs.seconds = (performance.now() - started) / 1000;
        this.history.epochs.push(logs);
        await this.emit({ type: 'epochEnd', epoch, logs });
      }
      if (this.stopReason) this.history.stopReason = this.stopReason;
      await this.emit({ type: 'fitEnd', history: this.history });
    } finally {
      if (o.handleInterrupt) process.removeListener('SIGINT', onSigint);
      weights?.dispose();
      optimizers.forEach(disposeOptimizer);
      this.fitOptimizers = [];
    }
    return this.history;
  }
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): void {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k]))))).dataSync()[0]);
  if (norm <= maxNorm || !Number.isFinite(norm)) return;
  const scale = maxNorm / norm;
  for (const k of names) {
    const old = grads[k];
    grads[k] = tf.mul(old, scale);
    old.dispose();
  }
}

/** Mean cross-entropy and accuracy over a dataset, in inference mode. */
export async function evaluateLoss(
  model: tf.LayersModel,
  data: Dataset,
  numClasses: number,
  batchSize = 128,
  forward: ForwardFn = defaultForward,
): Promise<{ loss: number; acc: number }> {
  const source = toSource(data.x);
  const n = source.size;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const idx = range(Math.min(batchSize, n - start)).map((i) => i + start);
    const x = await source.batch(idx, false);
    const labels = tf.tensor1d(idx.map((i) => data.y[i]), 'int32');
    const [l, c] = tf.tidy(() => lossAndCorrect(forward(model, x, false), labels, numClasses));
    lossSum += (await l.data())[0] * idx.length;
    correct += (await c.data())[0];
    tf.dispose([l, c, labels]);
    disposeInput(x);
  }
  return { loss: lossSum / n, acc: correct / n };
}

/** Class probabilities (softmax of the logits), row-major n × numClasses. */
export async function predictProba(
  model: tf.LayersModel,
  x: Dataset['x'],
  options: { batchSize?: number; forward?: ForwardFn } = {},
): Promise<Float32Array> {
  const source = toSource(x);
  const n = source.size;
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batch size must be a positive integer, got ${batchSize}`);
  const forward = options.forward ?? defaultForward;
  const shape = model.outputs[0].shape;
  const c = shape[shape.length - 1] as number;
  const out = new Float32Array(n * c);
  for (let start = 0; start < n; start += batchSize) {
    const idx = range(Math.min(batchSize, n - start)).map((i) => i + start);
    const input = await source.batch(idx, false);
    const probs = tf.tidy(() => tf.softmax(forward(model, input, false)));
    out.set(await probs.data(), start * c);
    probs.dispose();
    disposeInput(input);
  }
  return out;
}
