import { readFile as realReadFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { saveBundle } from '../../src/bundle/bundle.js';
import { initEngine } from '../../src/engine/backend.js';
import { IMAGE_CLASSIFIER_KIND } from '../../vision/classifier.js';
import { readLocalModel } from '../../vision/sources.js';
import { tempDir, writeTinyModel } from './helpers.js';

// Every readFile of the sources and of the bundle loader goes through this spy.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return { ...fs, readFile: vi.fn(fs.readFile) };
});
const { readFile } = await import('node:fs/promises');
const manifestReads = (dir: string) => vi.mocked(readFile).mock.calls.filter(([path]) => path === join(dir, 'manifest.json')).length;

let bundleDir: string;
beforeAll(async () => {
  await initEngine();
  const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, name: 'c1' }), tf.layers.globalAveragePooling2d({ name: 'gap' })] });
  bundleDir = join(tempDir(), 'own');
  await saveBundle(
    bundleDir,
    {
      kind: IMAGE_CLASSIFIER_KIND,
      labels: ['a', 'b'],
      preprocessing: { size: [8, 8], normalization: { name: 'symmetric', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } },
      encoder: { name: 'tiny', cut: 'c1' },
    },
    { model },
  );
  model.dispose();
});
beforeEach(() => {
  vi.mocked(readFile).mockClear(); // (a function returned from beforeEach would be run as its teardown)
});

describe('an image bundle as a backbone source', () => {
  it('reads its manifest once, and carries the bundle recipe and verified files', async () => {
    const files = await readLocalModel(bundleDir);
    expect(manifestReads(bundleDir)).toBe(1);
    expect(files.bundle).toMatchObject({ encoder: { name: 'tiny', cut: 'c1' }, labels: ['a', 'b'], preprocessing: { size: [8, 8] } });
    expect(files.weights).toHaveLength(1);
    expect(files.json.modelTopology).toBeTruthy();
  });

  it("a folder whose manifest.json is someone else's is read as a plain tfjs model", async () => {
    const dir = join(tempDir(), 'plain-with-manifest');
    await writeTinyModel(dir);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ name: 'my model', version: 3 }));
    const files = await readLocalModel(dir);
    expect(files.bundle).toBeUndefined();
    expect(files.json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
  });

  it('an image bundle with a manifest edited by hand is refused with the bundle loader\'s error', async () => {
    const dir = join(tempDir(), 'edited');
    await saveBundle(dir, { kind: IMAGE_CLASSIFIER_KIND, labels: ['a', 'b'] });
    const manifest = JSON.parse(await realReadFile(join(dir, 'manifest.json'), 'utf8'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, labels: ['a', 'c'] }));
    await expect(readLocalModel(dir)).rejects.toMatchObject({ code: 'E_BUNDLE', message: expect.stringMatching(/edited after the bundle was written/) });
  });
});
