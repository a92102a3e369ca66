/**
 * Running out of memory during vision work. Activations grow with the square of
 * the input size and linearly with the batch: MobileNetV2 at 1024 px needs
 * hundreds of MB per image, and the wasm backend's memory is capped at a few GB.
 * When an allocation fails, the engine throws low-level errors ("memory access
 * out of bounds", "Array buffer allocation failed", …); `withMemoryGuard` turns
 * them into an error saying what ran out and what to lower.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../src/errors.js';

/** Largest input side accepted (`--image-size`): 4× MobileNetV2's native 224 px is 896; 2048 still fits one image at a time. */
export const MAX_IMAGE_SIZE = 2048;

const OUT_OF_MEMORY = [
  /memory access out of bounds/i,
  /out of memory/i,
  /Aborted\(OOM\)/i,
  /Cannot enlarge memory/i,
  /Array buffer allocation failed/i,
  /could not allocate memory/i,
  /Maximum memory size exceeded/i,
  /Invalid typed array length/i,
];

/** Whether `e` is an allocation failure of the engine or of JavaScript typed arrays. */
export function isOutOfMemory(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const runtime = typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError;
  if (!(runtime || e instanceof RangeError || /^(RuntimeError|RangeError)$/.test(e.name) || /Aborted\(/.test(e.message))) return false;
  return OUT_OF_MEMORY.some((re) => re.test(e.message));
}

export interface MemoryContext {
  /** What was running, e.g. 'training', 'computing features', 'embedding images'. */
  task: string;
  /** Network input [height, width]. */
  imageSize: readonly [number, number];
  /** Images per forward pass. */
  batchSize: number;
  /** What to do instead of the default hint (lower --batch-size / --image-size), when those options do not apply. */
  hint?: string;
}

/**
 * Images per inference pass when the caller has no batch size of its own: 16 at
 * 224 px and below, fewer for larger inputs (the same pixels per pass), 1 from 1024 px.
 */
export function inferenceBatchSize(size: readonly [number, number]): number {
  return Math.max(1, Math.min(16, Math.floor((16 * 224 * 224) / (size[0] * size[1]))));
}

/** The error for an allocation failure while doing `context.task`. */
export function outOfMemoryError(e: unknown, context: MemoryContext): InvalidArgumentError {
  const [h, w] = context.imageSize;
  const detail = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  const smaller = Math.max(32, Math.min(224, Math.floor(Math.min(h, w) / 2)));
  const size = `--image-size (${Math.max(h, w)} here, e.g. ${smaller}; memory grows with its square)`;
  const hint = context.hint ?? (context.batchSize > 1 ? `lower --batch-size (${context.batchSize} here, down to 1; memory grows with it) or ${size}` : `lower ${size}`);
  return new InvalidArgumentError(
    `ran out of memory ${context.task} at ${h}×${w} px in batches of up to ${context.batchSize} image${context.batchSize === 1 ? '' : 's'} on the ${tf.getBackend()} backend (${detail})`,
    { hint, cause: e },
  );
}

/** Run `fn`, turning an allocation failure into `outOfMemoryError`. */
export async function withMemoryGuard<T>(context: MemoryContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isOutOfMemory(e)) throw outOfMemoryError(e, context);
    throw e;
  }
}
