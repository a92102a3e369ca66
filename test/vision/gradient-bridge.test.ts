import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/random.js';
import { installGradientBridge, bridgedKernels, bridgePathCounts, BRIDGEABLE_KERNELS, TfjsEngine, pointwiseGradientCounts } from '../../vision/engine/index.js';

let wasm = false;
beforeAll(async () => {
  const info = await initEngine();
  wasm = info.backend === 'wasm';
  if (!wasm) {
    // The bridge only applies to wasm; load it next to the chosen backend for this comparison.
    await import('@tensorflow/tfjs-backend-wasm');
  }
  installGradientBridge('wasm');
});

function rand(shape: number[], seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

/** Gradients of sum(f(x, w) * r) with respect to x and w, computed on one backend. */
async function grads(backend: string, f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D, xs: number[], ws: number[]) {
  await tf.setBackend(backend);
  const x = tf.tensor4d(rand(xs, 1), xs as [number, number, number, number]);
  const w = tf.tensor4d(rand(ws, 2), ws as [number, number, number, number]);
  const out = f(x, w);
  const r = tf.tensor(rand(out.shape, 3), out.shape);
  out.dispose();
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), r)));
  const [gx, gw] = g([x, w]);
  const result = { gx: await gx.data(), gw: await gw.data() };
  tf.dispose([x, w, r, gx, gw]);
  return result;
}

function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

const cases: { name: string; f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D; xs: number[]; ws: number[] }[] = [];
for (const stride of [1, 2] as const) {
  for (const pad of ['same', 'valid'] as const) {
    cases.push({ name: `conv2d 3×3 stride ${stride} ${pad}`, f: (x, w) => tf.conv2d(x, w, stride, pad), xs: [2, 9, 8, 3], ws: [3, 3, 3, 5] });
    cases.push({ name: `depthwise 3×3 stride ${stride} ${pad}`, f: (x, w) => tf.depthwiseConv2d(x, w, stride, pad), xs: [2, 9, 8, 4], ws: [3, 3, 4, 1] });
  }
}
cases.push({ name: 'conv2d 1×1 stride 1', f: (x, w) => tf.conv2d(x, w, 1, 'same'), xs: [3, 5, 5, 6], ws: [1, 1, 6, 4] });
cases.push({ name: 'depthwise multiplier 2 stride 2 same', f: (x, w) => tf.depthwiseConv2d(x, w, 2, 'same'), xs: [1, 7, 7, 3], ws: [3, 3, 3, 2] });
cases.push({
  name: 'fused conv2d + bias + relu6 stride 2',
  f: (x, w) => tf.fused.conv2d({ x, filter: w, strides: 2, pad: 'same', bias: tf.ones([w.shape[3]]), activation: 'relu6' }),
  xs: [2, 8, 8, 3],
  ws: [3, 3, 3, 4],
});
cases.push({
  name: 'fused depthwise + bias stride 2 valid',
  f: (x, w) => tf.fused.depthwiseConv2d({ x, filter: w, strides: 2, pad: 'valid', bias: tf.ones([w.shape[2]]) }),
  xs: [2, 9, 9, 3],
  ws: [3, 3, 3, 1],
});

/**
 * Pointwise convolutions (1×1, stride 1, no padding) take the matrix-product path (./pointwise-grad.ts)
 * for both dW and dX; everything else keeps the general kernels. Both branches of dW (Ci ≤ Co and Ci > Co),
 * batches > 1, non-square maps.
 */
const pointwiseCases: { name: string; f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D; xs: number[]; ws: number[]; pointwise: boolean }[] = [
  { name: "1×1 stride 1 'same', Ci > Co", f: (x, w) => tf.conv2d(x, w, 1, 'same'), xs: [3, 5, 7, 6], ws: [1, 1, 6, 4], pointwise: true },
  { name: "1×1 stride 1 'valid', Ci < Co", f: (x, w) => tf.conv2d(x, w, 1, 'valid'), xs: [2, 4, 9, 5], ws: [1, 1, 5, 8], pointwise: true },
  { name: "1×1 stride 1 'same', Ci = Co, batch 4", f: (x, w) => tf.conv2d(x, w, 1, 'same'), xs: [4, 3, 5, 16], ws: [1, 1, 16, 16], pointwise: true },
  { name: "1×1 stride 1 'valid', MobileNetV2-like 24 → 144", f: (x, w) => tf.conv2d(x, w, 1, 'valid'), xs: [2, 12, 10, 24], ws: [1, 1, 24, 144], pointwise: true },
  { name: "1×1 stride 1 'valid', 96 → 24 on relu'd input", f: (x, w) => tf.conv2d(tf.relu(x), w, 1, 'valid'), xs: [3, 6, 4, 96], ws: [1, 1, 96, 24], pointwise: true },
  {
    name: 'fused 1×1 + bias (linear), stride 1',
    f: (x, w) => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: tf.ones([w.shape[3]]) }),
    xs: [2, 5, 3, 7],
    ws: [1, 1, 7, 9],
    pointwise: true,
  },
  { name: "3×3 stride 1 'same' (general path)", f: (x, w) => tf.conv2d(x, w, 1, 'same'), xs: [2, 6, 5, 4], ws: [3, 3, 4, 6], pointwise: false },
  { name: "1×1 stride 2 'same' (general path)", f: (x, w) => tf.conv2d(x, w, 2, 'same'), xs: [2, 7, 6, 5], ws: [1, 1, 5, 3], pointwise: false },
  { name: "1×1 stride [1, 2] 'valid' (general path)", f: (x, w) => tf.conv2d(x, w, [1, 2], 'valid'), xs: [2, 5, 8, 4], ws: [1, 1, 4, 6], pointwise: false },
  {
    name: '1×1 stride 1 with explicit padding (general path)',
    f: (x, w) => tf.conv2d(x, w, 1, [[0, 0], [1, 0], [0, 2], [0, 0]]),
    xs: [2, 4, 5, 3],
    ws: [1, 1, 3, 5],
    pointwise: false,
  },
];

/**
 * The input gradient of depthwise convolutions runs the loop-ordered JS kernel (js-kernels.ts) for every
 * configuration that occurs in practice: strides 1, 2 and [1, 2], 'same', 'valid' and explicit padding
 * (MobileNetV2's stride-2 blocks zero-pad, then convolve 'valid'), multipliers 1 and 2, batches > 1,
 * non-square maps, several channels, 3×3 and 5×5 filters, fused with a bias.
 */
const depthwiseInputCases: { name: string; f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D; xs: number[]; ws: number[] }[] = [
  { name: "stride 1 'same', multiplier 1", f: (x, w) => tf.depthwiseConv2d(x, w, 1, 'same'), xs: [3, 9, 7, 5], ws: [3, 3, 5, 1] },
  { name: "stride 1 'valid', multiplier 1", f: (x, w) => tf.depthwiseConv2d(x, w, 1, 'valid'), xs: [2, 8, 11, 6], ws: [3, 3, 6, 1] },
  { name: "stride 2 'same', multiplier 1, odd height", f: (x, w) => tf.depthwiseConv2d(x, w, 2, 'same'), xs: [2, 9, 8, 4], ws: [3, 3, 4, 1] },
  { name: "stride 2 'valid', multiplier 1", f: (x, w) => tf.depthwiseConv2d(x, w, 2, 'valid'), xs: [3, 10, 7, 5], ws: [3, 3, 5, 1] },
  { name: "stride 2 'valid' after zero padding (MobileNetV2's stride-2 blocks), 32 channels", f: (x, w) => tf.depthwiseConv2d(tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]), w, 2, 'valid'), xs: [2, 8, 6, 32], ws: [3, 3, 32, 1] },
  { name: "stride [1, 2] 'same', multiplier 1", f: (x, w) => tf.depthwiseConv2d(x, w, [1, 2], 'same'), xs: [2, 6, 9, 3], ws: [3, 3, 3, 1] },
  { name: 'explicit padding, stride 2', f: (x, w) => tf.depthwiseConv2d(x, w, 2, [[0, 0], [1, 0], [0, 2], [0, 0]]), xs: [2, 7, 6, 3], ws: [3, 3, 3, 1] },
  { name: "5×5 stride 2 'same'", f: (x, w) => tf.depthwiseConv2d(x, w, 2, 'same'), xs: [2, 11, 9, 4], ws: [5, 5, 4, 1] },
  { name: "stride 1 'same', multiplier 2", f: (x, w) => tf.depthwiseConv2d(x, w, 1, 'same'), xs: [2, 6, 5, 3], ws: [3, 3, 3, 2] },
  { name: "stride 2 'valid', multiplier 2", f: (x, w) => tf.depthwiseConv2d(x, w, 2, 'valid'), xs: [3, 9, 7, 4], ws: [3, 3, 4, 2] },
  { name: "stride 2 'same', multiplier 3", f: (x, w) => tf.depthwiseConv2d(x, w, 2, 'same'), xs: [2, 7, 8, 2], ws: [3, 3, 2, 3] },
  {
    name: 'fused with bias and relu6, stride 1',
    f: (x, w) => tf.fused.depthwiseConv2d({ x, filter: w, strides: 1, pad: 'same', bias: tf.ones([w.shape[2] * w.shape[3]]), activation: 'relu6' }),
    xs: [2, 6, 7, 8],
    ws: [3, 3, 8, 1],
  },
];

const DW_INPUT = 'DepthwiseConv2dNativeBackpropInput';
const dwInputCounts = () => bridgePathCounts()[DW_INPUT] ?? { js: 0, cpu: 0 };

describe('depthwise input gradient on wasm', () => {
  for (const c of depthwiseInputCases) {
    it(`${c.name}: JS kernel, gradients equal the cpu backend's`, async () => {
      const original = tf.getBackend();
      try {
        const ref = await grads('cpu', c.f, c.xs, c.ws);
        const before = dwInputCounts();
        const got = await grads('wasm', c.f, c.xs, c.ws);
        const after = dwInputCounts();
        expect(after.js - before.js).toBe(1);
        expect(after.cpu - before.cpu).toBe(0);
        expect(maxRelError(got.gx, ref.gx)).toBeLessThan(1e-5);
        expect(maxRelError(got.gw, ref.gw)).toBeLessThan(1e-5);
      } finally {
        await tf.setBackend(original);
      }
    });
  }

  it("a dilated call (which tfjs's gradient never makes) falls back to the cpu kernel and matches it", async () => {
    const original = tf.getBackend();
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const inputShape = [2, 9, 8, 3];
      const filter = tf.tensor4d(rand([3, 3, 3, 1], 6), [3, 3, 3, 1]);
      const attrs = { strides: 1, dilations: 2, pad: 'same', inputShape };
      const info = tf.backend_util.computeConv2DInfo(inputShape as [number, number, number, number], [3, 3, 3, 1], 1, 2, 'same', undefined, true);
      const dy = tf.tensor4d(rand(info.outShape, 7), info.outShape);
      const dx = tf.engine().runKernel(DW_INPUT, { dy, filter }, attrs as never) as tf.Tensor;
      const out = await dx.data();
      tf.dispose([filter, dy, dx]);
      return out;
    };
    try {
      const ref = await run('cpu');
      const before = dwInputCounts();
      const got = await run('wasm');
      const after = dwInputCounts();
      expect(after.cpu - before.cpu).toBe(1);
      expect(after.js - before.js).toBe(0);
      expect(maxRelError(got, ref)).toBeLessThan(1e-6);
    } finally {
      await tf.setBackend(original);
    }
  });
});

describe('wasm gradient bridge', () => {
  for (const c of pointwiseCases) {
    it(`${c.name}: ${c.pointwise ? 'matrix-product path' : 'general path'}, gradients equal the cpu backend's`, async () => {
      const original = tf.getBackend();
      try {
        const ref = await grads('cpu', c.f, c.xs, c.ws);
        const before = pointwiseGradientCounts();
        const got = await grads('wasm', c.f, c.xs, c.ws);
        const after = pointwiseGradientCounts();
        expect(after.filter - before.filter).toBe(c.pointwise ? 1 : 0);
        expect(after.input - before.input).toBe(c.pointwise ? 1 : 0);
        expect(maxRelError(got.gx, ref.gx)).toBeLessThan(1e-5);
        expect(maxRelError(got.gw, ref.gw)).toBeLessThan(1e-5);
      } finally {
        await tf.setBackend(original);
      }
    });
  }

  it('the matrix-product path frees its intermediates in wasm memory', async () => {
    const original = tf.getBackend();
    await tf.setBackend('wasm');
    try {
      const x = tf.randomNormal([2, 4, 6, 12]) as tf.Tensor4D;
      const w = tf.randomNormal([1, 1, 12, 5]) as tf.Tensor4D;
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid')));
      tf.dispose(g([x, w])); // warm-up
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const ids = backend.numDataIds();
      const tensors = tf.memory().numTensors;
      const before = pointwiseGradientCounts();
      tf.dispose(g([x, w]));
      expect(pointwiseGradientCounts().filter).toBe(before.filter + 1);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(backend.numDataIds()).toBe(ids);
      tf.dispose([x, w]);
    } finally {
      await tf.setBackend(original);
    }
  });

  it('registers every missing gradient kernel for wasm', () => {
    for (const name of BRIDGEABLE_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  for (const c of cases) {
    it(`${c.name}: wasm gradients equal the cpu backend's`, async () => {
      const original = tf.getBackend();
      try {
        const ref = await grads('cpu', c.f, c.xs, c.ws);
        const got = await grads('wasm', c.f, c.xs, c.ws);
        expect(maxRelError(got.gx, ref.gx)).toBeLessThan(1e-5);
        expect(maxRelError(got.gw, ref.gw)).toBeLessThan(1e-5);
      } finally {
        await tf.setBackend(original);
      }
    });
  }

  it('UnsortedSegmentSum (the gradient of gather) equals the cpu backend', async () => {
    const original = tf.getBackend();
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor2d(rand([5, 3], 4), [5, 3]);
      const idx = tf.tensor1d([4, 0, 4, 2, 2, 2], 'int32');
      const r = tf.tensor2d(rand([6, 3], 5), [6, 3]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, idx), r)))(x);
      const out = await g.data();
      tf.dispose([x, idx, r, g]);
      return out;
    };
    try {
      const ref = await run('cpu');
      const got = await run('wasm');
      expect(maxRelError(got, ref)).toBeLessThan(1e-6);
    } finally {
      await tf.setBackend(original);
    }
  });

  it('TfjsEngine.prepareTraining reports every bridged kernel, also when the bridge was installed before it ran', async () => {
    expect(bridgedKernels()).toContain('Conv2DBackpropFilter'); // installed in beforeAll, not by the engine
    const original = tf.getBackend();
    await tf.setBackend('wasm');
    try {
      const engine = new TfjsEngine();
      const first = engine.prepareTraining();
      expect(first.backend).toBe('wasm');
      expect(first.emulatedKernels).toEqual(bridgedKernels());
      expect(first.emulatedKernels).toContain('Conv2DBackpropFilter');
      expect(engine.prepareTraining().emulatedKernels).toEqual(first.emulatedKernels);
    } finally {
      await tf.setBackend(original);
    }
  });

  it('bridged kernels do not leak tensors', async () => {
    const original = tf.getBackend();
    await tf.setBackend('wasm');
    const x = tf.randomNormal([1, 6, 6, 2]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 2, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, w, 2, 'same')))(x);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
    await tf.setBackend(original);
  });
});
