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
    const { readFile, writeFile } = await import('node:fs/promises');
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
    const manifestPath = join(dir, 'exact', 'manifest.json');
    const m = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...m, recipe: 'mean of glove' }));
    await expect(loadIndex(join(dir, 'exact'))).rejects.toThrow(/recipe is not a JSON object/);
  });
});
