import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, loadIndex, MAX_M, type VectorIndex } from '../../embeddings/index.js';
import { ChecksumError, InvalidArgumentError, InvalidFileError } from '../../src/errors.js';
import { editManifest, randomMatrix, row } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tk-batch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const dim = 4;
const m = randomMatrix(10, dim, 7);

describe('addBatch is all or nothing, on both kinds', () => {
  for (const make of [() => new HnswIndex({ dim }), () => new ExactIndex({ dim })] as (() => VectorIndex)[]) {
    it(`${make().kind}: a bad item anywhere leaves the index as it was`, () => {
      const index = make();
      index.add('k0', row(m, 0, dim));
      const keys = ['k1', 'k2', 'k3'];
      const rows = [row(m, 1, dim), row(m, 2, dim), row(m, 3, dim)];
      // A key already in the index, mid-batch.
      expect(() => index.addBatch(['k1', 'k0', 'k3'], rows)).toThrow(InvalidArgumentError);
      expect(() => index.addBatch(['k1', 'k0', 'k3'], rows)).toThrow(/key 'k0' \(batch item 1\) is already in the index; nothing was added/);
      // A key twice in the batch.
      expect(() => index.addBatch(['k1', 'k2', 'k1'], rows)).toThrow(/key 'k1' appears twice in the batch \(item 2\)/);
      // A bad vector last.
      expect(() => index.addBatch(keys, [rows[0]!, rows[1]!, [1, NaN, 0, 0]])).toThrow(/the vector of 'k3' \(batch item 2\): the value at position 1 is NaN/);
      expect(() => index.addBatch(keys, [rows[0]!, rows[1]!, [1, 0]])).toThrow(/dimension 2, expected 4/);
      expect(index.size).toBe(1);
      expect(index.keys()).toEqual(['k0']);
      // A good batch goes in whole, from a flat matrix too.
      index.addBatch(keys, rows, { metadata: [{ a: 1 }, undefined, 'x'] });
      index.addBatch(['k4', 'k5'], m.slice(4 * dim, 6 * dim));
      expect(index.size).toBe(6);
      expect(index.metadata('k1')).toEqual({ a: 1 });
      expect(index.query(row(m, 5, dim), { k: 1 })[0]!.key).toBe('k5');
    });
  }
});

describe('HNSW parameters and saved files', () => {
  it(`M above ${MAX_M} is refused (hnswlib would cap it silently)`, () => {
    expect(MAX_M).toBe(10_000);
    expect(() => new HnswIndex({ dim, M: 10_001 })).toThrow(InvalidArgumentError);
    expect(() => new HnswIndex({ dim, M: 10_001 })).toThrow(/M must be at most 10000, got 10001/);
    expect(new HnswIndex({ dim, M: 10_000, capacity: 2 }).M).toBe(10_000);
  });

  it("loading an HNSW index whose manifest dim was edited fails, naming both dimensions", async () => {
    const h = new HnswIndex({ dim });
    h.addBatch(['a', 'b', 'c'], m.slice(0, 3 * dim));
    const out = join(dir, 'edited');
    await h.save(out);
    const manifestPath = join(out, 'manifest.json');
    const manifest = await readFile(manifestPath, 'utf8');
    // The manifest's own checksum catches the edit first …
    await editManifest(out, (mf) => (mf.dim = 2), 'kept');
    await expect(loadIndex(out)).rejects.toThrow(ChecksumError);
    // … and in a manifest without one (as older versions wrote), the graph file's dimension does.
    await editManifest(out, () => {}, 'dropped');
    const e = await loadIndex(out).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidFileError);
    expect((e as Error).message).toBe(`${manifestPath}: holds 4-dimensional vectors, but the manifest says dim 2`);
    await writeFile(manifestPath, manifest);
    expect((await loadIndex(out)).dim).toBe(dim);
  });

  it('a loaded cosine HNSW index leaves its zero rows out as well', async () => {
    const h = new HnswIndex({ dim });
    const mz = m.slice();
    mz.fill(0, 2 * dim, 3 * dim);
    h.addBatch(Array.from({ length: 10 }, (_, i) => `k${i}`), mz);
    const out = join(dir, 'zeros');
    await h.save(out);
    const loaded = await loadIndex(out);
    const hits = loaded.query(row(m, 0, dim), { k: 10 });
    expect(hits.map((x) => x.key)).not.toContain('k2');
    expect(hits).toHaveLength(9);
    expect(loaded.query(row(m, 0, dim), { k: 9 })).toHaveLength(9);
  });
});

describe('addBatch takes a flat Float64Array matrix as it takes a Float32Array one', () => {
  for (const make of [() => new HnswIndex({ dim }), () => new ExactIndex({ dim })] as (() => VectorIndex)[]) {
    it(`${make().kind}: the same items either way (it was read as a list of one-number vectors: "8 vectors for 2 keys")`, () => {
      const flat32 = m.subarray(0, 2 * dim);
      const a = make();
      a.addBatch(['a', 'b'], flat32);
      const b = make();
      b.addBatch(['a', 'b'], Float64Array.from(flat32));
      expect(b.size).toBe(2);
      const q = row(m, 1, dim);
      expect(b.query(q, { k: 2 })).toEqual(a.query(q, { k: 2 }));
      expect(() => make().addBatch(['a'], Float64Array.from(flat32))).toThrow(/matrix has 8 values, need 1 × 4/);
    });
  }
});
