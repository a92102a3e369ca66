/**
 * Small synthetic labelled image sets (a folder per class) for tests, the demo
 * and the benchmark: each class is a pattern with its own colour family,
 * drawn with seeded random phase, position, colour jitter and noise.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { InvalidArgumentError } from '../src/errors.js';
import { Rng } from '../src/random.js';

export const SYNTHETIC_CLASSES = ['stripes', 'checks', 'disc', 'diagonal'] as const;

export interface SyntheticOptions {
  /** Number of classes, 2–4. Default 3. */
  classes?: number;
  /** Images per class. Default 12. */
  perClass?: number;
  /** Side in pixels. Default 48. */
  size?: number;
  /** Default 0. */
  seed?: number;
  /** Default 'png'. */
  format?: 'png' | 'jpg' | 'webp';
}

const BASE: [number, number, number][] = [
  [200, 60, 50],
  [60, 170, 70],
  [50, 80, 200],
  [200, 180, 40],
];

/** Raw RGB pixels of one synthetic image of class `c`. */
export function syntheticPixels(c: number, size: number, rng: Rng): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  const jitter = () => Math.round((rng.next() - 0.5) * 60);
  const fg = BASE[c].map((v) => v + jitter());
  const bg = [230 + jitter() / 4, 230 + jitter() / 4, 230 + jitter() / 4];
  const period = Math.max(4, Math.round(size / (4 + rng.int(3))));
  const phase = rng.int(period);
  const cx = size * (0.3 + 0.4 * rng.next());
  const cy = size * (0.3 + 0.4 * rng.next());
  const r = size * (0.2 + 0.1 * rng.next());
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let on: boolean;
      switch (c) {
        case 0:
          on = Math.floor((y + phase) / (period / 2)) % 2 === 0;
          break;
        case 1:
          on = (Math.floor((x + phase) / (period / 2)) + Math.floor((y + phase) / (period / 2))) % 2 === 0;
          break;
        case 2:
          on = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
          break;
        default:
          on = Math.floor((x + y + phase) / (period / 2)) % 2 === 0;
      }
      const col = on ? fg : bg;
      for (let k = 0; k < 3; k++) px[(y * size + x) * 3 + k] = Math.max(0, Math.min(255, col[k] + Math.round((rng.next() - 0.5) * 30)));
    }
  }
  return px;
}

/** Write `root/<class>/<i>.<format>`; returns the labels and files written. */
export async function writeSyntheticImages(root: string, options: SyntheticOptions = {}): Promise<{ labels: string[]; files: string[] }> {
  const classes = options.classes ?? 3;
  const perClass = options.perClass ?? 12;
  const size = options.size ?? 48;
  const format = options.format ?? 'png';
  if (!Number.isInteger(classes) || classes < 2 || classes > SYNTHETIC_CLASSES.length) throw new InvalidArgumentError(`classes must be 2–${SYNTHETIC_CLASSES.length}`);
  const rng = new Rng(options.seed ?? 0);
  const labels = SYNTHETIC_CLASSES.slice(0, classes) as unknown as string[];
  const files: string[] = [];
  for (let c = 0; c < classes; c++) {
    const dir = join(root, labels[c]);
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const file = join(dir, `${String(i).padStart(3, '0')}.${format}`);
      await sharp(Buffer.from(syntheticPixels(c, size, rng)), { raw: { width: size, height: size, channels: 3 } }).toFormat(format).toFile(file);
      files.push(file);
    }
  }
  return { labels, files };
}
