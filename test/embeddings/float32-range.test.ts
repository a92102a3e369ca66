import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, ExactIndex, HnswIndex, loadIndex, readEmbeddingsJsonl } from '../../embeddings/index.js';
import { InvalidArgumentError, InvalidFileError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tk-f32-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 1e39 is a finite double but Infinity as float32. */
const overflow = [1, 1e39, 0, 0];

describe('values beyond float32 range', () => {
  for (const kind of ['exact', 'hnsw'] as const) {
    it(`${kind}: add, update, addBatch and query refuse a value whose float32 form is not finite, naming the position`, () => {
      const index = kind === 'exact' ? new ExactIndex({ dim: 4 }) : new HnswIndex({ dim: 4 });
      index.add('a', [1, 0, 0, 0]);
      expect(() => index.add('b', overflow)).toThrow(InvalidArgumentError);
      expect(() => index.add('b', overflow)).toThrow(/position 1 is 1e\+39 \(out of float32 range/);
      expect(() => index.add('b', [0, 0, NaN, 1])).toThrow(/position 2 is NaN/);
      expect(() => index.add('b', [0, 0, 1, -Infinity])).toThrow(/position 3 is -Infinity/);
      expect(() => index.update('a', overflow)).toThrow(/position 1/);
      expect(() => index.addBatch(['b'], [overflow])).toThrow(/the vector of 'b' \(batch item 0\): the value at position 1/);
      expect(() => index.query(overflow)).toThrow(/query vector: the value at position 1 is 1e\+39/);
      expect(() => index.queryBatch([[1, 0, 0, 0], overflow])).toThrow(/query 1: the value at position 1/);
      expect(index.size).toBe(1);
      expect(index.query([1, 0, 0, 0], { k: 1 })[0]!.score).toBeCloseTo(1, 6);
      // The largest float32 is fine.
      index.add('max', [3.4e38, 0, 0, 0]);
    });
  }

  it('buildIndex refuses a matrix with NaN or ±Infinity (exact indexes use the matrix as is)', () => {
    const matrix = Float32Array.from([1, 0, 0, 1, NaN, 0]);
    for (const kind of ['exact', 'hnsw'] as const) {
      expect(() => buildIndex({ keys: ['a', 'b', 'c'], matrix, dim: 2, kind })).toThrow(InvalidArgumentError);
      expect(() => buildIndex({ keys: ['a', 'b', 'c'], matrix, dim: 2, kind })).toThrow(/the vector of 'c' \(row 2\): the value at position 0 is NaN/);
    }
    expect(() => ExactIndex.fromMatrix({ keys: ['a'], matrix: Float32Array.from([1, 2]), dim: 2 }).queryBatch(Float32Array.from([Infinity, 0]))).toThrow(/query 0: the value at position 0 is Infinity/);
  });

  it('readEmbeddingsJsonl refuses 1e39 and 1e400 with file, line and position, saying they are out of range', async () => {
    const f = join(dir, 'big.jsonl');
    await writeFile(f, '{"key": "a", "vector": [1, 2]}\n{"key": "b", "vector": [1, 1e39]}\n');
    const e = await readEmbeddingsJsonl(f).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidFileError);
    expect((e as Error).message).toBe(`${f} (line 2): "vector"[1] is not a finite float32 number (got 1e+39: out of float32 range, at most ±3.40e+38)`);
    await writeFile(f, '{"key": "a", "vector": [1, 2]}\n\n{"key": "b", "vector": [1e400, 1]}\n');
    const e2 = await readEmbeddingsJsonl(f).catch((x: unknown) => x);
    expect((e2 as Error).message).toMatch(/\(line 3\): "vector"\[0\] is not a finite float32 number \(got a number too large even for a double, read as Infinity: out of float32 range/);
    expect((e2 as Error).message).not.toMatch(/null/);
  });

  it('cosine HNSW stores a vector with huge (or tiny) values by its direction, not as zeros', () => {
    const h = new HnswIndex({ dim: 4 });
    h.add('huge', [1e20, 0, 0, 0]);
    h.add('tiny', [0, 1e-25, 0, 0]);
    h.add('b', [1, 1, 0, 0]);
    expect(Array.from(h.vector('huge')!)).toEqual([1, 0, 0, 0]);
    expect(Array.from(h.vector('tiny')!)).toEqual([0, 1, 0, 0]);
    const hits = h.query([1e20, 0, 0, 0], { k: 2 });
    expect(hits.map((x) => x.key)).toEqual(['huge', 'b']);
    expect(hits[0]!.score).toBeCloseTo(1, 6);
  });

  it('l2 HNSW: a query whose squared length overflows float32 is refused; overflowed distances are recomputed in float64', async () => {
    const h = new HnswIndex({ dim: 4, metric: 'l2' });
    h.add('far', [1e20, 0, 0, 0]);
    h.add('b', [1, 1, 0, 0]);
    h.add('c', [0, 1, 0, 0]);
    expect(() => h.query([1e20, 0, 0, 0])).toThrow(InvalidArgumentError);
    expect(() => h.query([1e20, 0, 0, 0])).toThrow(/squared length 1\.00e\+40 overflows float32/);
    expect(() => h.queryBatch([[0, 0, 0, 0], [0, 2e19, 0, 0]])).toThrow(/query 1 is too long/);
    // An exact index computes in float64 and answers it.
    const e = new ExactIndex({ dim: 4, metric: 'l2' });
    e.addBatch(['far', 'b'], [[1e20, 0, 0, 0], [1, 1, 0, 0]]);
    expect(e.query([1e20, 0, 0, 0], { k: 2 }).map((x) => x.key)).toEqual(['far', 'b']);
    // An ordinary query: the far item's distance (1e40) overflows float32 in hnswlib, is recomputed, and ranks last.
    const hits = h.query([0, 1, 0, 0], { k: 3 });
    expect(hits.map((x) => x.key)).toEqual(['c', 'b', 'far']);
    expect(Number.isFinite(hits[2]!.distance)).toBe(true);
    expect(hits[2]!.distance).toBeCloseTo(1e40, -34);
    expect(JSON.parse(JSON.stringify(hits))[2].score).not.toBeNull();
    // ip too.
    const ip = new HnswIndex({ dim: 2, metric: 'ip' });
    ip.add('a', [1e20, 0]);
    ip.add('b', [1, 0]);
    const top = ip.query([1e20, 0], { k: 2 });
    expect(top.map((x) => x.key)).toEqual(['a', 'b']);
    expect(top[0]!.score).toBeCloseTo(1e40, -34);
    await h.save(join(dir, 'l2'));
    expect((await loadIndex(join(dir, 'l2'))).query([0, 1, 0, 0], { k: 3 }).map((x) => x.key)).toEqual(['c', 'b', 'far']);
  });
});
