/**
 * The image classifier network: backbone body → pooling → a new head for the
 * user's classes (logits). One functional model; the strategies train parts of it.
 */
import * as tf from '@tensorflow/tfjs';
import { headLayers, type HeadSpec } from '../src/heads/head.js';
import { InvalidArgumentError } from '../src/errors.js';
import type { Backbone } from './backbone.js';
import { visionEngine } from './engine/index.js';

/** 'avg': global average pooling (channels features); 'flatten': every position (h × w × channels, the classic VGG16 recipe). */
export type Pooling = 'avg' | 'flatten';

/** Name of the pooling layer: the end of the body, where feature-extract caches. */
export const POOL_LAYER = 'tk_pool';
export const HEAD_PREFIX = 'tk_head';

export interface ClassifierModelOptions {
  numClasses: number;
  /** Default { type: 'linear' }. */
  head?: HeadSpec;
  /** Default 'avg'. */
  pooling?: Pooling;
  /** Seed of the head's initial weights. Default 0. */
  seed?: number;
}

/**
 * The classifier network on `backbone`'s body (its layers are shared: training the model trains the
 * body). The model is ready to train with tfjs's own `model.fit` or a `Trainer` too: this prepares the
 * vision engine for training (`visionEngine().prepareTraining()`: on wasm it registers the gradient
 * kernels wasm lacks, such as Conv2DBackpropFilter; nothing on other backends; done once per process),
 * so no separate call is needed.
 */
export function buildClassifierModel(backbone: Backbone, options: ClassifierModelOptions): tf.LayersModel {
  const pooling = options.pooling ?? 'avg';
  if (pooling !== 'avg' && pooling !== 'flatten') throw new InvalidArgumentError(`unknown pooling '${pooling}'`, { hint: "use 'avg' or 'flatten'" });
  const pool = pooling === 'avg' ? tf.layers.globalAveragePooling2d({ name: POOL_LAYER }) : tf.layers.flatten({ name: POOL_LAYER });
  let x = pool.apply(backbone.body.outputs[0]) as tf.SymbolicTensor;
  const dim = x.shape[1] as number;
  for (const layer of headLayers(options.head ?? { type: 'linear' }, { inputDim: dim, numClasses: options.numClasses, seed: options.seed ?? 0, name: HEAD_PREFIX })) {
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  const model = tf.model({ inputs: backbone.body.inputs, outputs: x, name: 'image_classifier' });
  // Whether the body trains is decided later (layer.trainable, or the learner's freeze): prepare for it now.
  visionEngine().prepareTraining();
  return model;
}

/** Number of features the head sees. */
export function pooledDim(model: tf.LayersModel): number {
  return model.getLayer(POOL_LAYER).outputShape[1] as number;
}
