/**
 * A one-pass gradient for ClipByValue on the wasm backend.
 *
 * tfjs-layers builds ReLU6 (every activation of MobileNetV2) as relu then
 * clipByValue(0, 6). tfjs's gradient of ClipByValue is
 * `where(logicalAnd(greaterEqual(x, min), lessEqual(x, max)), dy, zeros)`: four
 * elementwise kernels and three full-size temporaries per activation — about a
 * sixth of a MobileNetV2 fine-tuning step at 96 px on wasm. Here one JS loop
 * reads x and dy and writes dy where min ≤ x ≤ max and 0 elsewhere (NaN
 * compares false, as in tfjs), so the values are exactly tfjs's.
 *
 * Installed for chosen backends only (the gradient registry is global, so the
 * replacement checks the active backend and defers to tfjs's gradient
 * everywhere else, and for anything but float32).
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { gradientOverride } from './gradient-override.js';

export const CLIP_KERNEL = 'ClipByValue';
/** The kernel computing the gradient in one pass. */
export const CLIP_GRAD_KERNEL = 'TkClipByValueGrad';

interface WasmBackendLike {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): TensorInfo;
}

/** dy where min ≤ x ≤ max, else 0. */
export function clipGradient(dy: Float32Array, x: Float32Array, min: number, max: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v >= min && v <= max) out[i] = dy[i]!;
  }
  return out;
}

let calls = 0;

/** How many ClipByValue gradients took the one-pass kernel (for benchmarks and tests). */
export function clipGradientCalls(): number {
  return calls;
}

const override = gradientOverride(CLIP_KERNEL, (dy, saved, attrs, fallback) => {
  const [x] = saved;
  const grad = Array.isArray(dy) ? dy[0]! : dy;
  if (x!.dtype !== 'float32' || grad.dtype !== 'float32') return fallback(dy, saved, attrs);
  return {
    x: () => {
      calls++;
      return tf.engine().runKernel(CLIP_GRAD_KERNEL, { dy: grad, x: x! }, attrs) as tf.Tensor;
    },
  };
});

/** Replace the ClipByValue gradient for `backendName` (default: wasm). Idempotent; true when this call installed it. */
export function installClipGradient(backendName = 'wasm'): boolean {
  if (!tf.getKernel(CLIP_GRAD_KERNEL, backendName)) {
    tf.registerKernel({
      kernelName: CLIP_GRAD_KERNEL,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
        const target = backend as unknown as WasmBackendLike;
        const values = clipGradient(
          target.readSync(dy.dataId) as Float32Array,
          target.readSync(x.dataId) as Float32Array,
          attrs!.clipValueMin as number,
          attrs!.clipValueMax as number,
        );
        return target.makeOutput(x.shape, 'float32', undefined, values);
      },
    });
  }
  return override.install(backendName);
}

/** Put tfjs's own ClipByValue gradient back for every backend. */
export function uninstallClipGradient(): void {
  override.uninstall();
}
