/**
 * The engine behind the vision strategies, kept behind one small interface so
 * a faster one can replace it: one that runs frozen bodies on another inference
 * runtime, or trains convolutions without native TensorFlow.
 *
 * The default engine computes with tfjs on whatever backend `initEngine()`
 * chose. On wasm it bridges the gradient kernels wasm lacks (JS kernels, or the cpu backend's),
 * replaces the BatchNorm gradient with one that does not tile (./batchnorm-grad.ts), and the
 * ClipByValue gradient (ReLU6) with one pass instead of four kernels (./clip-grad.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { bridgedKernels, installGradientBridge } from './gradient-bridge.js';
import { installBatchNormGradient } from './batchnorm-grad.js';
import { installClipGradient } from './clip-grad.js';

export interface TrainingSupport {
  backend: string;
  /** Kernels emulated (slower than native) to make training possible. */
  emulatedKernels: string[];
}

export interface VisionEngine {
  readonly name: string;
  /** Run a frozen (inference-mode) model on a batch; returns its output, row-major. */
  runFrozen(model: tf.LayersModel, batch: tf.Tensor): Promise<Float32Array>;
  /** Make sure gradients of convolutional layers can be computed on the active backend. */
  prepareTraining(): TrainingSupport;
}

/** tfjs on the active backend; wasm gets its missing gradient kernels bridged to cpu. */
export class TfjsEngine implements VisionEngine {
  readonly name = 'tfjs';

  async runFrozen(model: tf.LayersModel, batch: tf.Tensor): Promise<Float32Array> {
    const out = model.predict(batch) as tf.Tensor;
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return data;
  }

  prepareTraining(): TrainingSupport {
    const backend = tf.getBackend();
    if (backend !== 'wasm') return { backend, emulatedKernels: [] };
    installGradientBridge(backend);
    installBatchNormGradient(backend);
    installClipGradient(backend);
    // Every bridged kernel, whoever installed it (installGradientBridge only reports what that call added).
    return { backend, emulatedKernels: bridgedKernels() };
  }
}

let current: VisionEngine = new TfjsEngine();

/** The engine the strategies use. */
export function visionEngine(): VisionEngine {
  return current;
}

/** Replace the engine (returns the previous one). */
export function setVisionEngine(engine: VisionEngine): VisionEngine {
  const previous = current;
  current = engine;
  return previous;
}

export { installGradientBridge, bridgedKernels, bridgePathCounts, BRIDGEABLE_KERNELS } from './gradient-bridge.js';
export { setPointwiseFastPath, pointwiseGradientCounts } from './pointwise-grad.js';
export { installBatchNormGradient, uninstallBatchNormGradient, batchNormGradientBackends } from './batchnorm-grad.js';
export { installClipGradient, uninstallClipGradient, clipGradientCalls } from './clip-grad.js';
