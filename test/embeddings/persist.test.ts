import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExactIndex } from '../../embeddings/index.js';
import { loadIndex } from '../../embeddings/load.js';
import { NotFoundError } from '../../src/errors.js';
import { randomMatrix } from './helpers.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

describe('index directory files (checked with the core verifyListedFile)', () => {
  it('a folder where a listed file should be is reported as the missing file, not as a size mismatch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tk-persist-'));
    tmp.push(dir);
    const out = join(dir, 'idx');
    const dim = 4;
    await ExactIndex.fromMatrix({ keys: ['a', 'b', 'c'], matrix: randomMatrix(3, dim, 5), dim }).save(out);
    await rm(join(out, 'vectors.f32'));
    await mkdir(join(out, 'vectors.f32'));
    for (const verify of [true, false]) {
      const e = await loadIndex(out, { verify }).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as NotFoundError).code).toBe('E_NOT_FOUND');
      expect((e as Error).message).toMatch(/vectors\.f32 is missing from the index directory/);
    }
  });
});

describe('the embedding recipe', () => {
  it('is saved with the index and loaded back, for both kinds; absent stays absent; a malformed one is refused', async () => {
    const { buildIndex, readManifest } = await import('../../embeddings/index.js');
    const { readFile } = await import('node:fs/promises');
    const dir = await mkdtemp(join(tmpdir(), 'tk-recipe-'));
    tmp.push(dir);
    const dim = 8;
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const recipe = { kind: 'text-vectors', vectors: 'glove-wink-100d', representation: 'mean' };
    for (const kind of ['exact', 'hnsw'] as const) {
      const out = join(dir, kind);
      await buildIndex({ keys, matrix: randomMatrix(50, dim, 3), dim, kind, recipe }).index.save(out);
      expect((await loadIndex(out)).recipe).toEqual(recipe);
      expect((await readManifest(out)).recipe).toEqual(recipe);
      const plain = join(dir, `${kind}-plain`);
      await buildIndex({ keys, matrix: randomMatrix(50, dim, 3), dim, kind }).index.save(plain);
      expect((await loadIndex(plain)).recipe).toBeUndefined();
      expect('recipe' in JSON.parse(await readFile(join(plain, 'manifest.json'), 'utf8'))).toBe(false);
    }
    // Edited after the save: the manifest's checksum refuses it; in a manifest without one (older
    // versions), the recipe itself is checked.
    const { editManifest } = await import('./helpers.js');
    const { ChecksumError } = await import('../../src/errors.js');
    await editManifest(join(dir, 'exact'), (m) => (m.recipe = 'mean of glove'), 'kept');
    await expect(loadIndex(join(dir, 'exact'))).rejects.toThrow(ChecksumError);
    await editManifest(join(dir, 'exact'), () => {}, 'dropped');
    await expect(loadIndex(join(dir, 'exact'))).rejects.toThrow(/recipe is not a JSON object/);
    expect(await readFile(join(dir, 'exact', 'manifest.json'), 'utf8')).not.toMatch(/manifestSha256/);
  });
});

describe('saving over an index folder never deletes what is not the index\'s', () => {
  it('files the manifest does not list block the save, named; the index\'s own files (even damaged) do not', async () => {
    const { checkIndexOutput } = await import('../../embeddings/index.js');
    const { readdir, readFile, truncate, writeFile } = await import('node:fs/promises');
    const { InvalidArgumentError } = await import('../../src/errors.js');
    const parent = await mkdtemp(join(tmpdir(), 'tk-foreign-'));
    tmp.push(parent);
    const dir = join(parent, 'idx');
    const dim = 4;
    const index = ExactIndex.fromMatrix({ keys: ['a', 'b'], matrix: randomMatrix(2, dim, 3), dim });
    await index.save(dir);
    await writeFile(join(dir, 'notes.txt'), 'my notes');
    await mkdir(join(dir, 'plots'));
    const err = await index.save(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/refusing to write the index to .*idx: the index there does not list its files 'notes\.txt', 'plots', and saving would delete them/);
    expect((err as InvalidArgumentError).hint).toMatch(/move them out of/);
    await expect(checkIndexOutput(dir)).rejects.toThrow(/does not list its files 'notes\.txt', 'plots'/);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(await readdir(parent)).toEqual(['idx']);
    // Moved out, the save replaces the index; its own files are its to replace, even damaged.
    await rm(join(dir, 'notes.txt'));
    await rm(join(dir, 'plots'), { recursive: true });
    await truncate(join(dir, 'vectors.f32'), 3);
    await index.save(dir);
    expect((await readdir(dir)).sort()).toEqual(['keys.json', 'manifest.json', 'vectors.f32']);
    expect((await loadIndex(dir)).size).toBe(2);
    // A folder in place of a listed file is not the index's either.
    await rm(join(dir, 'keys.json'));
    await mkdir(join(dir, 'keys.json'));
    await expect(index.save(dir)).rejects.toThrow(/does not list its file 'keys\.json'/);
    // An HNSW index saved over an exact one: the exact one's files are listed, so it is replaced.
    await rm(join(dir, 'keys.json'), { recursive: true });
    await writeFile(join(dir, 'keys.json'), '{}');
    const { HnswIndex } = await import('../../embeddings/index.js');
    const hnsw = new HnswIndex({ dim });
    hnsw.addBatch(['a', 'b'], randomMatrix(2, dim, 3));
    await hnsw.save(dir);
    expect((await readdir(dir)).sort()).toEqual(['index.hnsw', 'keys.json', 'manifest.json']);
    expect(await readdir(parent)).toEqual(['idx']);
  });

});

describe('the manifest\'s own checksum (manifestSha256)', () => {
  const save = async (name: string) => {
    const dir = await mkdtemp(join(tmpdir(), `tk-${name}-`));
    tmp.push(dir);
    const out = join(dir, 'idx');
    const { HnswIndex } = await import('../../embeddings/index.js');
    const index = new HnswIndex({ dim: 4, ef: 64 });
    index.addBatch(['a', 'b', 'c'], randomMatrix(3, 4, 5));
    await index.save(out);
    return out;
  };

  it('is written over the other fields in canonical JSON, and checked by readManifest and loadIndex', async () => {
    const { readFile } = await import('node:fs/promises');
    const { indexManifestDigest, readManifest } = await import('../../embeddings/index.js');
    const out = await save('digest');
    const written = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(written.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(written.manifestSha256).toBe(indexManifestDigest(written));
    expect((await readManifest(out)).manifestSha256).toBe(written.manifestSha256);
  });

  it('an edited ef (or any field) is refused with E_CHECKSUM naming the manifest, by loadIndex (verify or not) and readManifest', async () => {
    const { ChecksumError } = await import('../../src/errors.js');
    const { readManifest } = await import('../../embeddings/index.js');
    const { editManifest } = await import('./helpers.js');
    const out = await save('edited');
    const path = await editManifest(out, (m) => (m.params.ef = 10), 'kept');
    for (const read of [() => loadIndex(out), () => loadIndex(out, { verify: false }), () => readManifest(out)]) {
      const e = await read().then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(ChecksumError);
      expect((e as ChecksumError).code).toBe('E_CHECKSUM');
      expect((e as Error).message).toBe(`${path}: edited or damaged since the index was saved (its content does not match its checksum, manifestSha256)`);
      expect((e as ChecksumError).hint).toMatch(/restore the original manifest .*rebuild the index; to change a parameter such as ef, load the index, set it \(index\.ef = 80\) and save it again/);
    }
    // An edited value nested elsewhere, an added field, a damaged checksum: all refused.
    await editManifest(out, (m) => (m.params.ef = 64), 'kept');
    expect(((await loadIndex(out)) as { ef: number }).ef).toBe(64);
    await editManifest(out, (m) => (m.note = 'mine'), 'kept');
    await expect(loadIndex(out)).rejects.toThrow(ChecksumError);
    await editManifest(out, (m) => delete m.note, 'kept');
    await editManifest(out, (m) => (m.manifestSha256 = String(m.manifestSha256).replace(/^./, (c) => (c === '0' ? '1' : '0'))), 'kept');
    await expect(loadIndex(out)).rejects.toThrow(/does not match its checksum/);
    await editManifest(out, (m) => (m.manifestSha256 = 12), 'kept');
    await expect(loadIndex(out)).rejects.toThrow(/its checksum \(manifestSha256\) is a number, not a sha256/);
    await editManifest(out, (m) => (m.manifestSha256 = null), 'kept');
    await expect(readManifest(out)).rejects.toThrow(/its checksum \(manifestSha256\) is null, not a sha256/);
  });

  it('reordered or re-laid-out keys are not an edit', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const out = await save('reorder');
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const reverse = (v: unknown): unknown =>
      v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    await writeFile(join(out, 'manifest.json'), JSON.stringify(reverse(manifest), null, 7) + '\r\n');
    const loaded = await loadIndex(out);
    expect(loaded.keys()).toEqual(['a', 'b', 'c']);
  });

  it('a manifest without one (written before it was recorded) loads as before, its values read as written', async () => {
    const { editManifest } = await import('./helpers.js');
    const { readManifest } = await import('../../embeddings/index.js');
    const out = await save('legacy');
    await editManifest(out, (m) => (m.params.ef = 33), 'dropped');
    expect((await readManifest(out)).manifestSha256).toBeUndefined();
    const loaded = (await loadIndex(out)) as { ef: number; size: number };
    expect(loaded.ef).toBe(33);
    expect(loaded.size).toBe(3);
    // Saved again, it gets one.
    await (loaded as unknown as { save(d: string): Promise<void> }).save(out);
    expect((await readManifest(out)).manifestSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
