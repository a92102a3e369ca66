/**
 * Gradients of pointwise convolutions (1×1 filter, stride 1, no padding, NHWC)
 * as single matrix products on the wasm backend, where matMul runs on XNNPACK.
 *
 * With X reshaped to [N·H·W, Ci], dY to [N·H·W, Co] and W to [Ci, Co]:
 *   dW = Xᵀ · dY      (Conv2DBackpropFilter)
 *   dX = dY · Wᵀ      (Conv2DBackpropInput)
 * Most of MobileNetV2's convolutions are pointwise. Every other convolution
 * keeps its general kernel: the bridged JS filter gradient (./js-kernels.ts)
 * and wasm's native input gradient. Tests compare both paths with the cpu
 * backend and check which path each case took.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

let enabled = true;
const counts = { filter: 0, input: 0 };

/** Turn the matrix-product paths on or off (on by default; off = the general kernels for every convolution). Returns the previous setting. */
export function setPointwiseFastPath(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/** How many filter and input gradients took the matrix-product path so far. */
export function pointwiseGradientCounts(): { filter: number; input: number } {
  return { ...counts };
}

/** True when a convolution of `inShape` by `filterShape` is pointwise: 1×1, stride 1, no padding, NHWC. */
function isPointwise(inShape: Shape4, filterShape: Shape4, attrs: ConvGradAttrs): boolean {
  if (filterShape[0] !== 1 || filterShape[1] !== 1) return false;
  if (attrs.dataFormat === 'NCHW') return false;
  const info = tf.backend_util.computeConv2DInfo(inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const p = info.padInfo;
  return info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 && p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0 && info.outHeight === inShape[1] && info.outWidth === inShape[2];
}

type Matrix = { info: TensorInfo; rows: number; cols: number };

function kernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`);
  return k.kernelFunc;
}

/** A tensor viewed as a matrix (shares the data; nothing is copied). */
const view = (t: TensorInfo, rows: number, cols: number): Matrix => ({ info: { dataId: t.dataId, shape: [rows, cols], dtype: 'float32' }, rows, cols });

/** mᵀ as a new tensor (wasm's Transpose kernel). */
function transpose(backend: unknown, m: Matrix): Matrix {
  const out = kernel('Transpose')({ inputs: { x: m.info }, attrs: { perm: [1, 0] }, backend: backend as never }) as TensorInfo;
  return { info: { dataId: out.dataId, shape: [m.cols, m.rows], dtype: 'float32' }, rows: m.cols, cols: m.rows };
}

/**
 * a · b with wasm's BatchMatMul, untransposed operands only: with transposeA or
 * transposeB, tfjs-backend-wasm 4.22's BatchMatMul was 5–18× slower on
 * MobileNetV2's pointwise shapes than an explicit Transpose followed by the
 * untransposed product, so callers transpose first.
 */
function matMul(backend: unknown, a: Matrix, b: Matrix): Matrix {
  const out = kernel('BatchMatMul')({ inputs: { a: a.info, b: b.info }, attrs: { transposeA: false, transposeB: false }, backend: backend as never }) as TensorInfo;
  return { info: { dataId: out.dataId, shape: [a.rows, b.cols], dtype: 'float32' }, rows: a.rows, cols: b.cols };
}

function dispose(backend: unknown, ...ms: Matrix[]): void {
  for (const m of ms) (backend as { disposeData(dataId: unknown): void }).disposeData(m.info.dataId);
}

/** The result tensor: m's data with the given shape. */
const as = (m: Matrix, shape: number[]): TensorInfo => ({ dataId: m.info.dataId, shape, dtype: 'float32' });

/** dW of a pointwise convolution as Xᵀ · dY, or undefined when the call is not pointwise (or the fast path is off). */
function pointwiseBackpropFilter(inputs: { x?: TensorInfo; dy?: TensorInfo }, attrs: ConvGradAttrs & { filterShape: Shape4 }, backend: unknown): TensorInfo | undefined {
  const { x, dy } = inputs;
  if (!enabled || !x || !dy || x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4) return undefined;
  if (!isPointwise(x.shape as Shape4, attrs.filterShape, attrs)) return undefined;
  const [n, h, w, ci] = x.shape;
  const co = attrs.filterShape[3];
  const rows = n * h * w;
  if (rows === 0 || ci === 0 || co === 0) return undefined;
  counts.filter++;
  const X = view(x, rows, ci);
  const DY = view(dy, rows, co);
  // Transpose the narrower of the two big operands: Xᵀ · dY, or (dYᵀ · X)ᵀ whose last transpose is only Co × Ci.
  if (ci <= co) {
    const Xt = transpose(backend, X);
    const dW = matMul(backend, Xt, DY);
    dispose(backend, Xt);
    return as(dW, [1, 1, ci, co]);
  }
  const DYt = transpose(backend, DY);
  const dWt = matMul(backend, DYt, X);
  const dW = transpose(backend, dWt);
  dispose(backend, DYt, dWt);
  return as(dW, [1, 1, ci, co]);
}

/** dX of a pointwise convolution as dY · Wᵀ, or undefined when the call is not pointwise (or the fast path is off). */
function pointwiseBackpropInput(inputs: { dy?: TensorInfo; filter?: TensorInfo }, attrs: ConvGradAttrs & { inputShape: Shape4 }, backend: unknown): TensorInfo | undefined {
  const { dy, filter } = inputs;
  if (!enabled || !dy || !filter || dy.dtype !== 'float32' || filter.dtype !== 'float32' || filter.shape.length !== 4) return undefined;
  if (!isPointwise(attrs.inputShape, filter.shape as Shape4, attrs)) return undefined;
  const [n, h, w, ci] = attrs.inputShape;
  const co = filter.shape[3];
  const rows = n * h * w;
  if (rows === 0 || ci === 0 || co === 0) return undefined;
  counts.input++;
  const Wt = transpose(backend, view(filter, ci, co));
  const dX = matMul(backend, view(dy, rows, co), Wt);
  dispose(backend, Wt);
  return as(dX, [n, h, w, ci]);
}

/**
 * Bridged kernels with a path that runs on the wasm backend itself: name → (inputs, attrs, backend) →
 * the output, or undefined to fall through to the bridge's JS or cpu kernel.
 */
export const RESIDENT_KERNELS: Record<string, (inputs: Record<string, TensorInfo | undefined>, attrs: Record<string, unknown>, backend: unknown) => TensorInfo | undefined> = {
  Conv2DBackpropFilter: (inputs, attrs, backend) => pointwiseBackpropFilter(inputs, attrs as unknown as ConvGradAttrs & { filterShape: Shape4 }, backend),
};

const INPUT_KERNEL = 'Conv2DBackpropInput';
const wrapped = new Map<string, KernelConfig>();

/**
 * Put the matrix-product path in front of `backendName`'s native
 * Conv2DBackpropInput (wasm only; idempotent). Returns true when this call
 * installed it. (The filter gradient's path is taken by the bridged kernel.)
 */
export function installPointwiseInputGradient(backendName = 'wasm'): boolean {
  if (backendName !== 'wasm' || wrapped.has(backendName)) return false;
  const native = tf.getKernel(INPUT_KERNEL, backendName);
  if (!native) return false;
  const general = native.kernelFunc;
  const kernelFunc: KernelFunc = (args) => pointwiseBackpropInput(args.inputs, args.attrs as unknown as ConvGradAttrs & { inputShape: Shape4 }, args.backend) ?? (general(args) as TensorInfo);
  tf.unregisterKernel(INPUT_KERNEL, backendName);
  tf.registerKernel({ ...native, kernelFunc });
  wrapped.set(backendName, native);
  return true;
}
