/**
 * The transfer-learning strategies, each a few lines over the learner:
 *   feature-extract  body frozen, features cached once, only the head trains;
 *   fine-tune-top    frozen up to a layer group or layer, the rest trains (boundary activations cached);
 *   fine-tune-all    everything trains from the pretrained weights;
 *   fine-tune        fastai's recipe: head warm-up with the body frozen, then
 *                    unfreeze and train all with lower rates for earlier groups.
 */
import type { History } from '../src/training/events.js';
import type { LrSchedule } from '../src/training/schedules.js';
import { InvalidArgumentError } from '../src/errors.js';
import type { ImageLearner, LearnerFitOptions } from './learner.js';

export const STRATEGY_NAMES = ['feature-extract', 'fine-tune-top', 'fine-tune-all', 'fine-tune'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** The schedule without one given: a constant rate. */
const CONSTANT_SCHEDULE: LrSchedule = Object.freeze({ type: 'constant' });
/** fine-tune's schedule without one given, in both phases: one-cycle (fastai's fine_tune runs fit_one_cycle twice). */
export const FINE_TUNE_SCHEDULE: LrSchedule = Object.freeze({ type: 'one-cycle' });

export interface StrategyOptions {
  epochs: number;
  learningRate: number;
  /** fine-tune-top: last frozen layer group or layer. Default: all groups but the last. */
  freezeUntil?: string;
  /** fine-tune: epochs of head warm-up. Default 1. */
  freezeEpochs?: number;
  /** fine-tune: ratio of the head's rate to the first group's. Default 100. */
  lrMult?: number;
  fit: LearnerFitOptions;
}

export interface StrategyInfo {
  name: StrategyName;
  description: string;
  /** Learning rate used when none is given. */
  defaultLearningRate: number;
  /** Names of the training phases, in order, when there are several (one History each). */
  phases?: readonly string[];
  /**
   * The learning-rate schedule of every phase when the fit options give none (`fit.schedule` replaces
   * it in every phase): `{ type: 'constant' }`, and fastai's one-cycle for 'fine-tune' (`FINE_TUNE_SCHEDULE`).
   */
  defaultSchedule: LrSchedule;
  run(learner: ImageLearner, options: StrategyOptions): Promise<History[]>;
}

const featureExtract: StrategyInfo = {
  name: 'feature-extract',
  description: 'whole body frozen; body features computed once per image (and augmentation round) and cached; only the head trains',
  defaultLearningRate: 1e-3,
  defaultSchedule: CONSTANT_SCHEDULE,
  async run(learner, o) {
    learner.freeze();
    return [await learner.fit(o.epochs, { ...o.fit, learningRate: o.learningRate })];
  },
};

const fineTuneTop: StrategyInfo = {
  name: 'fine-tune-top',
  description: 'frozen up to a layer group or layer (--freeze-until); the rest of the body and the head train on cached boundary activations',
  defaultLearningRate: 1e-4,
  defaultSchedule: CONSTANT_SCHEDULE,
  async run(learner, o) {
    const groups = learner.backbone.groups;
    const until = o.freezeUntil ?? groups[groups.length - 2]?.name;
    if (!until) throw new InvalidArgumentError(`${learner.backbone.name} has a single layer group; pass --freeze-until <layer>`);
    learner.freezeTo(until);
    return [await learner.fit(o.epochs, { ...o.fit, learningRate: o.learningRate })];
  },
};

const fineTuneAll: StrategyInfo = {
  name: 'fine-tune-all',
  description: 'every layer trains from the pretrained weights',
  defaultLearningRate: 1e-4,
  defaultSchedule: CONSTANT_SCHEDULE,
  async run(learner, o) {
    learner.unfreeze();
    return [await learner.fit(o.epochs, { ...o.fit, learningRate: o.learningRate })];
  },
};

const fineTune: StrategyInfo = {
  name: 'fine-tune',
  description: 'head warm-up with the body frozen (--freeze-epochs), then unfreeze and train everything with lower rates for earlier layer groups',
  defaultLearningRate: 2e-3,
  phases: ['head', 'fine-tune'],
  defaultSchedule: FINE_TUNE_SCHEDULE,
  async run(learner, o) {
    const schedule = o.fit.schedule ?? FINE_TUNE_SCHEDULE;
    learner.freeze();
    const warm = await learner.fit(o.freezeEpochs ?? 1, { ...o.fit, learningRate: o.learningRate, schedule });
    // Ctrl-C during the warm-up ends the run: keep the warmed-up head, do not unfreeze.
    if (warm.stopReason === 'interrupted') return [warm];
    learner.unfreeze();
    const all = await learner.fit(o.epochs, {
      ...o.fit,
      learningRate: o.learningRate / 2,
      lrMult: o.lrMult ?? 100,
      schedule,
    });
    return [warm, all];
  },
};

export const STRATEGIES: Record<StrategyName, StrategyInfo> = {
  'feature-extract': featureExtract,
  'fine-tune-top': fineTuneTop,
  'fine-tune-all': fineTuneAll,
  'fine-tune': fineTune,
};

export function getStrategy(name: string): StrategyInfo {
  const s = (STRATEGIES as Record<string, StrategyInfo>)[name];
  if (!s) throw new InvalidArgumentError(`unknown strategy '${name}'`, { hint: `use one of: ${STRATEGY_NAMES.join(', ')}` });
  return s;
}
