/** buildIndex and HnswIndex refuse options they would silently ignore or misread. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIndex, HnswIndex, loadIndex, MAX_SEED } from '../../embeddings/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { editManifest, randomMatrix } from './helpers.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

const keys = ['a', 'b', 'c'];
const matrix = randomMatrix(3, 2, 4);

describe('buildIndex options', () => {
  it('a key given twice is refused before HNSW is built, named as a duplicate (it said "already in the index" midway)', () => {
    const twice = ['a', 'b', 'c', 'b'];
    const m = randomMatrix(4, 2, 5);
    for (const kind of ['hnsw', 'exact'] as const) {
      expect(() => buildIndex({ keys: twice, matrix: m, dim: 2, kind }), kind).toThrow(/^duplicate key 'b' at position/);
    }
    expect(() => buildIndex({ keys: twice, matrix: m, dim: 2, kind: 'hnsw' })).toThrow("duplicate key 'b' at positions 1 and 3");
  });

  it('an unknown kind is refused (it built HNSW)', () => {
    const build = () => buildIndex({ keys, matrix, dim: 2, kind: 'bogus' as 'auto' });
    expect(build).toThrow(InvalidArgumentError);
    expect(build).toThrow("unknown index kind 'bogus'");
    try {
      build();
    } catch (e) {
      expect((e as InvalidArgumentError).hint).toBe('use one of auto, exact, hnsw');
    }
  });

  it('HNSW options with kind exact are refused, named (tune and M were ignored)', () => {
    const err = (() => {
      try {
        buildIndex({ keys, matrix, dim: 2, kind: 'exact', tune: true, M: 4 });
      } catch (e) {
        return e as InvalidArgumentError;
      }
    })();
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err!.message).toBe('M, tune are HNSW options: an exact index has no graph and searches exhaustively');
    expect(err!.hint).toMatch(/leave them out, or build with kind 'hnsw'/);
    expect(() => buildIndex({ keys, matrix, dim: 2, kind: 'exact', ef: 40 })).toThrow(/^ef is an HNSW option/);
    for (const option of [{ efConstruction: 40 }, { seed: 3 }, { tune: { target: 0.9 } }]) {
      expect(() => buildIndex({ keys, matrix, dim: 2, kind: 'exact', ...option }), JSON.stringify(option)).toThrow(/HNSW option/);
    }
    // Left out, undefined, tune: false or a default value (the CLI passes its defaults) change nothing.
    expect(buildIndex({ keys, matrix, dim: 2, kind: 'exact', M: undefined, tune: false }).index.kind).toBe('exact');
    expect(buildIndex({ keys, matrix, dim: 2, kind: 'exact', M: 16, efConstruction: 200, ef: 256, seed: 100 }).index.kind).toBe('exact');
    // 'auto' takes them for when it builds HNSW, and checks them even when it builds exact.
    expect(buildIndex({ keys, matrix, dim: 2, kind: 'auto', M: 4, tune: true })).toMatchObject({ index: { kind: 'exact' }, tuning: null });
    expect(() => buildIndex({ keys, matrix, dim: 2, kind: 'auto', M: -4 })).toThrow('M must be a positive integer, got -4');
    expect(() => buildIndex({ keys, matrix, dim: 2, kind: 'auto', seed: NaN })).toThrow(/seed must be an integer/);
  });
});

describe('HnswIndex seed', () => {
  it('must be an integer from 0 to 2^32 − 1 (NaN was accepted and saved as null; -1 and 1.5 were other seeds)', () => {
    for (const seed of [NaN, -1, 1.5, MAX_SEED + 1, Infinity]) {
      expect(() => new HnswIndex({ dim: 2, seed }), String(seed)).toThrow(InvalidArgumentError);
      expect(() => new HnswIndex({ dim: 2, seed }), String(seed)).toThrow(`seed must be an integer from 0 to ${MAX_SEED}, got ${seed}`);
    }
    expect(new HnswIndex({ dim: 2, seed: 0 }).seed).toBe(0);
    expect(new HnswIndex({ dim: 2, seed: MAX_SEED }).seed).toBe(MAX_SEED);
  });

  it('an index saved with a seed now refused still loads, recording the seed hnswlib used', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tk-seed-'));
    tmp.push(dir);
    const index = new HnswIndex({ dim: 2 });
    index.addBatch(keys, matrix);
    for (const [saved, used] of [[-1, MAX_SEED], [null, 0]] as const) {
      const out = join(dir, `idx-${String(saved)}`);
      await index.save(out);
      // Saved by a version that recorded no checksum of the manifest.
      await editManifest(out, (manifest) => (manifest.params.seed = saved), 'dropped');
      const loaded = (await loadIndex(out)) as HnswIndex;
      expect(loaded.seed).toBe(used);
      expect(loaded.size).toBe(3);
    }
  });
});
