import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/random.js';
import { batchNormGradientBackends, installBatchNormGradient, installGradientBridge, uninstallBatchNormGradient } from '../../vision/engine/index.js';
import { setBatchNormPolicy } from '../../vision/freeze.js';

/**
 * The wasm BatchNorm gradient (vision/engine/batchnorm-grad.ts) against tfjs's
 * own gradient on the cpu backend, and against tfjs's own gradient on wasm
 * (where the numbers must be the same bit for bit).
 */
let original = 'cpu';
beforeAll(async () => {
  const info = await initEngine();
  original = tf.getBackend();
  if (info.backend !== 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  installGradientBridge('wasm'); // the convolution gradients of the small network below
  installBatchNormGradient('wasm');
});
afterAll(async () => {
  await tf.setBackend(original);
});

const TOLERANCE = 1e-5;

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** max |a − b| divided by max |b| (at least 1e-6). */
function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

interface Case {
  name: string;
  xShape: number[];
  /** Which inputs to differentiate: inference mode has constant mean and variance. */
  wrt: ('x' | 'mean' | 'variance' | 'scale' | 'offset')[];
  epsilon?: number;
}

// (No case without scale: tfjs 4.22 itself fails to record tf.batchNorm without scale for
// backprop, on every backend, before any gradient runs.)
const CASES: Case[] = [
  { name: 'inference mode (moving statistics), batch 3, 5×7, 6 channels', xShape: [3, 5, 7, 6], wrt: ['x', 'scale', 'offset'] },
  { name: 'statistics as inputs too, batch 2, 4×9, 5 channels', xShape: [2, 4, 9, 5], wrt: ['x', 'mean', 'variance', 'scale', 'offset'] },
  { name: 'rank 2 (a dense layer), batch 5, 7 features', xShape: [5, 7], wrt: ['x', 'mean', 'variance', 'scale', 'offset'], epsilon: 1e-5 },
];

/** Gradients of sum(batchNorm(...) · r) on one backend. */
async function batchNormGrads(backend: string, c: Case): Promise<Record<string, Float32Array>> {
  await tf.setBackend(backend);
  const channels = c.xShape[c.xShape.length - 1];
  const size = c.xShape.reduce((a, b) => a * b, 1);
  const values = {
    x: tf.tensor(rand(size, 1, -2, 3), c.xShape),
    mean: tf.tensor1d(rand(channels, 2)),
    variance: tf.tensor1d(rand(channels, 3, 0.05, 2)),
    scale: tf.tensor1d(rand(channels, 4, 0.5, 1.5)),
    offset: tf.tensor1d(rand(channels, 5)),
  };
  const r = tf.tensor(rand(size, 6), c.xShape);
  const f = (...args: tf.Tensor[]) => {
    const v: Record<string, tf.Tensor> = { ...values };
    c.wrt.forEach((name, i) => (v[name] = args[i]));
    const y = tf.batchNorm(v.x, v.mean, v.variance, v.offset, v.scale, c.epsilon ?? 1e-3);
    return tf.sum(tf.mul(y, r));
  };
  const gs = tf.grads(f)(c.wrt.map((n) => values[n]));
  const out: Record<string, Float32Array> = {};
  for (let i = 0; i < c.wrt.length; i++) out[c.wrt[i]] = (await gs[i].data()) as Float32Array;
  tf.dispose([...Object.values(values), r, ...gs]);
  return out;
}

describe('wasm BatchNorm gradient', () => {
  it('is installed for wasm only', () => {
    expect(batchNormGradientBackends()).toEqual(['wasm']);
  });

  for (const c of CASES) {
    it(`${c.name}: equals tfjs's gradient on the cpu backend (max abs diff ≤ ${TOLERANCE} × max |gradient|)`, async () => {
      const ref = await batchNormGrads('cpu', c);
      const got = await batchNormGrads('wasm', c);
      for (const name of c.wrt) {
        expect(got[name].length, name).toBe(ref[name].length);
        expect(maxRelError(got[name], ref[name]), name).toBeLessThan(TOLERANCE);
      }
    });

    it(`${c.name}: equals tfjs's own (tiling) gradient on wasm bit for bit`, async () => {
      const got = await batchNormGrads('wasm', c);
      uninstallBatchNormGradient();
      try {
        const tiled = await batchNormGrads('wasm', c);
        for (const name of c.wrt) expect(Array.from(got[name]), name).toEqual(Array.from(tiled[name]));
      } finally {
        installBatchNormGradient('wasm');
      }
    });
  }

  it('uses no Tile kernel on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 3, 5, 4]);
    const [m, v, s, o] = [tf.zeros([4]), tf.ones([4]), tf.ones([4]), tf.zeros([4])];
    const prof = await tf.profile(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.batchNorm(a, m, v, o, b)))([x, s]));
    expect(prof.kernels.map((k) => k.name)).not.toContain('Tile');
    tf.dispose([x, m, v, s, o]);
  });

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 3, 5, 4]);
    const [m, v, s, o] = [tf.zeros([4]), tf.ones([4]), tf.ones([4]), tf.zeros([4])];
    const before = tf.memory().numTensors;
    const gs = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor) => tf.sum(tf.batchNorm(a, b, c, e, d)))([x, m, v, s, o]);
    tf.dispose(gs);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, m, v, s, o]);
  });

  /** A BatchNormalization layer with fixed weights, called with `training`, its gradients w.r.t. input, gamma and beta. */
  async function layerGrads(backend: string, training: boolean, policy?: { trainBatchNorm: boolean }) {
    await tf.setBackend(backend);
    const shape = [4, 3, 5, 6];
    const input = tf.input({ shape: shape.slice(1) });
    const bn = tf.layers.batchNormalization({ momentum: 0.9 });
    const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
    if (policy) setBatchNormPolicy(model, policy);
    bn.setWeights([tf.tensor1d(rand(6, 11, 0.5, 1.5)), tf.tensor1d(rand(6, 12)), tf.tensor1d(rand(6, 13)), tf.tensor1d(rand(6, 14, 0.1, 2))]);
    const x = tf.tensor(rand(4 * 3 * 5 * 6, 15, -2, 2), shape);
    const r = tf.tensor(rand(4 * 3 * 5 * 6, 16), shape);
    const vars = bn.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const xv = tf.variable(x);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(xv, { training }) as tf.Tensor, r)) as tf.Scalar, [xv, ...vars]);
    const out = { x: (await grads[xv.name].data()) as Float32Array, gamma: (await grads[vars[0].name].data()) as Float32Array, beta: (await grads[vars[1].name].data()) as Float32Array };
    tf.dispose([x, r, xv, ...Object.values(grads)]);
    model.dispose();
    return out;
  }

  /** Gradients of every weight of a small network (conv → BN → ReLU6 → depthwise → BN → ReLU6 → GAP → dense), batch 3 of 9×7 images. */
  async function networkGrads(backend: string, trainBatchNorm: boolean): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    const input = tf.input({ shape: [9, 7, 3] });
    let h = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU({ maxValue: 6 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU({ maxValue: 6 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h });
    setBatchNormPolicy(model, { trainBatchNorm });
    // Pretrained-like moving statistics.
    for (const [i, layer] of model.layers.filter((l) => l.getClassName() === 'BatchNormalization').entries()) {
      layer.setWeights([tf.tensor1d(rand(8, 20 + i, 0.5, 1.5)), tf.tensor1d(rand(8, 30 + i)), tf.tensor1d(rand(8, 40 + i)), tf.tensor1d(rand(8, 50 + i, 0.1, 2))]);
    }
    const x = tf.tensor4d(rand(3 * 9 * 7 * 3, 60, 0, 1), [3, 9, 7, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 3, 1], 'int32'), 4);
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    const out = vars.map((v) => grads[v.name].dataSync().slice() as Float32Array);
    tf.dispose([x, y, value, ...Object.values(grads)]);
    model.dispose();
    return out;
  }

  for (const trainBatchNorm of [false, true]) {
    it(`a small network with BatchNorm in ${trainBatchNorm ? 'training' : 'inference'} mode: every weight's gradient equals tfjs's on wasm exactly and on cpu within the tolerance`, async () => {
      const ours = await networkGrads('wasm', trainBatchNorm);
      uninstallBatchNormGradient();
      let tiled: Float32Array[];
      try {
        tiled = await networkGrads('wasm', trainBatchNorm);
      } finally {
        installBatchNormGradient('wasm');
      }
      const ref = await networkGrads('cpu', trainBatchNorm);
      expect(ours.length).toBe(8); // conv kernel, 2 × (gamma, beta), depthwise kernel, dense kernel and bias
      ours.forEach((g, i) => {
        expect(Array.from(g), `weight ${i}`).toEqual(Array.from(tiled[i]));
        expect(maxRelError(g, ref[i]), `weight ${i}`).toBeLessThan(TOLERANCE);
      });
    });
  }

  for (const [label, training, policy] of [
    ['training mode (batch statistics)', true, undefined],
    ['inference mode (moving statistics)', false, undefined],
    ['trainable but held in inference mode by setBatchNormPolicy', true, { trainBatchNorm: false }],
  ] as const) {
    it(`a BatchNormalization layer in ${label}, batch 4, 3×5, 6 channels: equals the cpu backend`, async () => {
      const ref = await layerGrads('cpu', training, policy);
      const got = await layerGrads('wasm', training, policy);
      for (const k of ['x', 'gamma', 'beta'] as const) expect(maxRelError(got[k], ref[k]), k).toBeLessThan(TOLERANCE);
    });
  }
});
