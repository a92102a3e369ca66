/**
 * The core Trainer as the neural text models use it: the caller's callbacks, early stopping
 * on validation loss (best weights restored) when validation texts are given, class weights,
 * Ctrl-C handling when the caller opts in, and the fit options of `FitContext` (learning-rate
 * schedule included) over the model kind's own defaults.
 */
import type * as tf from '@tensorflow/tfjs';
import { EarlyStopping } from '../../../src/training/callbacks/early-stopping.js';
import type { Dataset } from '../../../src/training/data.js';
import { Trainer, type Callback, type ParamGroup } from '../../../src/training/trainer.js';
import type { FitContext } from './model.js';
import { checkFitOptions } from '../options.js';

export interface TextTrainerDefaults {
  epochs: number;
  learningRate: number;
}

/** `FitContext` as trainTextClassifier passes it to the neural kinds (its options spread in). */
export interface TextFitContext extends FitContext {
  /** Ctrl-C stops training after the current batch, keeping the weights so far (the core trainer's option). Default false. */
  handleInterrupt?: boolean;
}

export function textTrainer(
  model: tf.LayersModel,
  ctx: TextFitContext,
  defaults: TextTrainerDefaults,
  options: { validationData?: Dataset; paramGroups?: ParamGroup[] } = {},
): Trainer {
  checkFitOptions(ctx);
  const callbacks: Callback[] = [...(ctx.callbacks ?? [])];
  const { validationData, paramGroups } = options;
  if (validationData) callbacks.push(new EarlyStopping({ monitor: 'val_loss', patience: ctx.patience ?? 3, restoreBestWeights: true }));
  return new Trainer(model, {
    epochs: ctx.epochs ?? defaults.epochs,
    batchSize: ctx.batchSize ?? 32,
    learningRate: ctx.learningRate ?? defaults.learningRate,
    seed: ctx.seed,
    validationData,
    classWeights: ctx.classWeights === 'balanced' ? 'balanced' : undefined,
    schedule: ctx.schedule,
    paramGroups,
    callbacks,
    handleInterrupt: ctx.handleInterrupt ?? false,
  });
}
