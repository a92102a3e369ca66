import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, truncateSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { buildHead } from '../../src/heads/head.js';
import { checkBundleOutput, loadBundle, manifestDigest, saveBundle } from '../../src/bundle/bundle.js';
import { BundleError, InvalidArgumentError, NotFoundError } from '../../src/errors.js';
import { predictProba, Trainer } from '../../src/training/index.js';
import { sha256 } from '../../src/io/hash.js';
import { blobs } from '../helpers/toy.js';

beforeAll(async () => {
  await initEngine();
});

async function trainedBundle() {
  const dir = join(mkdtempSync(join(tmpdir(), 'tk-bundle-')), 'model');
  const data = blobs({ n: 60, dim: 5, classes: 3 });
  const x = data.tensor();
  const model = buildHead({ type: 'mlp', hidden: [8] }, { inputDim: 5, numClasses: 3 });
  await new Trainer(model, { epochs: 2 }).fit({ x, y: data.y });
  await saveBundle(
    dir,
    { kind: 'test-classifier', labels: ['a', 'b', 'c'], preprocessing: { scale: 1 }, metrics: { accuracy: 1 } },
    { model, files: { 'vocab.txt': 'x\ny\n' } },
  );
  return { dir, model, x };
}

describe('model bundles', () => {
  it('round-trip with identical predictions', async () => {
    const { dir, model, x } = await trainedBundle();
    const loaded = await loadBundle(dir, { kind: 'test-classifier' });
    expect(loaded.manifest.labels).toEqual(['a', 'b', 'c']);
    expect(loaded.manifest.preprocessing).toEqual({ scale: 1 });
    expect(loaded.text('vocab.txt')).toBe('x\ny\n');
    const a = await predictProba(model, x);
    const b = await predictProba(loaded.model!, x);
    expect(Array.from(b)).toEqual(Array.from(a));
    tf.dispose([x]);
    model.dispose();
    loaded.model!.dispose();
  });

  it('a truncated weights file is a BundleError naming the file', async () => {
    const { dir, model, x } = await trainedBundle();
    truncateSync(join(dir, 'weights.bin'), 10);
    const err = await loadBundle(dir).catch((e) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect(err.code).toBe('E_BUNDLE');
    expect(err.message).toMatch(/weights\.bin: 10 bytes/);
    tf.dispose([x]);
    model.dispose();
  });

  it('a corrupted or missing file, a missing manifest and a wrong kind are reported', async () => {
    const { dir, model, x } = await trainedBundle();
    const vocab = join(dir, 'vocab.txt');
    writeFileSync(vocab, 'z\ny\n');
    await expect(loadBundle(dir)).rejects.toThrow(/vocab\.txt: checksum/);
    rmSync(vocab);
    await expect(loadBundle(dir)).rejects.toThrow(/vocab\.txt: missing/);
    rmSync(join(dir, 'manifest.json'));
    await expect(loadBundle(dir)).rejects.toThrow(/manifest\.json: missing/);
    await expect(loadBundle(join(dir, 'nope'))).rejects.toBeInstanceOf(NotFoundError);
    // Manifests of the wrong shape are BundleErrors, not TypeErrors.
    for (const manifest of ['null', '{"format": "transferkit-bundle", "files": null, "labels": []}']) {
      writeFileSync(join(dir, 'manifest.json'), manifest);
      await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'E_BUNDLE', message: expect.stringMatching(/not a transferkit bundle manifest/) });
    }
    tf.dispose([x]);
    model.dispose();
  });

  it('saving over an existing bundle of the same kind replaces it whole and leaves no temp folders', async () => {
    const { dir, model, x } = await trainedBundle();
    await saveBundle(dir, { kind: 'test-classifier', labels: ['p', 'q'] }, { files: { 'note.txt': 'hi' } });
    const loaded = await loadBundle(dir);
    expect(loaded.manifest.labels).toEqual(['p', 'q']);
    expect(existsSync(join(dir, 'weights.bin'))).toBe(false);
    expect(readdirSync(join(dir, '..')).filter((f) => f.includes('tmp'))).toEqual([]);
    await expect(loadBundle(dir, { kind: 'other' })).rejects.toThrow(/holds a bundle of kind 'test-classifier', expected kind 'other'/);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files['note.txt'].bytes).toBe(2);
    // another kind of bundle, or a folder transferkit did not write, is never replaced
    await expect(saveBundle(dir, { kind: 'other', labels: ['a', 'b'] })).rejects.toThrow(/refusing to write .* it holds a transferkit output of kind 'test-classifier', not 'other'/);
    const foreign = join(dir, '..', 'photos');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'cat.jpg'), 'not really');
    await expect(saveBundle(foreign, { kind: 'test-classifier', labels: ['a', 'b'] })).rejects.toThrow(/does not hold a transferkit/);
    expect(readFileSync(join(foreign, 'cat.jpg'), 'utf8')).toBe('not really');
    const file = join(dir, '..', 'data.csv');
    writeFileSync(file, 'text,label');
    await expect(saveBundle(file, { kind: 'test-classifier', labels: ['a', 'b'] })).rejects.toThrow(/a file with that name exists/);
    expect(readFileSync(file, 'utf8')).toBe('text,label');
    tf.dispose([x]);
    model.dispose();
  });
});

describe('bundle manifest safety', () => {
  it('a manifest naming a file outside the bundle is rejected, and so is saving one', async () => {
    const { dir, model, x } = await trainedBundle();
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.files['../escape.txt'] = { sha256: '0', bytes: 1 };
    writeFileSync(manifestPath, JSON.stringify(manifest));
    await expect(loadBundle(dir)).rejects.toThrow(/edited after the bundle was written/);
    manifest.manifestSha256 = manifestDigest(manifest);
    writeFileSync(manifestPath, JSON.stringify(manifest));
    await expect(loadBundle(dir)).rejects.toThrow(/invalid file name '\.\.\/escape\.txt'/);
    await expect(saveBundle(join(dir, '..', 'b2'), { kind: 'k', labels: ['a', 'b'] }, { files: { '../x': 'y' } })).rejects.toBeInstanceOf(BundleError);
    tf.dispose([x]);
    model.dispose();
  });
});

/** `value` with the keys of every object in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).reverse().map((k) => [k, reversedKeys((value as Record<string, unknown>)[k])]));
}

describe('manifest integrity', () => {
  it('a manifest whose keys were reordered, or laid out anew, is not an edit', async () => {
    const { dir, model, x } = await trainedBundle();
    const manifestPath = join(dir, 'manifest.json');
    const reordered = reversedKeys(JSON.parse(readFileSync(manifestPath, 'utf8')));
    expect(Object.keys(reordered as object)[0]).toBe('manifestSha256');
    writeFileSync(manifestPath, JSON.stringify(reordered));
    const loaded = await loadBundle(dir);
    expect(loaded.manifest.labels).toEqual(['a', 'b', 'c']);
    loaded.model!.dispose();
    // The order of a list is content: swapped labels are an edit.
    writeFileSync(manifestPath, JSON.stringify({ ...(reordered as object), labels: ['b', 'a', 'c'] }));
    await expect(loadBundle(dir)).rejects.toThrow(/edited after the bundle was written/);
    tf.dispose([x]);
    model.dispose();
  });

  it('a manifest without its checksum is an edited one (every bundle transferkit writes has one)', async () => {
    const { dir, model, x } = await trainedBundle();
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    for (const sha of [undefined, null]) {
      // Relabelled and the checksum deleted: edit detection must not just switch off.
      writeFileSync(manifestPath, JSON.stringify({ ...manifest, labels: ['a', 'rot', 'c'], manifestSha256: sha }));
      const err = await loadBundle(dir).catch((e) => e);
      expect(err).toBeInstanceOf(BundleError);
      expect(err.message).toMatch(/manifest\.json: has no checksum \(manifestSha256\).*it was edited/);
      expect(err.hint).toMatch(/restore the original manifest, or train and save the bundle again/);
    }
    tf.dispose([x]);
    model.dispose();
  });

  it('a bundle whose checksum was taken over the manifest as written (before the canonical form) still loads', async () => {
    const { dir, model, x } = await trainedBundle();
    const manifestPath = join(dir, 'manifest.json');
    const { manifestSha256: _old, ...rest } = JSON.parse(readFileSync(manifestPath, 'utf8'));
    writeFileSync(manifestPath, JSON.stringify({ ...rest, manifestSha256: sha256(JSON.stringify(rest, null, 2)) }, null, 2));
    const loaded = await loadBundle(dir);
    expect(loaded.manifest.labels).toEqual(['a', 'b', 'c']);
    loaded.model!.dispose();
    tf.dispose([x]);
    model.dispose();
  });

  it('an edited manifest (a relabelled class) is detected', async () => {
    const { dir, model, x } = await trainedBundle();
    const manifestPath = join(dir, 'manifest.json');
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('"b"', '"rot"'));
    await expect(loadBundle(dir)).rejects.toThrow(/manifest\.json: edited after the bundle was written/);
    tf.dispose([x]);
    model.dispose();
  });
});

describe('labels and model outputs', () => {
  /** Rewrite the manifest with `change` applied and a checksum that matches: an edit edit detection cannot see. */
  function rewriteManifest(dir: string, change: (m: Record<string, unknown>) => void): void {
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    change(manifest);
    manifest.manifestSha256 = manifestDigest(manifest);
    writeFileSync(path, JSON.stringify(manifest, null, 2));
  }

  it('a bundle records what its model outputs, and loading refuses labels of another count', async () => {
    const { dir, model, x } = await trainedBundle();
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).outputUnits).toBe(3);
    rewriteManifest(dir, (m) => (m.labels = ['a', 'b', 'c', 'd']));
    const err = await loadBundle(dir).catch((e) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect(err.message).toMatch(/manifest\.json: lists 4 labels but the model outputs 3 classes/);
    expect(err.hint).toMatch(/one per output/);
    // Without the rebuilt model too (a bundle read as a backbone), from what the manifest records.
    await expect(loadBundle(dir, { rebuildModel: false })).rejects.toThrow(/lists 4 labels but the model outputs 3 classes/);
    tf.dispose([x]);
    model.dispose();
  });

  it('a bundle that recorded no output size is checked against its rebuilt model', async () => {
    const { dir, model, x } = await trainedBundle();
    rewriteManifest(dir, (m) => {
      delete m.outputUnits;
      m.labels = ['a', 'b'];
    });
    await expect(loadBundle(dir)).rejects.toThrow(/lists 2 labels but the model in model\.json outputs 3 classes/);
    const before = tf.memory().numTensors;
    await loadBundle(dir).catch(() => undefined);
    expect(tf.memory().numTensors).toBe(before); // the rebuilt model is disposed
    tf.dispose([x]);
    model.dispose();
  });

  it('saving labels that do not match the model is refused, and nothing is written', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tk-bundle-')), 'model');
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 3 });
    await expect(saveBundle(dir, { kind: 'test-classifier', labels: ['a', 'b'] }, { model })).rejects.toMatchObject({
      code: 'E_BUNDLE',
      message: expect.stringMatching(/2 labels with a model that outputs 3 classes/),
    });
    expect(existsSync(dir)).toBe(false);
    model.dispose();
  });
});

describe('saving never deletes files that are not the bundle\'s', () => {
  it('files put into a bundle folder (a model.json of your own, notes) block saving over it; the bundle\'s own files do not', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tk-bundle-')), 'model');
    await saveBundle(dir, { kind: 'test-classifier', labels: ['a', 'b'] }, { files: { 'state.json': '{}' } });
    writeFileSync(join(dir, 'model.json'), 'my own model');
    writeFileSync(join(dir, 'notes.txt'), 'my notes');
    const model = buildHead({ type: 'linear' }, { inputDim: 3, numClasses: 2 });
    const err = await saveBundle(dir, { kind: 'test-classifier', labels: ['a', 'b'] }, { model }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(/refusing to write the test-classifier bundle to .*: the bundle there does not list its files 'model\.json', 'notes\.txt', and saving would delete them/);
    expect(err.hint).toMatch(/move them out of/);
    await expect(checkBundleOutput(dir, 'test-classifier')).rejects.toThrow(/does not list its files/);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('my own model');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readdirSync(join(dir, '..'))).toEqual(['model']);
    // Moved out, the same save replaces the bundle (atomically: no temporaries left).
    rmSync(join(dir, 'model.json'));
    rmSync(join(dir, 'notes.txt'));
    await saveBundle(dir, { kind: 'test-classifier', labels: ['a', 'b'] }, { model });
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'model.json', 'weights.bin']);
    // Its own files, even damaged, are its to replace: saving again over a corrupt bundle works.
    truncateSync(join(dir, 'weights.bin'), 3);
    await saveBundle(dir, { kind: 'test-classifier', labels: ['a', 'b'] }, { model, files: { 'vocab.txt': 'x' } });
    expect((await loadBundle(dir)).text('vocab.txt')).toBe('x');
    expect(readdirSync(join(dir, '..'))).toEqual(['model']);
    // A folder in place of a listed file is not the bundle's either.
    rmSync(join(dir, 'vocab.txt'));
    mkdirSync(join(dir, 'vocab.txt'));
    await expect(saveBundle(dir, { kind: 'test-classifier', labels: ['a', 'b'] })).rejects.toThrow(/does not list its file 'vocab\.txt'/);
    model.dispose();
  });

  it('an extra file cannot take a name the bundle writes itself', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tk-bundle-')), 'model');
    const model = buildHead({ type: 'linear' }, { inputDim: 3, numClasses: 2 });
    for (const name of ['model.json', 'weights.bin', 'manifest.json']) {
      await expect(saveBundle(dir, { kind: 'test-classifier', labels: ['a', 'b'] }, { model, files: { [name]: 'mine' } })).rejects.toMatchObject({
        code: 'E_BUNDLE',
        message: expect.stringMatching(new RegExp(`'${name.replace('.', '\\.')}' cannot be an extra bundle file: the bundle writes its own`)),
      });
    }
    expect(existsSync(dir)).toBe(false);
    model.dispose();
  });
});
