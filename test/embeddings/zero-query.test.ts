import { describe, expect, it } from 'vitest';
import { buildIndex, ExactIndex, HnswIndex, sampleSelfQueries, type Metric, type VectorIndex } from '../../embeddings/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { randomMatrix, row } from './helpers.js';

const dim = 6;
const n = 40;
/** Random rows, with rows 0 and 7 all zeros (legal to store). */
function matrixWithZeroRows(): Float32Array {
  const m = randomMatrix(n, dim, 11);
  m.fill(0, 0, dim);
  m.fill(0, 7 * dim, 8 * dim);
  return m;
}
const keys = Array.from({ length: n }, (_, i) => `k${i}`);
const zero = new Array<number>(dim).fill(0);
const ZERO = /query vector is all zeros: a zero vector has no direction; cosine similarity is undefined/;

function make(kind: 'exact' | 'hnsw', metric: Metric): VectorIndex {
  const m = matrixWithZeroRows();
  if (kind === 'exact') return ExactIndex.fromMatrix({ keys, matrix: m, dim, metric });
  const h = new HnswIndex({ dim, metric, capacity: n, seed: 3 });
  keys.forEach((k, i) => h.add(k, row(m, i, dim)));
  return h;
}

describe('zero query vectors', () => {
  for (const kind of ['exact', 'hnsw'] as const) {
    it(`${kind}, cosine: a zero query is refused; stored zero rows are legal and never match`, () => {
      const index = make(kind, 'cosine');
      expect(index.size).toBe(n);
      expect(() => index.query(zero)).toThrow(InvalidArgumentError);
      expect(() => index.query(zero)).toThrow(ZERO);
      expect(() => index.query(Float32Array.from(zero), { k: 3 })).toThrow(ZERO);
      expect(() => index.queryBatch([row(matrixWithZeroRows(), 3, dim), zero])).toThrow(/query 1 is all zeros/);
      // A non-zero query still works and never puts the zero rows ahead of a real match.
      const hits = index.query(row(matrixWithZeroRows(), 3, dim), { k: n });
      expect(hits[0]!.key).toBe('k3');
      // The zero rows have no direction: they are left out, even when k asks for every item.
      expect(hits.length).toBe(n - 2);
      expect(hits.map((h) => h.key)).not.toContain('k0');
      expect(hits.map((h) => h.key)).not.toContain('k7');
      for (const batch of index.queryBatch([row(matrixWithZeroRows(), 3, dim), row(matrixWithZeroRows(), 5, dim)], { k: n })) {
        expect(batch.map((h) => h.key).filter((k) => k === 'k0' || k === 'k7')).toEqual([]);
      }
    });

    it(`${kind}, cosine: many zero rows (more than the real ones) are left out, with and without a filter`, () => {
      const real = randomMatrix(20, dim, 5);
      const index = kind === 'exact' ? ExactIndex.fromMatrix({ keys: [], matrix: new Float32Array(0), dim, metric: 'cosine' }) : new HnswIndex({ dim, metric: 'cosine', capacity: 400, seed: 3 });
      for (let i = 0; i < 300; i++) index.add(`z${i}`, zero);
      for (let i = 0; i < 20; i++) index.add(`r${i}`, row(real, i, dim));
      const q = row(real, 0, dim);
      const all = index.query(q, { k: 50 });
      expect(all.map((h) => h.key).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`).sort());
      const odd = index.query(q, { k: 50, filter: (key) => Number(key.slice(1)) % 2 === 1 });
      expect(odd.map((h) => h.key).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${2 * i + 1}`).sort());
      // The nearest few come in one plain search: no asking past the zero rows (they sit at cosine 0), no filter.
      const holder = index as unknown as { native?: object };
      expect(holder.native !== undefined).toBe(kind === 'hnsw');
      let searches = 0;
      if (holder.native) {
        const native = holder.native as Record<string, unknown>;
        holder.native = new Proxy(native, {
          get(target, prop) {
            const value = Reflect.get(target, prop) as unknown;
            if (typeof value !== 'function') return value;
            return (...a: unknown[]) => {
              // One search, with no JS filter called at every node it visits.
              if (prop === 'searchKnn') searches += typeof a[2] === 'function' ? 100 : 1;
              return (value as (...b: unknown[]) => unknown).apply(target, a);
            };
          },
        });
      }
      expect(index.query(q, { k: 3 })[0]!.key).toBe('r0');
      if (holder.native) expect(searches).toBe(1);
    });

    it(`${kind}, l2 and ip: a zero query is fine`, () => {
      for (const metric of ['l2', 'ip'] as const) {
        const hits = make(kind, metric).query(zero, { k: 2 });
        expect(hits).toHaveLength(2);
      }
    });
  }

  it('sampleSelfQueries never draws a stored zero row under cosine (l2 still may)', () => {
    const cos = make('exact', 'cosine');
    const { selfKeys } = sampleSelfQueries(cos, n, 1);
    expect(selfKeys).toHaveLength(n - 2);
    expect(selfKeys).not.toContain('k0');
    expect(selfKeys).not.toContain('k7');
    expect(sampleSelfQueries(make('exact', 'l2'), n, 1).selfKeys).toHaveLength(n);
  });

  it('buildIndex --tune does not hold back zero rows as cosine queries', () => {
    const { index, tuning } = buildIndex({ keys, matrix: matrixWithZeroRows(), dim, kind: 'hnsw', metric: 'cosine', tune: { target: 0.9, k: 5, queries: n, seed: 1 } });
    expect(index.size).toBe(n);
    expect(tuning).not.toBeNull();
  });
});
