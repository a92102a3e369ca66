/**
 * Freezing. `freezeThrough(model, layer)` makes every layer up to and including
 * `layer` non-trainable and every later one trainable; `unfreezeAll` trains
 * everything. BatchNorm layers are patched once so they normalise with their
 * moving statistics (inference mode) whenever they are frozen — and, unless
 * `trainBatchNorm` is set, also when trainable (the usual advice when
 * fine-tuning on small batches) — whatever `training` flag the caller passes.
 * tfjs-layers would otherwise use batch statistics for every call with
 * training=true, regardless of `trainable`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../src/errors.js';

interface BatchNormState {
  trainBatchNorm: boolean;
}

const patched = new WeakMap<tf.layers.Layer, BatchNormState>();

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Patch every BatchNormalization layer of `model` (idempotent); returns how many there are. */
export function setBatchNormPolicy(model: tf.LayersModel, options: { trainBatchNorm: boolean }): number {
  let count = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    count++;
    const state = patched.get(layer);
    if (state) {
      state.trainBatchNorm = options.trainBatchNorm;
      continue;
    }
    const own: BatchNormState = { trainBatchNorm: options.trainBatchNorm };
    patched.set(layer, own);
    const target = layer as unknown as { call: CallFn };
    const original = target.call.bind(layer);
    target.call = (inputs, kwargs) => original(inputs, { ...kwargs, training: Boolean(kwargs?.training) && layer.trainable && own.trainBatchNorm });
  }
  return count;
}

/** Freeze every layer up to and including `through`; the rest train. Returns the number of frozen layers. */
export function freezeThrough(model: tf.LayersModel, through: string): number {
  const index = model.layers.findIndex((l) => l.name === through);
  if (index < 0) throw new InvalidArgumentError(`cannot freeze through '${through}': no such layer`);
  model.layers.forEach((layer, i) => {
    layer.trainable = i > index;
  });
  return index + 1;
}

export function unfreezeAll(model: tf.LayersModel): void {
  for (const layer of model.layers) layer.trainable = true;
}

/** The last frozen layer when the frozen layers form a prefix of the model, else undefined (nothing frozen). */
export function frozenPrefixEnd(model: tf.LayersModel): string | undefined {
  let end: string | undefined;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer.trainable) break;
    end = layer.name;
  }
  return end;
}
