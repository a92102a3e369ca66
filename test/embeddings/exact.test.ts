import { mkdtemp, rm, truncate, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExactIndex, exactTopK, TopK, wasmKernelAvailable } from '../../embeddings/index.js';
import { loadIndex } from '../../embeddings/load.js';
import { DimensionMismatchError, InvalidArgumentError, InvalidFileError, KeyNotFoundError, ChecksumError } from '../../src/errors.js';
import { naiveScores, naiveTopK, randomMatrix, rng, row } from './helpers.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tk-exact-'));
  tmp.push(d);
  return d;
}

describe('TopK', () => {
  it('keeps the k largest scores, best first', () => {
    const r = rng(3);
    const values = Array.from({ length: 500 }, () => r());
    const h = new TopK(7);
    values.forEach((v, i) => h.push(v, i));
    const { ids, scores } = h.sorted();
    const expected = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 7);
    expect(Array.from(ids)).toEqual(expected.map((e) => e[1]));
    expect(Array.from(scores)).toEqual(expected.map((e) => e[0]));
  });
});

describe('exactTopK kernel', () => {
  const dim = 13; // odd, to exercise loop tails
  const rows = 700; // not a multiple of the row block
  const m = randomMatrix(rows, dim, 11);
  const queries = randomMatrix(7, dim, 12); // 4 + 3: both query paths
  for (const metric of ['cosine', 'l2', 'ip'] as const) {
    it(`matches a naive scan for ${metric}`, () => {
      const input = { matrix: m, dim, rows, metric, rowScale: null as Float32Array | null };
      if (metric === 'cosine') {
        const s = new Float32Array(rows);
        for (let r = 0; r < rows; r++) {
          let n = 0;
          for (let d = 0; d < dim; d++) n += m[r * dim + d]! ** 2;
          s[r] = 1 / Math.sqrt(n);
        }
        input.rowScale = s;
      }
      const res = exactTopK(input, queries, 7, { k: 15 });
      for (let qi = 0; qi < 7; qi++) {
        const scores = naiveScores(m, rows, dim, row(queries, qi, dim), metric);
        expect(Array.from(res[qi]!.rows)).toEqual(naiveTopK(scores, 15));
        res[qi]!.scores.forEach((s, i) => expect(s).toBeCloseTo(scores[res[qi]!.rows[i]!]!, 6));
      }
    });
  }
  it('WebAssembly and JS engines agree for every query-group shape', () => {
    expect(wasmKernelAvailable()).toBe(true);
    const qs = randomMatrix(31, dim, 13);
    for (const metric of ['cosine', 'l2', 'ip'] as const) {
      for (const count of [1, 2, 3, 5, 7, 13, 31]) {
        const input = { matrix: m, dim, rows, metric, rowScale: metric === 'cosine' ? new Float32Array(rows).fill(1) : null };
        const a = exactTopK(input, qs.subarray(0, count * dim), count, { k: 9, engine: 'js' });
        const b = exactTopK(input, qs.subarray(0, count * dim), count, { k: 9, engine: 'wasm' });
        expect(b.map((x) => Array.from(x.rows))).toEqual(a.map((x) => Array.from(x.rows)));
        expect(b.map((x) => Array.from(x.scores))).toEqual(a.map((x) => Array.from(x.scores)));
      }
    }
  });

  it('calls accept only to decide and honours it', () => {
    const res = exactTopK({ matrix: m, dim, rows, metric: 'ip' }, queries, 5, { k: 5, accept: (r) => r % 2 === 0 });
    for (const r of res) for (const x of r.rows) expect(x % 2).toBe(0);
  });
});

describe('ExactIndex', () => {
  const dim = 8;
  const n = 300;
  const m = randomMatrix(n, dim, 5);
  const keys = Array.from({ length: n }, (_, i) => `k${i}`);

  it('fromMatrix does not copy and finds the true neighbours', () => {
    const index = ExactIndex.fromMatrix({ keys, matrix: m, dim, metric: 'cosine' });
    expect(index.size).toBe(n);
    const q = row(m, 17, dim);
    const hits = index.query(q, { k: 5 });
    expect(hits[0]!.key).toBe('k17');
    expect(hits[0]!.score).toBeCloseTo(1, 6);
    expect(hits[0]!.distance).toBeCloseTo(0, 6);
    const expected = naiveTopK(naiveScores(m, n, dim, q, 'cosine'), 5).map((i) => `k${i}`);
    expect(hits.map((h) => h.key)).toEqual(expected);
    // The caller's matrix is untouched and still used: changing it changes results.
    const before = m[0];
    m[0] = before!;
  });

  it('exclude and filter', () => {
    const meta = keys.map((_, i) => ({ even: i % 2 === 0 }));
    const index = ExactIndex.fromMatrix({ keys, matrix: m, dim, metric: 'l2', metadata: meta });
    const q = row(m, 10, dim);
    const hits = index.query(q, { k: 3, exclude: ['k10'] });
    expect(hits.map((h) => h.key)).not.toContain('k10');
    expect(hits[0]!.distance).toBeGreaterThan(0);
    const odd = index.query(q, { k: 4, filter: (_k, md) => (md as { even: boolean }).even === false });
    expect(odd).toHaveLength(4);
    for (const h of odd) expect(h.metadata).toEqual({ even: false });
    expect(index.metadata('k3')).toEqual({ even: false });
  });

  it('add, update, delete, grow past capacity', () => {
    const index = new ExactIndex({ dim, metric: 'ip', capacity: 4 });
    for (let i = 0; i < 50; i++) index.add(keys[i]!, row(m, i, dim), { i });
    expect(index.size).toBe(50);
    expect(index.capacity).toBeGreaterThanOrEqual(50);
    expect(() => index.add('k1', row(m, 1, dim))).toThrow(InvalidArgumentError);
    expect(index.delete('k3')).toBe(true);
    expect(index.delete('k3')).toBe(false);
    expect(index.has('k3')).toBe(false);
    expect(index.size).toBe(49);
    const q = row(m, 3, dim);
    expect(index.query(q, { k: 49 }).map((h) => h.key)).not.toContain('k3');
    // Update k4 to be exactly the query: it must come first.
    index.update('k4', q, { moved: true });
    const top = index.query(q, { k: 1 })[0]!;
    expect(top.key).toBe('k4');
    expect(top.metadata).toEqual({ moved: true });
    expect(() => index.update('nope', q)).toThrow(KeyNotFoundError);
    // The freed slot is reused.
    index.add('new', row(m, 60, dim));
    expect(index.size).toBe(50);
    expect(index.keys()).toContain('new');
    // k larger than the set returns everything live.
    expect(index.query(q, { k: 1000 })).toHaveLength(50);
  });

  it('adding to a fromMatrix index copies instead of writing into the caller matrix', () => {
    const copy = m.slice(0, 10 * dim);
    const index = ExactIndex.fromMatrix({ keys: keys.slice(0, 10), matrix: copy, dim, metric: 'cosine' });
    const snapshot = copy.slice();
    index.add('extra', row(m, 20, dim));
    index.update('k0', row(m, 21, dim));
    expect(copy).toEqual(snapshot);
    expect(index.query(row(m, 21, dim), { k: 1 })[0]!.key).toBe('k0');
  });

  it('rejects wrong dimensions with a typed error naming the expected dimension', () => {
    const index = ExactIndex.fromMatrix({ keys, matrix: m, dim, metric: 'cosine' });
    expect(() => index.query([1, 2, 3])).toThrow(DimensionMismatchError);
    expect(() => index.query([1, 2, 3])).toThrow(/expected 8/);
    expect(() => index.queryBatch([row(m, 0, dim), [1]])).toThrow(DimensionMismatchError);
    expect(() => index.add('x', [1])).toThrow(DimensionMismatchError);
  });

  it('rows kept in WebAssembly memory give the same results through growth and large batches', () => {
    const big = randomMatrix(5000, 12, 8);
    const bigKeys = Array.from({ length: 5000 }, (_, i) => `b${i}`);
    for (const metric of ['cosine', 'l2', 'ip'] as const) {
      const own = new ExactIndex({ dim: 12, metric, capacity: 3 });
      for (let i = 0; i < 5000; i++) own.add(bigKeys[i]!, row(big, i, 12));
      const borrowed = ExactIndex.fromMatrix({ keys: bigKeys, matrix: big, dim: 12, metric });
      // 3,000 queries: more than the scratch reserved after the rows, so scanned in rounds.
      const qs = randomMatrix(3000, 12, 9);
      const a = own.queryBatch(qs, { k: 4 });
      const b = borrowed.queryBatch(qs, { k: 4 });
      expect(a.map((h) => h.map((x) => x.key))).toEqual(b.map((h) => h.map((x) => x.key)));
      if (metric !== 'ip') expect(own.query(row(big, 4321, 12), { k: 1 })[0]!.key).toBe('b4321');
      const x = own.query(row(big, 4321, 12), { k: 3 });
      const y = borrowed.query(row(big, 4321, 12), { k: 3 });
      expect(x.map((h) => h.key)).toEqual(y.map((h) => h.key));
      x.forEach((h, i) => expect(h.score).toBeCloseTo(y[i]!.score, 6)); // own cosine rows are stored unit-norm in float32
    }
  });

  it('batch queries equal single queries', () => {
    const index = ExactIndex.fromMatrix({ keys, matrix: m, dim, metric: 'cosine' });
    const qs = randomMatrix(9, dim, 77);
    const batch = index.queryBatch(qs, { k: 6 });
    for (let i = 0; i < 9; i++) expect(batch[i]).toEqual(index.query(row(qs, i, dim), { k: 6 }));
  });

  it('saves and loads; detects truncation and corruption', async () => {
    const index = new ExactIndex({ dim, metric: 'l2' });
    for (let i = 0; i < 40; i++) index.add(keys[i]!, row(m, i, dim), i % 3 === 0 ? { tag: i } : undefined);
    index.delete('k5');
    const dir = join(await tempDir(), 'idx');
    await index.save(dir);
    const loaded = await loadIndex(dir);
    expect(loaded.kind).toBe('exact');
    expect(loaded.size).toBe(39);
    expect(loaded.metric).toBe('l2');
    expect(loaded.metadata('k3')).toEqual({ tag: 3 });
    const q = row(m, 7, dim);
    expect(loaded.query(q, { k: 5 })).toEqual(index.query(q, { k: 5 }));

    const vectors = join(dir, 'vectors.f32');
    const bytes = await readFile(vectors);
    await truncate(vectors, 100);
    await expect(loadIndex(dir)).rejects.toThrow(InvalidFileError);
    await expect(loadIndex(dir)).rejects.toThrow(/vectors\.f32.*truncated/);
    bytes[9] = bytes[9]! ^ 0xff;
    await writeFile(vectors, bytes);
    await expect(loadIndex(dir)).rejects.toThrow(ChecksumError);
    await expect(loadIndex(dir, { verify: false })).resolves.toBeDefined();
  });

  it('loadIndex checks the expected dimension and metric', async () => {
    const index = ExactIndex.fromMatrix({ keys, matrix: m, dim, metric: 'cosine' });
    const dir = join(await tempDir(), 'dims');
    await index.save(dir);
    await expect(loadIndex(dir, { dim: 100 })).rejects.toThrow(DimensionMismatchError);
    await expect(loadIndex(dir, { dim: 100 })).rejects.toThrow(/has dimension 8, expected 100/);
    await expect(loadIndex(dir, { metric: 'l2' })).rejects.toThrow(/metric 'cosine', expected 'l2'/);
    const ok = await loadIndex(dir, { dim, metric: 'cosine' });
    expect(ok.query(row(m, 4, dim), { k: 1 })[0]!.key).toBe('k4');
  });
});
