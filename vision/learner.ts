/**
 * The learner: a classifier network, its data, and what is frozen. freeze(),
 * freezeTo(group) and unfreeze() are the only way to change what trains, and
 * they take care of what follows (fastai-style): the trainable sub-model is
 * rebuilt, param groups recomputed, stale activation caches dropped, a model
 * compiled with tfjs's own `compile` recompiled.
 *
 * Whenever a prefix of the network is frozen, its activations at the boundary
 * are computed once (per augmentation round) and cached, and each epoch only
 * runs the trainable suffix. With the whole body frozen that is classic
 * feature extraction.
 */
import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../src/errors.js';
import type { History } from '../src/training/events.js';
import { Trainer, predictProba, type Callback, type FitOptions, type ParamGroup } from '../src/training/trainer.js';
import type { Dataset } from '../src/training/data.js';
import type { Progress } from '../src/progress.js';
import { resolveAugment, type AugmentOptions, type ResolvedAugment } from './augment.js';
import { freezesWholeBody, resolveFreezePoint, type Backbone } from './backbone.js';
import { visionEngine, type TrainingSupport } from './engine/index.js';
import { ActivationCache } from './feature-cache.js';
import { freezeThrough, frozenPrefixEnd, setBatchNormPolicy, unfreezeAll } from './freeze.js';
import { layerPositions, prefixModel, suffixModel } from './graph.js';
import { ActivationSource, ImageBatchSource, type ImageSet } from './image-source.js';
import { POOL_LAYER } from './model.js';

export interface LearnerOptions {
  /** Augment training images (random resized crop, flip, brightness/contrast). Default false. */
  augment?: boolean | AugmentOptions;
  /** Augmented versions of each image cached when a prefix is frozen; epoch e uses round e mod this. Default 4. */
  augmentRounds?: number;
  /** Let trainable BatchNorm layers of the body use batch statistics while training. Default false (always moving statistics). BatchNorm in the head always trains. */
  trainBatchNorm?: boolean;
  /** Seed for augmentation and shuffling. Default 0. */
  seed?: number;
  /** Images per pass through the frozen prefix (activation caches) and per validation pass through the whole network. Default 32. */
  extractBatchSize?: number;
  /** Progress of activation passes. */
  progress?: Progress;
}

export interface LearnerFitOptions extends Omit<FitOptions, 'epochs' | 'paramGroups' | 'validationData' | 'validationSplit' | 'forward'> {
  /**
   * Discriminative learning rates: the first layer group trains at
   * learningRate / lrMult, later groups geometrically closer to learningRate,
   * the head at learningRate. Default 1 (one rate).
   */
  lrMult?: number;
}

/** Refuse learner options that are not usable, or that would be ignored (augmentRounds without augment). */
function checkLearnerOptions(options: LearnerOptions): void {
  for (const [name, v] of [['augmentRounds', options.augmentRounds], ['extractBatchSize', options.extractBatchSize]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
  }
  if (options.augmentRounds !== undefined && !options.augment) {
    throw new InvalidArgumentError('augmentRounds applies only with augment (it is the number of augmented copies cached per image)', { hint: 'pass augment: true, or leave augmentRounds out' });
  }
}

interface BoundaryCaches {
  train: ActivationCache;
  valid?: ActivationCache;
  suffix: tf.LayersModel;
}

export class ImageLearner {
  private readonly augment?: ResolvedAugment;
  private readonly caches = new Map<string, BoundaryCaches>();
  private readonly positions: Map<string, number>;
  private roundCounter = 0;
  /** Extraction work of caches already dropped. */
  private readonly retired = { seconds: 0, images: 0, passes: 0 };
  /** What the engine had to emulate for the last fit with trainable convolutions. */
  trainingSupport?: TrainingSupport;

  constructor(
    readonly backbone: Backbone,
    /** The full classifier (body → pooling → head); trained in place. */
    readonly model: tf.LayersModel,
    readonly data: { train: ImageSet; valid?: ImageSet },
    readonly options: LearnerOptions = {},
  ) {
    checkLearnerOptions(options);
    this.augment = resolveAugment(options.augment);
    this.positions = layerPositions(model);
    // The policy is for the pretrained body only: BatchNorm in a new head starts from
    // placeholder statistics and must learn them, so it trains like any new layer.
    setBatchNormPolicy(backbone.body, { trainBatchNorm: options.trainBatchNorm ?? false });
    this.freeze();
  }

  /** Freeze the whole body (train the head only). */
  freeze(): this {
    return this.setFrozen(POOL_LAYER);
  }

  /** Freeze up to and including a layer group (by name) or a layer; what follows trains. */
  freezeTo(groupOrLayer: string): this {
    if (groupOrLayer === POOL_LAYER || groupOrLayer === 'body') return this.freeze();
    const layer = resolveFreezePoint(this.backbone, groupOrLayer);
    // Through the body's last layer (or last group) is the whole body: feature extraction, on pooled features.
    return freezesWholeBody(this.backbone, layer) ? this.freeze() : this.setFrozen(layer);
  }

  /** Train everything. */
  unfreeze(): this {
    unfreezeAll(this.model);
    this.afterFreezeChange();
    return this;
  }

  /** Last frozen layer (undefined when nothing is frozen). */
  get frozenThrough(): string | undefined {
    return frozenPrefixEnd(this.model);
  }

  private setFrozen(layer: string): this {
    freezeThrough(this.model, layer);
    this.afterFreezeChange();
    return this;
  }

  private afterFreezeChange(): void {
    // A model compiled with tfjs's own compile() captured its trainable weights: compile it again.
    const m = this.model as tf.LayersModel & { optimizer?: tf.Optimizer; loss?: string | string[] };
    if (m.optimizer && m.loss) m.compile({ optimizer: m.optimizer, loss: m.loss });
  }

  /** Whether any layer of the body trains with the model frozen through `boundary`. */
  private bodyTrains(boundary: string | undefined): boolean {
    if (!boundary) return true;
    const bodyLayers = this.backbone.body.layers;
    return this.positions.get(boundary)! < this.positions.get(bodyLayers[bodyLayers.length - 1].name)!;
  }

  /** Total seconds and images spent computing frozen activations so far. */
  get extractionStats(): { seconds: number; images: number; passes: number } {
    let { seconds, images, passes } = this.retired;
    for (const c of this.caches.values()) {
      for (const a of [c.train, c.valid]) {
        if (!a) continue;
        seconds += a.stats.seconds;
        images += a.stats.images;
        passes += a.stats.passes;
      }
    }
    return { seconds, images, passes };
  }

  private cachesAt(boundary: string): BoundaryCaches {
    let c = this.caches.get(boundary);
    if (!c) {
      const prefix = prefixModel(this.model, boundary);
      const common = { seed: this.options.seed, batchSize: this.options.extractBatchSize, progress: this.options.progress };
      c = {
        train: new ActivationCache(prefix, boundary, this.data.train.images, this.backbone.preprocessing, { ...common, augment: this.augment, label: 'features (train)' }),
        valid: this.data.valid ? new ActivationCache(prefix, boundary, this.data.valid.images, this.backbone.preprocessing, { ...common, label: 'features (validation)' }) : undefined,
        suffix: suffixModel(this.model, boundary),
      };
      this.caches.set(boundary, c);
    }
    return c;
  }

  /** Variables in trainable layers, grouped by layer group, with discriminative multipliers. */
  paramGroups(model: tf.LayersModel, lrMult = 1): ParamGroup[] {
    const groupOf = new Map<string, number>();
    const bodyLayers = this.backbone.body.layers;
    this.backbone.groups.forEach((g, gi) => {
      for (let i = g.first; i <= g.last; i++) groupOf.set(bodyLayers[i].name, gi);
    });
    const k = this.backbone.groups.length + 1;
    const vars: tf.LayerVariable[][] = Array.from({ length: k }, () => []);
    for (const layer of model.layers) vars[groupOf.get(layer.name) ?? k - 1].push(...layer.trainableWeights);
    if (!(lrMult >= 1)) throw new InvalidArgumentError(`lrMult must be ≥ 1, got ${lrMult}`);
    if (lrMult === 1) return [{ variables: vars.flat(), lrMultiplier: 1 }];
    return vars
      .map((variables, i) => ({ variables, lrMultiplier: Math.pow(lrMult, -(k - 1 - i) / (k - 1)) }))
      .filter((g) => g.variables.length > 0);
  }

  /** Train what is not frozen for `epochs` epochs. */
  async fit(epochs: number, options: LearnerFitOptions = {}): Promise<History> {
    const { lrMult, callbacks = [], ...fit } = options;
    const boundary = this.frozenThrough;
    const rounds = this.augment ? (this.options.augmentRounds ?? 4) : 0;
    let trainModel: tf.LayersModel;
    let x: Dataset['x'];
    let validation: Dataset | undefined;
    const extra: Callback[] = [];
    if (boundary) {
      const caches = this.cachesAt(boundary);
      trainModel = caches.suffix;
      const pickRound = () => (rounds ? this.roundCounter++ % rounds : -1);
      const first = pickRound();
      await caches.train.ensure(first);
      const source = new ActivationSource(caches.train.size, caches.train.shape, (r) => caches.train.get(r));
      source.round = first;
      let epochsSeen = 0;
      extra.push({
        onEvent: async (event) => {
          if (event.type !== 'epochBegin') return;
          if (epochsSeen++ === 0) return;
          const r = pickRound();
          await caches.train.ensure(r);
          source.round = r;
        },
      });
      x = source;
      if (caches.valid) {
        const valid = caches.valid;
        await valid.ensure(-1);
        validation = { x: new ActivationSource(valid.size, valid.shape, () => valid.get(-1)), y: this.data.valid!.y };
      }
    } else {
      trainModel = this.model;
      x = new ImageBatchSource(this.data.train.images, this.backbone.preprocessing, this.augment, this.options.seed ?? 0);
      if (this.data.valid) validation = { x: new ImageBatchSource(this.data.valid.images, this.backbone.preprocessing), y: this.data.valid.y };
    }
    // Gradient kernels matter only when a layer of the body trains (not when only the pooling and head do).
    if (this.bodyTrains(boundary)) {
      this.trainingSupport = visionEngine().prepareTraining();
      // The body shares its layers with the model: once a step has run, the backbone is no longer its source.
      const backbone = this.backbone;
      extra.push({ onEvent: (event) => void (event.type === 'batchEnd' && backbone.markBodyTrained()) });
    }
    const trainer = new Trainer(trainModel, {
      seed: this.options.seed,
      // Validation batches through body layers (whole images, or activations before the pool): no bigger than an extraction pass.
      ...(boundary === POOL_LAYER ? {} : { evalBatchSize: this.options.extractBatchSize ?? 32 }),
      ...fit,
      epochs,
      paramGroups: this.paramGroups(trainModel, lrMult ?? 1),
      validationData: validation,
      callbacks: [...extra, ...callbacks],
    });
    try {
      return await trainer.fit({ x, y: this.data.train.y });
    } finally {
      this.dropStaleCaches(boundary);
    }
  }

  /** After training with `boundary` frozen, caches cut after it hold activations of changed weights. */
  private dropStaleCaches(boundary: string | undefined): void {
    const trainedFrom = boundary ? this.positions.get(boundary)! + 1 : 0;
    for (const [name, c] of this.caches) {
      if (this.positions.get(name)! >= trainedFrom) {
        for (const a of [c.train, c.valid]) {
          if (!a) continue;
          this.retired.seconds += a.stats.seconds;
          this.retired.images += a.stats.images;
          this.retired.passes += a.stats.passes;
        }
        c.train.clear();
        c.valid?.clear();
        this.caches.delete(name);
      }
    }
  }

  /** Class probabilities on the validation set (through cached activations when a prefix is frozen). */
  async validationProbabilities(): Promise<Float32Array | undefined> {
    if (!this.data.valid) return undefined;
    const boundary = this.frozenThrough;
    if (boundary) {
      const c = this.cachesAt(boundary);
      const valid = c.valid!;
      await valid.ensure(-1);
      const batchSize = boundary === POOL_LAYER ? undefined : this.options.extractBatchSize ?? 32;
      return predictProba(c.suffix, new ActivationSource(valid.size, valid.shape, () => valid.get(-1)), { batchSize });
    }
    return predictProba(this.model, new ImageBatchSource(this.data.valid.images, this.backbone.preprocessing), { batchSize: this.options.extractBatchSize ?? 32 });
  }
}
