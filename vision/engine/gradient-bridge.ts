/**
 * Gradient kernels the wasm backend lacks, bridged to the pure-JS cpu backend:
 * for the wasm backend only, each missing kernel is registered as a function
 * that reads its inputs out of wasm memory, computes the result in JS, and
 * writes it back into wasm memory. The filter gradients of convolutions and
 * the input gradient of depthwise convolutions use our own loop-ordered JS
 * kernels (./js-kernels.ts; the cpu backend's are far slower), except
 * pointwise convolutions (1×1, stride 1), whose filter gradient is one matrix
 * product on wasm's own matMul (./pointwise-grad.ts, which also puts that path
 * in front of wasm's native Conv2DBackpropInput); calls a JS kernel does not
 * support (e.g. a dilated depthwise input gradient) and every other bridged
 * kernel run the cpu backend's kernel. Tests
 * compare every bridged kernel with the cpu backend. The user's backend is
 * never changed.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { JS_KERNELS, type JsTensor } from './js-kernels.js';
import { installPointwiseInputGradient, RESIDENT_KERNELS } from './pointwise-grad.js';

/** Kernels needed to train convolutional networks that wasm (tfjs 4.x) does not implement. */
export const BRIDGEABLE_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
] as const;

interface ReadableBackend {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
}
interface WasmBackendLike extends ReadableBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): TensorInfo;
}
interface CpuBackendLike extends ReadableBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): TensorInfo;
  disposeData(dataId: unknown, force?: boolean): boolean;
}

/** The cpu backend instance (registered by @tensorflow/tfjs; created on first use without becoming the active backend). */
function cpuBackend(): CpuBackendLike {
  const backend = tf.engine().findBackend('cpu') as unknown as CpuBackendLike | null;
  if (!backend) throw new Error('the tfjs cpu backend is not registered');
  return backend;
}

/** Calls of a bridged kernel by path: our JS kernel, a path on the backend itself (e.g. the pointwise matrix product), the cpu backend's kernel. */
export interface BridgePathCount {
  js: number;
  resident: number;
  cpu: number;
}

const pathCounts: Record<string, BridgePathCount> = {};

/** How many calls of each bridged kernel took each path. */
export function bridgePathCounts(): Record<string, BridgePathCount> {
  return Object.fromEntries(Object.entries(pathCounts).map(([k, v]) => [k, { ...v }]));
}

function bridge(kernelName: string, targetBackend: string): KernelConfig {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (!cpuKernel) throw new Error(`the cpu backend has no '${kernelName}' kernel to bridge to`);
  return {
    kernelName,
    backendName: targetBackend,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const count = (pathCounts[kernelName] ??= { js: 0, resident: 0, cpu: 0 });
      const target = backend as unknown as WasmBackendLike;
      // Paths that compute on the backend itself, data never leaving wasm (e.g. pointwise convolutions as one matMul).
      const resident = RESIDENT_KERNELS[kernelName]?.(inputs, attrs as Record<string, unknown>, backend);
      if (resident) {
        count.resident++;
        return resident;
      }
      const js = JS_KERNELS[kernelName];
      if (js && Object.values(inputs).every((i) => i && i.dtype === 'float32')) {
        const jsInputs: Record<string, JsTensor> = {};
        for (const [name, info] of Object.entries(inputs)) jsInputs[name] = { values: target.readSync(info!.dataId) as Float32Array, shape: info!.shape };
        const result = js(jsInputs, attrs as Record<string, unknown>);
        if (result) {
          count.js++;
          return target.makeOutput(result.shape, 'float32', undefined, result.values);
        }
      }
      count.cpu++;
      const cpu = cpuBackend();
      const cpuInputs: Record<string, TensorInfo> = {};
      const temporaries: TensorInfo[] = [];
      for (const [name, info] of Object.entries(inputs)) {
        if (!info) continue;
        const copy = cpu.makeTensorInfo(info.shape, info.dtype, target.readSync(info.dataId));
        cpuInputs[name] = copy;
        temporaries.push(copy);
      }
      try {
        const result = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu as never });
        const outs = Array.isArray(result) ? result : [result];
        const converted = outs.map((o) => {
          const out = target.makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId));
          cpu.disposeData(o.dataId, true);
          return out;
        });
        return Array.isArray(result) ? converted : converted[0];
      } finally {
        for (const t of temporaries) cpu.disposeData(t.dataId, true);
      }
    },
  };
}

export interface BridgeReport {
  backend: string;
  /** Kernels this call registered. */
  bridged: string[];
  /** Kernels the backend already had. */
  native: string[];
}

const installed = new Set<string>();

/**
 * Register the missing gradient kernels for `backendName` (default: the active
 * backend, when it is wasm). Idempotent; does nothing on other backends.
 */
export function installGradientBridge(backendName = tf.getBackend(), kernels: readonly string[] = BRIDGEABLE_KERNELS): BridgeReport {
  const report: BridgeReport = { backend: backendName, bridged: [], native: [] };
  if (backendName !== 'wasm') return report;
  installPointwiseInputGradient(backendName);
  for (const name of kernels) {
    const key = `${backendName}/${name}`;
    if (installed.has(key)) continue;
    if (tf.getKernel(name, backendName)) {
      report.native.push(name);
      continue;
    }
    tf.registerKernel(bridge(name, backendName));
    installed.add(key);
    report.bridged.push(name);
  }
  return report;
}

/** Kernels currently bridged. */
export function bridgedKernels(): string[] {
  return [...installed].map((k) => k.split('/')[1]);
}
