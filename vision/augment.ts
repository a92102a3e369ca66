/**
 * Training-time augmentation on decoded 8-bit RGB images, in plain JS and
 * seeded: random resized crop (bilinear back to the input size), horizontal
 * flip, small brightness and contrast changes. Switched on by `augment: true`
 * or configured with an `AugmentOptions` object.
 */
import { InvalidArgumentError } from '../src/errors.js';
import type { Rng } from '../src/random.js';
import type { RgbImage } from './preprocess.js';

export interface AugmentOptions {
  /** Random resized crop: fraction of the image area kept, [min, max]. Default [0.6, 1]. Set to false to disable. */
  cropScale?: [number, number] | false;
  /** Aspect-ratio range of the crop. Default [3/4, 4/3]. */
  cropRatio?: [number, number];
  /** Flip left–right with probability 0.5. Default true. */
  flip?: boolean;
  /** Brightness shift up to ± this fraction of 255. Default 0.1. */
  brightness?: number;
  /** Contrast factor in [1 − c, 1 + c]. Default 0.1. */
  contrast?: number;
}

export type ResolvedAugment = Required<AugmentOptions>;

export function resolveAugment(options: boolean | AugmentOptions | undefined): ResolvedAugment | undefined {
  if (!options) return undefined;
  const o = options === true ? {} : options;
  const r: ResolvedAugment = {
    cropScale: o.cropScale ?? [0.6, 1],
    cropRatio: o.cropRatio ?? [3 / 4, 4 / 3],
    flip: o.flip ?? true,
    brightness: o.brightness ?? 0.1,
    contrast: o.contrast ?? 0.1,
  };
  if (r.cropScale && !(r.cropScale[0] > 0 && r.cropScale[0] <= r.cropScale[1] && r.cropScale[1] <= 1)) {
    throw new InvalidArgumentError(`cropScale must satisfy 0 < min ≤ max ≤ 1, got ${r.cropScale.join(', ')}`);
  }
  if (r.brightness < 0 || r.contrast < 0 || r.contrast >= 1) throw new InvalidArgumentError('brightness must be ≥ 0 and contrast in [0, 1)');
  return r;
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** One random augmentation of `img` (same size out as in). */
export function augmentImage(img: RgbImage, o: ResolvedAugment, rng: Rng): RgbImage {
  const { width: W, height: H, data } = img;
  let x0 = 0;
  let y0 = 0;
  let cw = W;
  let ch = H;
  if (o.cropScale) {
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = uniform(rng, o.cropScale[0], o.cropScale[1]) * W * H;
      const ratio = Math.exp(uniform(rng, Math.log(o.cropRatio[0]), Math.log(o.cropRatio[1])));
      const w = Math.round(Math.sqrt(area * ratio));
      const h = Math.round(Math.sqrt(area / ratio));
      if (w >= 1 && h >= 1 && w <= W && h <= H) {
        cw = w;
        ch = h;
        x0 = rng.int(W - w + 1);
        y0 = rng.int(H - h + 1);
        break;
      }
    }
  }
  const flip = o.flip && rng.next() < 0.5;
  const shift = o.brightness ? uniform(rng, -o.brightness, o.brightness) * 255 : 0;
  const gain = o.contrast ? uniform(rng, 1 - o.contrast, 1 + o.contrast) : 1;
  let mean = 127.5;
  if (gain !== 1) {
    let s = 0;
    for (let i = 0; i < data.length; i++) s += data[i];
    mean = s / data.length;
  }
  const out = new Uint8Array(W * H * 3);
  const sx = cw / W;
  const sy = ch / H;
  for (let y = 0; y < H; y++) {
    const fy = Math.min(ch - 1, Math.max(0, (y + 0.5) * sy - 0.5)) + y0;
    const iy = Math.floor(fy);
    const iy1 = Math.min(iy + 1, y0 + ch - 1);
    const wy = fy - iy;
    for (let x = 0; x < W; x++) {
      const xs = flip ? W - 1 - x : x;
      const fx = Math.min(cw - 1, Math.max(0, (xs + 0.5) * sx - 0.5)) + x0;
      const ix = Math.floor(fx);
      const ix1 = Math.min(ix + 1, x0 + cw - 1);
      const wx = fx - ix;
      for (let c = 0; c < 3; c++) {
        const a = data[(iy * W + ix) * 3 + c];
        const b = data[(iy * W + ix1) * 3 + c];
        const d = data[(iy1 * W + ix) * 3 + c];
        const e = data[(iy1 * W + ix1) * 3 + c];
        const v = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
        out[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round((v - mean) * gain + mean + shift)));
      }
    }
  }
  return { width: W, height: H, data: out };
}
