/**
 * From image files to network inputs. Decoding and resizing use sharp: EXIF
 * orientation is applied, grayscale/CMYK/16-bit/alpha images become 8-bit sRGB
 * (alpha flattened onto a background colour). Normalisation is
 * `(pixel − mean[c]) / std[c]` in the backbone's channel order. The whole
 * recipe is a plain JSON object stored in bundles, so prediction needs nothing
 * but the bundle.
 */
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import { DataError, InvalidArgumentError, NotFoundError } from '../src/errors.js';
import type { Normalization } from './registry.js';

export const RESIZE_MODES = ['squash', 'center-crop', 'pad'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

/** The image formats sharp decodes here, for hints (the extensions read from folders are IMAGE_EXTENSIONS in data.ts). */
export const DECODABLE_FORMATS = 'JPEG, PNG, WebP, GIF, TIFF, AVIF';

/** Throws unless `resize` is a resize mode (for options from JavaScript callers). */
export function checkResizeMode(resize: unknown): asserts resize is ResizeMode | undefined {
  if (resize !== undefined && !(RESIZE_MODES as readonly unknown[]).includes(resize)) {
    throw new InvalidArgumentError(`unknown resize mode '${String(resize)}'`, { hint: `use one of: ${RESIZE_MODES.join(', ')}` });
  }
}

export interface PreprocessSpec {
  /** Network input [height, width]. */
  size: [number, number];
  /** 'squash' stretches to the size (default), 'center-crop' fills it and crops the overflow, 'pad' letterboxes. */
  resize: ResizeMode;
  normalization: Normalization;
  /** Background for transparent pixels and padding, RGB 0–255. Default white. */
  background: [number, number, number];
}

export function makePreprocessSpec(size: [number, number], normalization: Normalization, options: Partial<Pick<PreprocessSpec, 'resize' | 'background'>> = {}): PreprocessSpec {
  if (!size.every((s) => Number.isInteger(s) && s >= 1)) throw new InvalidArgumentError(`image size must be positive integers, got ${size.join('×')}`);
  checkResizeMode(options.resize);
  return { size, resize: options.resize ?? 'squash', normalization, background: options.background ?? [255, 255, 255] };
}

/** An image given as a file path or encoded bytes. */
export type ImageInput = string | Uint8Array;

/** A decoded image: 8-bit RGB, row-major height × width × 3. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const FIT: Record<ResizeMode, 'fill' | 'cover' | 'contain'> = { squash: 'fill', 'center-crop': 'cover', pad: 'contain' };

/** Decode and resize one image to the spec's size (throws sharp's error for unreadable input). */
export async function decodeImage(input: ImageInput, spec: PreprocessSpec): Promise<RgbImage> {
  const [height, width] = spec.size;
  const [r, g, b] = spec.background;
  const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: 2 ** 28 })
    .rotate()
    .toColourspace('srgb')
    .flatten({ background: { r, g, b } })
    .resize(width, height, { fit: FIT[spec.resize], background: { r, g, b, alpha: 1 }, kernel: 'lanczos3' })
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
  }
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * `decodeImage` for API callers that get an error rather than a skip report: a missing file is
 * E_NOT_FOUND, a folder E_INVALID_ARGUMENT, anything sharp cannot decode E_DATA naming the file
 * (`what` names bytes inputs, e.g. 'input 3').
 */
export async function decodeImageOrThrow(input: ImageInput, spec: PreprocessSpec, what = 'image bytes'): Promise<RgbImage> {
  try {
    return await decodeImage(input, spec);
  } catch (e) {
    const file = typeof input === 'string' ? input : undefined;
    const reason = decodeFailure(e);
    if (file && reason === 'file not found') throw new NotFoundError(`image ${file} does not exist`, { file, hint: 'check the path (relative paths are from the current folder)', cause: e });
    if (file && (await stat(file).catch(() => null))?.isDirectory()) throw new InvalidArgumentError(`${file} is a folder, not an image`, { file, hint: 'give image files', cause: e });
    throw new DataError(`${file ?? what}: ${reason}`, { ...(file ? { file } : {}), hint: `give an image sharp can decode (${DECODABLE_FORMATS})`, cause: e });
  }
}

/** Why an image could not be used, in one line (for skip reports). */
export function decodeFailure(e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  if (/Input file is missing|ENOENT|no such file/i.test(msg)) return 'file not found';
  return `unreadable image: ${msg}`;
}

/** Normalise images into a float batch [n, h, w, 3] laid out for the network. */
export function normalizeInto(images: readonly RgbImage[], spec: PreprocessSpec): Float32Array {
  const [height, width] = spec.size;
  const plane = height * width;
  const out = new Float32Array(images.length * plane * 3);
  const { mean, std, channels } = spec.normalization;
  const order = channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const inv = std.map((s) => 1 / s);
  images.forEach((img, n) => {
    if (img.width !== width || img.height !== height) {
      throw new InvalidArgumentError(`image is ${img.width}×${img.height}, the network expects ${width}×${height}`);
    }
    const base = n * plane * 3;
    const d = img.data;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) {
        const src = order[c];
        out[base + p * 3 + c] = (d[p * 3 + src] - mean[c]) * inv[c];
      }
    }
  });
  return out;
}

/** A batch tensor [n, h, w, 3]; the caller disposes it. */
export function toBatch(images: readonly RgbImage[], spec: PreprocessSpec): tf.Tensor4D {
  return tf.tensor4d(normalizeInto(images, spec), [images.length, spec.size[0], spec.size[1], 3]);
}
