/**
 * Cosine scores stay in [−1, 1] and distances in [0, 2]: float32 rows and norms taken apart from the
 * dot product put an item's score against itself a hair above 1 (1.0000000192 exact, 1.00000036 HNSW),
 * which made its distance negative.
 */
import { describe, expect, it } from 'vitest';
import { ExactIndex, exactTopK, HnswIndex, type SearchHit } from '../../embeddings/index.js';
import { randomMatrix } from './helpers.js';

const dim = 37;
const n = 300;
const keys = Array.from({ length: n }, (_, i) => `k${i}`);
const m = randomMatrix(n, dim, 5);
const unit = m.slice();
for (let r = 0; r < n; r++) {
  let s = 0;
  for (let d = 0; d < dim; d++) s += unit[r * dim + d]! ** 2;
  for (let d = 0; d < dim; d++) unit[r * dim + d]! /= Math.sqrt(s);
}

function expectInRange(results: SearchHit[][]): void {
  const hits = results.flat();
  const scores = hits.map((h) => h.score);
  const distances = hits.map((h) => h.distance);
  expect(Math.max(...scores)).toBeLessThanOrEqual(1);
  expect(Math.min(...scores)).toBeGreaterThanOrEqual(-1);
  expect(Math.min(...distances)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...distances)).toBeLessThanOrEqual(2);
  expect(hits.every((h) => h.distance === 1 - h.score)).toBe(true);
}

describe('cosine scores are clamped to [−1, 1]', () => {
  it('exact: items queried with their own vectors (and their opposites), over every kind of storage', () => {
    const negated = m.map((x) => -x);
    const indexes = [
      ExactIndex.fromMatrix({ keys, matrix: m, dim }),
      ExactIndex.fromMatrix({ keys, matrix: unit, dim, normalized: true }),
      (() => {
        const own = new ExactIndex({ dim });
        own.addBatch(keys, m);
        return own;
      })(),
    ];
    for (const index of indexes) {
      const self = index.queryBatch(m, { k: 3 });
      expectInRange(self);
      expect(self.map((hits) => hits[0]!.key)).toEqual(keys);
      expect(Math.max(...self.map((hits) => hits[0]!.score))).toBe(1);
      expectInRange(index.queryBatch(negated, { k: n }));
      expectInRange([index.query(m.subarray(0, dim), { k: 5 })]);
    }
    const raw = exactTopK({ matrix: unit, dim, rows: n, metric: 'cosine' }, unit, n, { k: 1 });
    for (const r of raw) expect(r.scores[0]).toBeLessThanOrEqual(1);
  });

  it('hnsw: the same', () => {
    const index = new HnswIndex({ dim });
    index.addBatch(keys, m);
    const self = index.queryBatch(m, { k: 3 });
    expectInRange(self);
    expect(Math.max(...self.map((hits) => hits[0]!.score))).toBe(1);
    expectInRange(index.queryBatch(m.map((x) => -x), { k: 10 }));
  });
});
