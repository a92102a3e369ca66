/**
 * Heads: small networks that turn feature vectors into class logits. A head is
 * described by a JSON-serialisable spec (stored in model bundles) and built as a
 * tfjs-layers model that outputs logits (softmax is applied at prediction time).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

export interface LinearHeadSpec {
  type: 'linear';
  /** Dropout applied to the input features. Default 0. */
  dropout?: number;
  /** L2 penalty on the weights. Default 0. */
  l2?: number;
}

export interface MlpHeadSpec {
  type: 'mlp';
  /** Hidden layer sizes. Default [256]. */
  hidden?: number[];
  /** Dropout after each hidden layer (and on the input when `inputDropout`). Default 0.2. */
  dropout?: number;
  /** Default 'relu'. */
  activation?: 'relu' | 'gelu' | 'tanh' | 'elu';
  /** Batch normalisation after each hidden layer. Default false. */
  batchNorm?: boolean;
  /** L2 penalty on the weights. Default 0. */
  l2?: number;
}

export type HeadSpec = LinearHeadSpec | MlpHeadSpec;

export interface HeadBuildOptions {
  inputDim: number;
  numClasses: number;
  /** Seed for the initial weights. Default 0. */
  seed?: number;
  /** Layer-name prefix. Default 'head'. */
  name?: string;
}

/**
 * A dropout layer whose mask is reproducible from `seed` and new at every step. tfjs draws the mask
 * with the layer's `seed` each call, so a fixed seed drops the same units every step (a fixed
 * sub-network, not dropout); here each call reads the next seed of a sequence that starts at `seed`.
 */
function seededDropout(rate: number, seed: number, name: string): tf.layers.Layer {
  const layer = tf.layers.dropout({ rate, seed, name });
  let calls = 0;
  Object.defineProperty(layer, 'seed', { get: () => seed + 1_000_003 * calls++, configurable: true });
  return layer;
}

/** Parse a short CLI form: "linear", "mlp", "mlp:512", "mlp:512,128". */
export function parseHeadSpec(text: string, dropout?: number): HeadSpec {
  const [type, sizes] = text.split(':');
  if (type === 'linear' && sizes !== undefined) throw new InvalidArgumentError(`a linear head has no hidden sizes: '${text}'`, { hint: 'write linear, or mlp:SIZES for hidden layers' });
  if (dropout !== undefined) checkDropout(dropout);
  if (type === 'linear') return { type: 'linear', dropout: dropout ?? 0 };
  if (type === 'mlp') {
    const hidden = sizes ? sizes.split(',').map(Number) : [256];
    if (hidden.some((h) => !Number.isInteger(h) || h < 1)) {
      throw new InvalidArgumentError(`bad hidden sizes in head '${text}'`, { hint: 'write e.g. mlp:256 or mlp:512,128' });
    }
    return { type: 'mlp', hidden, dropout: dropout ?? 0.2 };
  }
  throw new InvalidArgumentError(`unknown head '${text}'`, { hint: "use 'linear' or 'mlp[:sizes]'" });
}

/** The layers of a head, to stack on any symbolic input (used for whole models too). */
export function headLayers(spec: HeadSpec, options: HeadBuildOptions): tf.layers.Layer[] {
  const { numClasses, seed = 0, name = 'head' } = options;
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new InvalidArgumentError(`a classifier head needs at least 2 classes, got ${numClasses}`);
  }
  checkHeadSpec(spec);
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed + i });
  const reg = (l2?: number) => (l2 ? tf.regularizers.l2({ l2 }) : undefined);
  const layers: tf.layers.Layer[] = [];
  if (spec.type === 'linear') {
    if (spec.dropout) layers.push(seededDropout(spec.dropout, seed, `${name}_dropout`));
  } else {
    const hidden = spec.hidden ?? [256];
    const dropout = spec.dropout ?? 0.2;
    hidden.forEach((units, i) => {
      layers.push(
        tf.layers.dense({
          units,
          activation: spec.activation ?? 'relu',
          kernelInitializer: init(i + 1),
          kernelRegularizer: reg(spec.l2),
          name: `${name}_dense${i}`,
        }),
      );
      if (spec.batchNorm) layers.push(tf.layers.batchNormalization({ name: `${name}_bn${i}` }));
      if (dropout) layers.push(seededDropout(dropout, seed + i, `${name}_dropout${i}`));
    });
  }
  layers.push(
    tf.layers.dense({ units: numClasses, kernelInitializer: init(0), kernelRegularizer: reg(spec.l2), name: `${name}_logits` }),
  );
  return layers;
}

const ACTIVATIONS = ['relu', 'gelu', 'tanh', 'elu'] as const;

function checkDropout(rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new InvalidArgumentError(`dropout must be in [0, 1), got ${rate}`);
}

/** Throw a typed error for a spec tfjs would refuse with its own message, or build silently wrong. */
export function checkHeadSpec(spec: HeadSpec): void {
  const type = (spec as { type?: unknown }).type;
  if (type !== 'linear' && type !== 'mlp') throw new InvalidArgumentError(`unknown head type '${String(type)}'`, { hint: "use 'linear' or 'mlp'" });
  if (spec.dropout !== undefined) checkDropout(spec.dropout);
  if (spec.l2 !== undefined && !(spec.l2 >= 0 && Number.isFinite(spec.l2))) throw new InvalidArgumentError(`l2 must be a finite number ≥ 0, got ${spec.l2}`);
  if (spec.type === 'mlp') {
    if (spec.hidden !== undefined && (!Array.isArray(spec.hidden) || spec.hidden.length === 0 || spec.hidden.some((h) => !Number.isInteger(h) || h < 1))) {
      throw new InvalidArgumentError(`hidden sizes must be whole numbers ≥ 1, got ${JSON.stringify(spec.hidden)}`);
    }
    if (spec.activation !== undefined && !ACTIVATIONS.includes(spec.activation)) throw new InvalidArgumentError(`unknown activation '${String(spec.activation)}'`, { hint: `use one of ${ACTIVATIONS.join(', ')}` });
  }
}

/** A standalone head model: [batch, inputDim] → [batch, numClasses] logits. */
export function buildHead(spec: HeadSpec, options: HeadBuildOptions): tf.Sequential {
  if (!Number.isInteger(options.inputDim) || options.inputDim < 1) throw new InvalidArgumentError(`inputDim must be a whole number ≥ 1, got ${options.inputDim}`);
  const model = tf.sequential({ name: options.name ?? 'head' });
  const layers = headLayers(spec, options);
  model.add(tf.layers.inputLayer({ inputShape: [options.inputDim], name: `${options.name ?? 'head'}_input` }));
  for (const layer of layers) model.add(layer);
  return model;
}
