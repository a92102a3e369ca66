import { mkdtemp, rm, truncate, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, DEFAULT_EF, evaluate, loadIndex, readManifest, tuneEf } from '../../embeddings/index.js';
import { DimensionMismatchError, InvalidArgumentError, InvalidFileError, KeyNotFoundError, NotFoundError } from '../../src/errors.js';
import { randomMatrix, row } from './helpers.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tk-hnsw-'));
  tmp.push(d);
  return d;
}

const dim = 16;
const n = 2000;
const m = randomMatrix(n, dim, 21);
const keys = Array.from({ length: n }, (_, i) => `w${i}`);

function build(metric: 'cosine' | 'l2' | 'ip' = 'cosine', capacity = 64): HnswIndex {
  const index = new HnswIndex({ dim, metric, capacity, M: 12, efConstruction: 100 });
  index.addBatch(keys, m, { metadata: keys.map((_, i) => ({ group: i % 4 })) });
  return index;
}

describe('HnswIndex', () => {
  it('documents its defaults', () => {
    const index = new HnswIndex({ dim: 4 });
    expect(index.metric).toBe('cosine');
    expect(index.M).toBe(16);
    expect(index.efConstruction).toBe(200);
    expect(index.ef).toBe(DEFAULT_EF);
    expect(index.size).toBe(0);
    expect(index.query([1, 0, 0, 0])).toEqual([]);
  });

  it('grows past its initial capacity and finds items', () => {
    const index = build('cosine', 10);
    expect(index.size).toBe(n);
    expect(index.capacity).toBeGreaterThanOrEqual(n);
    const hits = index.query(row(m, 42, dim), { k: 5 });
    expect(hits[0]!.key).toBe('w42');
    expect(hits[0]!.distance).toBeCloseTo(0, 5);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect(hits[0]!.metadata).toEqual({ group: 2 });
    // one at a time, too
    const small = new HnswIndex({ dim, capacity: 2 });
    for (let i = 0; i < 50; i++) small.add(keys[i]!, row(m, i, dim));
    expect(small.size).toBe(50);
  });

  for (const metric of ['cosine', 'l2', 'ip'] as const) {
    it(`reaches high recall@10 against exact search (${metric})`, () => {
      const index = build(metric);
      const truth = ExactIndex.fromMatrix({ keys, matrix: m, dim, metric });
      const queries = randomMatrix(50, dim, 99);
      const res = evaluate(index, queries, { k: 10, truth });
      expect(res.recall).toBeGreaterThan(0.95);
      expect(res.qps).toBeGreaterThan(0);
      // Scores agree with exact search for the same keys.
      const a = index.query(row(queries, 0, dim), { k: 3 });
      const b = truth.query(row(queries, 0, dim), { k: 3 });
      expect(a[0]!.key).toBe(b[0]!.key);
      expect(a[0]!.score).toBeCloseTo(b[0]!.score, 4);
      expect(a[0]!.distance).toBeCloseTo(b[0]!.distance, 4);
    });
  }

  it('delete, re-add, update, exclude, filter', () => {
    const index = build();
    const q = row(m, 7, dim);
    expect(index.delete('w7')).toBe(true);
    expect(index.delete('w7')).toBe(false);
    expect(index.size).toBe(n - 1);
    expect(index.query(q, { k: 10 }).map((h) => h.key)).not.toContain('w7');
    // re-adding reuses the freed slot without growing
    const cap = index.capacity;
    index.add('again', q);
    expect(index.capacity).toBe(cap);
    expect(index.query(q, { k: 1 })[0]!.key).toBe('again');
    expect(() => index.add('again', q)).toThrow(InvalidArgumentError);
    index.update('w9', q, { moved: true });
    const top2 = index.query(q, { k: 2 }).map((h) => h.key).sort();
    expect(top2).toEqual(['again', 'w9']);
    expect(index.metadata('w9')).toEqual({ moved: true });
    expect(() => index.update('missing', q)).toThrow(KeyNotFoundError);
    const ex = index.query(q, { k: 5, exclude: ['again', 'w9'] });
    expect(ex).toHaveLength(5);
    expect(ex.map((h) => h.key)).not.toContain('again');
    const filtered = index.query(q, { k: 5, filter: (_k, md) => (md as { group?: number } | undefined)?.group === 1 });
    expect(filtered).toHaveLength(5);
    for (const h of filtered) expect(h.metadata).toEqual({ group: 1 });
  });

  it('batch queries and per-query ef', () => {
    const index = build();
    const qs = randomMatrix(5, dim, 3);
    const batch = index.queryBatch(qs, { k: 4, ef: 300 });
    expect(batch).toHaveLength(5);
    for (let i = 0; i < 5; i++) expect(batch[i]).toEqual(index.query(row(qs, i, dim), { k: 4, ef: 300 }));
    expect(index.ef).toBe(DEFAULT_EF);
  });

  it('rejects wrong dimensions naming the expected one', () => {
    const index = build();
    expect(() => index.query(new Float32Array(3))).toThrow(DimensionMismatchError);
    expect(() => index.query(new Float32Array(3))).toThrow(/expected 16/);
    expect(() => index.add('x', [1, 2])).toThrow(DimensionMismatchError);
  });

  it('tuneEf finds the smallest ef reaching the target and sets it', () => {
    const index = build();
    const queries = randomMatrix(60, dim, 5);
    const res = tuneEf(index, queries, { target: 0.97, k: 10 });
    expect(res.reached).toBe(true);
    expect(res.recall).toBeGreaterThanOrEqual(0.97);
    expect(index.ef).toBe(res.ef);
    // Every ef tried below the answer missed the target.
    for (const t of res.trials) if (t.ef < res.ef) expect(t.recall).toBeLessThan(0.97);
    expect(res.ef).toBeGreaterThanOrEqual(10);
    // An easy target is met at ef = k, never below.
    expect(tuneEf(index, queries, { target: 0.01, k: 10, apply: false }).ef).toBe(10);
    const low = index.evaluate(queries, { k: 10, ef: 1 });
    expect(low.recall).toBeLessThan(1);
  });

  it('saves and loads with its parameters; detects truncation and missing files', async () => {
    const index = build('l2');
    index.delete('w3');
    index.ef = 77;
    const dir = join(await tempDir(), 'h');
    await index.save(dir);
    const manifest = await readManifest(dir);
    expect(manifest).toMatchObject({ kind: 'hnsw', dim, metric: 'l2', count: n - 1, slots: n });
    expect(manifest.params).toMatchObject({ M: 12, efConstruction: 100, ef: 77 });
    expect(manifest.files['index.hnsw']!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const loaded = (await loadIndex(dir)) as HnswIndex;
    expect(loaded.kind).toBe('hnsw');
    expect(loaded.ef).toBe(77);
    expect(loaded.has('w3')).toBe(false);
    expect(loaded.metadata('w5')).toEqual({ group: 1 });
    const q = row(m, 11, dim);
    expect(loaded.query(q, { k: 5 })).toEqual(index.query(q, { k: 5 }));
    // adding after load works and reuses the deleted slot
    loaded.add('w3b', row(m, 3, dim));
    expect(loaded.query(row(m, 3, dim), { k: 1 })[0]!.key).toBe('w3b');

    const file = join(dir, 'index.hnsw');
    const bytes = await readFile(file);
    await truncate(file, 1000);
    await expect(loadIndex(dir)).rejects.toThrow(InvalidFileError);
    await expect(loadIndex(dir)).rejects.toThrow(/index\.hnsw.*truncated/);
    await writeFile(file, bytes);
    await expect(loadIndex(join(dir, 'nope'))).rejects.toThrow(NotFoundError);
    await rm(join(dir, 'keys.json'));
    await expect(loadIndex(dir)).rejects.toThrow(/keys\.json is missing/);
  });
});
