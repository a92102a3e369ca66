import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../src/random.js';
import {
  NORMALIZATIONS,
  augmentImage,
  decodeAll,
  decodeImage,
  makePreprocessSpec,
  normalizeInto,
  readImageCsv,
  readImageFolder,
  readImages,
  resolveAugment,
  writeSyntheticImages,
  type RgbImage,
} from '../../vision/index.js';
import { tempDir } from './helpers.js';

const spec = makePreprocessSpec([16, 16], NORMALIZATIONS.unit);

describe('reading labelled folders and CSV manifests', () => {
  let root: string;
  beforeAll(async () => {
    root = join(tempDir(), 'data');
    await writeSyntheticImages(root, { classes: 3, perClass: 4, size: 24 });
    await writeFile(join(root, 'disc', 'broken.jpg'), 'definitely not a jpeg');
    await writeFile(join(root, 'disc', 'README.md'), '# notes');
    await writeFile(join(root, 'stray.png'), 'x');
    await writeFile(join(root, '.DS_Store'), 'x');
  });

  it('lists a folder per class, sorted labels, non-images reported', async () => {
    const c = await readImageFolder(root);
    expect(c.labels).toEqual(['checks', 'disc', 'stripes']);
    expect(c.items).toHaveLength(13);
    const byName = new Map(c.skipped.map((s) => [s.path.split(/[\\/]/).pop(), s.reason]));
    expect([...byName.keys()].sort()).toEqual(['README.md', 'stray.png']);
    expect(byName.get('README.md')).toMatch(/not an image/);
    expect(byName.get('stray.png')).toMatch(/not inside a class folder/);
  });

  it('decoding skips and reports unreadable files instead of failing', async () => {
    const d = await decodeAll(await readImageFolder(root), spec);
    expect(d.images).toHaveLength(12);
    expect(d.y).toHaveLength(12);
    const broken = d.skipped.find((s) => s.path.endsWith('broken.jpg'));
    expect(broken?.reason).toMatch(/unreadable image/);
    expect(d.images.every((im) => im.data.length === 16 * 16 * 3)).toBe(true);
  });

  it('reads a CSV manifest with paths relative to it', async () => {
    const csv = join(root, '..', 'manifest.csv');
    await writeFile(csv, 'path,label\ndata/disc/000.png,round\ndata/stripes/000.png,lines\ndata/stripes/001.png,lines\n,empty\n');
    const c = await readImages(csv);
    expect(c.labels).toEqual(['lines', 'round']);
    expect(c.items).toHaveLength(3);
    expect(c.skipped).toHaveLength(1);
    await writeFile(csv, 'file,class\na.png,x\n');
    await expect(readImageCsv(csv)).rejects.toMatchObject({ code: 'E_INVALID_FILE' });
  });

  it('an empty class folder, a single class, or a missing folder is a clear error', async () => {
    const r = join(tempDir(), 'd');
    await writeSyntheticImages(r, { classes: 2, perClass: 2, size: 16 });
    await mkdir(join(r, 'empty'));
    await expect(readImageFolder(r)).rejects.toMatchObject({ code: 'E_DATA', message: expect.stringMatching(/'empty'.*no images/) });
    const one = join(tempDir(), 'one');
    await writeSyntheticImages(one, { classes: 2, perClass: 2, size: 16 });
    const { rm } = await import('node:fs/promises');
    await rm(join(one, 'checks'), { recursive: true });
    await expect(readImageFolder(one)).rejects.toMatchObject({ code: 'E_DATA', message: expect.stringMatching(/1 class.*at least 2/) });
    await expect(readImageFolder(join(one, 'nope'))).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: `data folder '${join(one, 'nope')}' does not exist` });
  });

  it('a file given as the data folder is named as what it is', async () => {
    const image = join(root, 'disc', '000.png');
    await expect(readImages(image)).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: `'${image}' is an image file, not a data folder or CSV manifest`,
      hint: expect.stringMatching(/DIR\/<label>\/<image>.*\.csv manifest with a path,label header.*vision predict/),
    });
    const notes = join(root, 'disc', 'README.md');
    await expect(readImages(notes)).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringMatching(/README\.md' is a file, not a data folder or CSV manifest \(a manifest's name must end in \.csv\)/),
      hint: expect.stringMatching(/rename it to end in \.csv/),
    });
  });

  it('a folder without class folders says so, whatever the number of classes asked for (no "classifier" for embed)', async () => {
    const empty = join(tempDir(), 'empty');
    await mkdir(empty);
    for (const minClasses of [1, 2]) {
      const err = await readImageFolder(empty, { minClasses }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_DATA', message: `${empty} has no class folders`, hint: expect.stringMatching(/DIR\/<label>\/<image>/) });
      expect((err as Error).message).not.toMatch(/classifier/);
    }
    const loose = join(tempDir(), 'loose');
    await mkdir(loose);
    await writeFile(join(loose, 'a.png'), 'x');
    await writeFile(join(loose, 'b.jpg'), 'x');
    await expect(readImageFolder(loose, { minClasses: 1 })).rejects.toMatchObject({
      code: 'E_DATA',
      message: `${loose} has no class folders (its 2 images sit directly in it)`,
      hint: expect.stringMatching(/move the images into a folder per label/),
    });
    const csv = join(tempDir(), 'blank.csv');
    await writeFile(csv, 'path,label\n,\n');
    await expect(readImages(csv, { minClasses: 1 })).rejects.toMatchObject({ code: 'E_DATA', message: `${csv} lists no image with both a path and a label` });
  });

  it('a class whose every image is unreadable is an error naming it', async () => {
    const r = join(tempDir(), 'bad');
    await writeSyntheticImages(r, { classes: 2, perClass: 2, size: 16 });
    await mkdir(join(r, 'ghosts'));
    await writeFile(join(r, 'ghosts', 'a.png'), 'nope');
    await expect(decodeAll(await readImageFolder(r), spec)).rejects.toMatchObject({ code: 'E_DATA', message: expect.stringMatching(/ghosts/) });
  });
});

describe('decoding to 8-bit RGB', () => {
  const dir = tempDir();
  const red = { r: 255, g: 0, b: 0 };

  it('grayscale, alpha, 16-bit and CMYK images become RGB', async () => {
    const gray = await sharp(Buffer.alloc(64, 90), { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    const alpha = await sharp({ create: { width: 8, height: 8, channels: 4, background: { ...red, alpha: 0 } } }).png().toBuffer();
    const deep = await sharp({ create: { width: 8, height: 8, channels: 3, background: red } }).toColourspace('rgb16').png().toBuffer();
    const cmyk = await sharp({ create: { width: 8, height: 8, channels: 3, background: red } }).toColourspace('cmyk').jpeg().toBuffer();
    const meta = await Promise.all([gray, deep, cmyk].map((b) => sharp(b).metadata()));
    expect(meta[0].channels).toBe(1);
    expect(meta[1].depth).toBe('ushort');
    expect(meta[2].space).toBe('cmyk');
    const s = makePreprocessSpec([4, 4], NORMALIZATIONS.unit);
    const [g, a, d, c] = await Promise.all([gray, alpha, deep, cmyk].map((b) => decodeImage(b, s)));
    for (const img of [g, a, d, c]) expect(img.data).toHaveLength(4 * 4 * 3);
    expect(Math.abs(g.data[0] - 90)).toBeLessThan(3);
    expect([g.data[0], g.data[1], g.data[2]].every((v) => v === g.data[0])).toBe(true);
    expect(Array.from(a.data.subarray(0, 3))).toEqual([255, 255, 255]); // transparent → white background
    expect(d.data[0]).toBeGreaterThan(240);
    expect(d.data[1]).toBeLessThan(15);
    expect(c.data[0]).toBeGreaterThan(200);
    expect(c.data[1]).toBeLessThan(60);
  });

  it('applies EXIF orientation', async () => {
    // 8×4 image, left half black, right half white, stored with orientation 6 (rotate 90° clockwise to display).
    const px = new Uint8Array(8 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 4; x < 8; x++) px.fill(255, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
    const file = join(dir, 'rotated.jpg');
    await sharp(Buffer.from(px), { raw: { width: 8, height: 4, channels: 3 } }).withMetadata({ orientation: 6 }).jpeg({ quality: 100 }).toFile(file);
    const img = await decodeImage(file, makePreprocessSpec([8, 4], NORMALIZATIONS.unit, { resize: 'squash' }));
    // Displayed: 4 wide × 8 tall; the white half is now at the bottom.
    expect(img.data[0]).toBeLessThan(60);
    expect(img.data[(7 * 4 + 0) * 3]).toBeGreaterThan(200);
  });

  it('normalises per backbone: [0,1], [-1,1], caffe BGR mean-subtracted', () => {
    const img: RgbImage = { width: 1, height: 1, data: Uint8Array.from([255, 128, 0]) };
    const unit = normalizeInto([img], makePreprocessSpec([1, 1], NORMALIZATIONS.unit));
    expect(Array.from(unit)).toEqual([1, 128 / 255, 0].map(Math.fround));
    const sym = normalizeInto([img], makePreprocessSpec([1, 1], NORMALIZATIONS.symmetric));
    expect(sym[0]).toBeCloseTo(1, 6);
    expect(sym[2]).toBeCloseTo(-1, 6);
    const caffe = normalizeInto([img], makePreprocessSpec([1, 1], NORMALIZATIONS.caffe));
    expect(caffe[0]).toBeCloseTo(0 - 103.939, 3); // B first
    expect(caffe[1]).toBeCloseTo(128 - 116.779, 3);
    expect(caffe[2]).toBeCloseTo(255 - 123.68, 3);
  });
});

describe('augmentation', () => {
  const img: RgbImage = { width: 16, height: 16, data: Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (i * 7) % 256) };

  it('is seeded, keeps the size, and changes pixels', () => {
    const o = resolveAugment(true)!;
    const a = augmentImage(img, o, new Rng(5));
    const b = augmentImage(img, o, new Rng(5));
    const c = augmentImage(img, o, new Rng(6));
    expect(a.data).toEqual(b.data);
    expect(a.data).toHaveLength(img.data.length);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
    expect(Buffer.from(a.data).equals(Buffer.from(img.data))).toBe(false);
  });

  it('with everything off but flip, flips exactly', () => {
    const o = resolveAugment({ cropScale: false, brightness: 0, contrast: 0, flip: true })!;
    const rng = new Rng(1);
    let flipped: RgbImage | undefined;
    for (let i = 0; i < 10 && !flipped; i++) {
      const out = augmentImage(img, o, rng);
      if (!Buffer.from(out.data).equals(Buffer.from(img.data))) flipped = out;
    }
    expect(flipped).toBeDefined();
    for (let y = 0; y < 16; y++) for (let c = 0; c < 3; c++) expect(flipped!.data[(y * 16) * 3 + c]).toBe(img.data[(y * 16 + 15) * 3 + c]);
    expect(() => resolveAugment({ cropScale: [0.9, 0.5] })).toThrow(/cropScale/);
  });
});

describe('symbolic links in a data folder are followed', () => {
  it('a symlinked class folder, sub-folder and image count; a broken link is skipped with a note', async () => {
    const { symlink, copyFile } = await import('node:fs/promises');
    const base = tempDir();
    const src = join(base, 'src');
    await writeSyntheticImages(src, { classes: 3, perClass: 2, size: 16 });
    const root = join(base, 'data');
    await mkdir(join(root, 'checks'), { recursive: true });
    await copyFile(join(src, 'checks', '000.png'), join(root, 'checks', 'own.png'));
    await symlink(join(src, 'checks', '001.png'), join(root, 'checks', 'linked.png')); // a symlinked image
    await symlink(join(src, 'disc'), join(root, 'checks', 'more')); // a symlinked sub-folder
    await symlink(join(src, 'stripes'), join(root, 'stripes')); // a symlinked class folder
    await symlink(join(base, 'gone'), join(root, 'lost')); // broken, in the data folder
    await symlink(join(base, 'gone.png'), join(root, 'checks', 'gone.png')); // broken, in a class folder
    await symlink(root, join(root, 'checks', 'loop')); // a link back up the tree is walked once
    const c = await readImageFolder(root);
    expect(c.labels).toEqual(['checks', 'stripes']);
    const names = (label: string) => c.items.filter((it) => c.labels[it.label] === label).map((it) => it.path.slice(root.length + 1)).sort();
    expect(names('stripes')).toEqual([join('stripes', '000.png'), join('stripes', '001.png')]);
    expect(names('checks')).toEqual([join('checks', 'linked.png'), join('checks', 'more', '000.png'), join('checks', 'more', '001.png'), join('checks', 'own.png')].sort());
    expect(c.skipped.map((s) => s.reason).join('\n')).not.toMatch(/not inside a class folder/);
    expect(c.skipped).toEqual(
      expect.arrayContaining([
        { path: join(root, 'lost'), reason: `broken symbolic link (its target '${join(base, 'gone')}' does not exist)` },
        { path: join(root, 'checks', 'gone.png'), reason: `broken symbolic link (its target '${join(base, 'gone.png')}' does not exist)` },
        { path: join(root, 'checks', 'loop'), reason: expect.stringMatching(/^symbolic link to a folder already read/) },
      ]),
    );
    expect(c.items).toHaveLength(6);
  });

  it('never reads an image under two labels: links between class folders, to a class folder, or to the data folder itself', async () => {
    const { symlink } = await import('node:fs/promises');
    const base = tempDir();
    const root = join(base, 'data');
    await writeSyntheticImages(root, { classes: 3, perClass: 2, size: 16 }); // data/stripes, data/checks, data/disc
    await symlink(join(root, 'disc'), join(root, 'checks', 'more')); // inside checks, into another class
    await symlink(join(root, 'checks'), join(root, 'disc', 'up')); // and back
    await symlink(join(root, 'checks'), join(root, 'zcopy')); // a second name for a class folder
    await symlink('.', join(root, 'self')); // the data folder itself
    await symlink(join(root, 'disc', '000.png'), join(root, 'checks', 'dup.png')); // an image of another class
    const c = await readImageFolder(root);
    expect(c.labels).toEqual(['checks', 'disc', 'stripes']);
    const byLabel = (label: string) => c.items.filter((it) => c.labels[it.label] === label).map((it) => it.path.slice(root.length + 1)).sort();
    expect(byLabel('checks')).toEqual([join('checks', '000.png'), join('checks', '001.png')]);
    expect(byLabel('disc')).toEqual([join('disc', '000.png'), join('disc', '001.png')]);
    const reason = (p: string) => c.skipped.find((s) => s.path === join(root, p))?.reason;
    expect(reason(join('checks', 'more'))).toMatch(/into the class folder 'disc'; its images are read under their own class only/);
    expect(reason(join('disc', 'up'))).toMatch(/into the class folder 'checks'/);
    expect(reason('zcopy')).toMatch(/link to the class folder 'checks', already read; not a class of its own/);
    expect(reason('self')).toMatch(/link to the data folder itself/);
    expect(reason(join('checks', 'dup.png'))).toMatch(/into the class folder 'disc'/);
    // Two links to one image outside the classes: read once.
    await symlink(join(base, 'outside.png'), join(root, 'stripes', 'a.png'));
    await symlink(join(base, 'outside.png'), join(root, 'stripes', 'b.png'));
    const { copyFile } = await import('node:fs/promises');
    await copyFile(join(root, 'stripes', '000.png'), join(base, 'outside.png'));
    const again = await readImageFolder(root);
    expect(again.skipped.find((s) => s.path === join(root, 'stripes', 'b.png'))?.reason).toMatch(/the same file as .*a\.png, already read; read once/);
  });

  it('a class folder that lies inside another class folder is its own class, left out of the other', async () => {
    const { symlink, mkdir: mk, copyFile } = await import('node:fs/promises');
    const base = tempDir();
    const root = join(base, 'data');
    await writeSyntheticImages(join(base, 'src'), { classes: 2, perClass: 2, size: 16 });
    await mk(join(root, 'cat', 'puppies'), { recursive: true });
    await copyFile(join(base, 'src', 'stripes', '000.png'), join(root, 'cat', 'c.png'));
    await copyFile(join(base, 'src', 'checks', '000.png'), join(root, 'cat', 'puppies', 'p.png'));
    await symlink(join(root, 'cat', 'puppies'), join(root, 'dog'));
    const c = await readImageFolder(root);
    expect(c.labels).toEqual(['cat', 'dog']);
    const byLabel = (label: string) => c.items.filter((it) => c.labels[it.label] === label).map((it) => it.path.slice(root.length + 1));
    expect(byLabel('cat')).toEqual([join('cat', 'c.png')]);
    expect(byLabel('dog')).toEqual([join('dog', 'p.png')]);
    expect(c.skipped.find((s) => s.path === join(root, 'cat', 'puppies'))?.reason).toMatch(/into the class folder 'dog'/);
  });

  it('unlabelled: an image in the data folder and a link to it in a sub-folder are read once', async () => {
    const { symlink, mkdir: mk, copyFile } = await import('node:fs/promises');
    const base = tempDir();
    const root = join(base, 'flat');
    await writeSyntheticImages(join(base, 'src'), { classes: 2, perClass: 1, size: 16 });
    await mk(join(root, 'sub'), { recursive: true });
    await copyFile(join(base, 'src', 'stripes', '000.png'), join(root, 'a.png'));
    await symlink(join(root, 'a.png'), join(root, 'sub', 'x.png'));
    await copyFile(join(base, 'src', 'checks', '000.png'), join(root, 'sub', 'y.png'));
    // A second name for a.png in the data folder itself, and one for y.png there.
    await symlink(join(root, 'a.png'), join(root, 'b.png'));
    await symlink(join(root, 'sub', 'y.png'), join(root, 'z.png'));
    const c = await readImageFolder(root, { unlabelled: true }); // one "class" is enough unlabelled
    // Sub-folders are read first and keep their own images: x.png (a link) is a.png's first name met.
    expect(c.items.map((it) => it.path).sort()).toEqual([join(root, 'sub', 'x.png'), join(root, 'sub', 'y.png')]);
    expect(c.skipped.find((s) => s.path === join(root, 'a.png'))?.reason).toMatch(/the same file as .*x\.png/);
    expect(c.skipped.find((s) => s.path === join(root, 'b.png'))?.reason).toMatch(/the same file as/);
    expect(c.skipped.find((s) => s.path === join(root, 'z.png'))?.reason).toMatch(/the same file as .*y\.png/);
  });
});
