import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/random.js';
import { clipGradient, clipGradientCalls, installClipGradient, uninstallClipGradient } from '../../vision/engine/clip-grad.js';

/**
 * The one-pass ClipByValue gradient on wasm (vision/engine/clip-grad.ts) against tfjs's own
 * gradient on the cpu backend: the same numbers, bit for bit, boundaries and NaN included.
 */
let original = 'cpu';
beforeAll(async () => {
  const info = await initEngine();
  original = tf.getBackend();
  if (info.backend !== 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  installClipGradient('wasm');
});
afterAll(async () => {
  uninstallClipGradient();
  await tf.setBackend(original);
});

/** x with values at and around the clip bounds, NaN and infinities. */
function inputs(n: number, seed: number): { x: Float32Array; dy: Float32Array } {
  const rng = new Rng(seed);
  const special = [0, 6, -0, 5.999999, 6.000001, -1e-30, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const x = Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[i]! : -3 + 12 * rng.next()));
  const dy = Float32Array.from({ length: n }, () => -1 + 2 * rng.next());
  return { x, dy };
}

async function gradientOn(backend: string, x: Float32Array, dy: Float32Array, shape: number[], min: number, max: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  const g = tf.tidy(() => {
    const xt = tf.tensor(x, shape);
    const dyt = tf.tensor(dy, shape);
    return tf.grad((t: tf.Tensor) => tf.clipByValue(t, min, max))(xt, dyt);
  });
  const out = (await g.data()) as Float32Array;
  g.dispose();
  return out;
}

describe('the one-pass ClipByValue gradient', () => {
  it('equals tfjs\'s gradient (cpu) bit for bit, bounds, NaN and infinities included', async () => {
    for (const [shape, min, max] of [[[2, 5, 5, 8], 0, 6], [[3, 7], -1, 1], [[64], -2.5, 3]] as const) {
      const n = shape.reduce((a, b) => a * b, 1);
      const { x, dy } = inputs(n, n);
      const before = clipGradientCalls();
      const ours = await gradientOn('wasm', x, dy, [...shape], min, max);
      expect(clipGradientCalls()).toBe(before + 1);
      const reference = await gradientOn('cpu', x, dy, [...shape], min, max);
      expect(Buffer.from(ours.buffer).equals(Buffer.from(reference.buffer))).toBe(true);
    }
  });

  it('the kernel passes dy through inside [min, max] only', () => {
    const out = clipGradient(Float32Array.from([1, 2, 3, 4, 5]), Float32Array.from([-1, 0, 3, 6, Number.NaN]), 0, 6);
    expect(Array.from(out)).toEqual([0, 2, 3, 4, 0]);
  });

  it('ReLU6 layers train to the same gradients as with tfjs\'s gradient', async () => {
    await tf.setBackend('wasm');
    const input = tf.input({ shape: [6] });
    const hidden = tf.layers.dense({ units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    const relu6 = tf.layers.reLU({ maxValue: 6 }).apply(hidden) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(relu6) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const x = tf.tensor2d(Array.from({ length: 48 }, (_, i) => 4 * Math.sin(i)), [8, 6]);
    const grads = () => {
      const { grads: g } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
      const values = Object.keys(g).sort().map((k) => Array.from(g[k]!.dataSync()));
      tf.dispose(Object.values(g));
      return values;
    };
    const before = clipGradientCalls();
    const ours = grads();
    expect(clipGradientCalls()).toBe(before + 1); // the layer's clip went through the one-pass kernel
    uninstallClipGradient();
    const theirs = grads();
    installClipGradient('wasm');
    expect(ours).toEqual(theirs);
    tf.dispose([x]);
    model.dispose();
  });
});
