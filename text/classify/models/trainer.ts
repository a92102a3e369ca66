/**
 * The core Trainer as the neural text models use it: the caller's callbacks, early stopping
 * on validation loss (best weights restored) when validation texts are given, class weights,
 * and the fit options of `FitContext` over the model kind's own defaults.
 */
import type * as tf from '@tensorflow/tfjs';
import { EarlyStopping } from '../../../src/training/callbacks/early-stopping.js';
import type { Dataset } from '../../../src/training/data.js';
import { Trainer, type Callback, type ParamGroup } from '../../../src/training/trainer.js';
import type { FitContext } from './model.js';

export interface TextTrainerDefaults {
  epochs: number;
  learningRate: number;
}

export function textTrainer(
  model: tf.LayersModel,
  ctx: FitContext,
  defaults: TextTrainerDefaults,
  options: { validationData?: Dataset; paramGroups?: ParamGroup[] } = {},
): Trainer {
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
    paramGroups,
    callbacks,
  });
}
