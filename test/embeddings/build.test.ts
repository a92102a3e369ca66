import { describe, expect, it } from 'vitest';
import { buildIndex, ExactIndex, HnswIndex, evaluate } from '../../embeddings/index.js';
import { randomMatrix } from './helpers.js';

describe('buildIndex', () => {
  const dim = 16;
  const n = 1500;
  const m = randomMatrix(n, dim, 41);
  const keys = Array.from({ length: n }, (_, i) => `x${i}`);

  it('auto picks exact for small sets and shares the matrix', () => {
    const { index, tuning } = buildIndex({ keys, matrix: m, dim });
    expect(index).toBeInstanceOf(ExactIndex);
    expect(tuning).toBeNull();
    expect(index.size).toBe(n);
  });

  it('tunes ef on held-back items, then inserts them', () => {
    const { index, tuning } = buildIndex({ keys, matrix: m, dim, kind: 'hnsw', M: 8, efConstruction: 64, tune: { target: 0.9, queries: 100, seed: 3 } });
    expect(index).toBeInstanceOf(HnswIndex);
    expect(index.size).toBe(n);
    expect(tuning!.reached).toBe(true);
    expect((index as HnswIndex).ef).toBe(tuning!.ef);
    expect(tuning!.ef).toBeGreaterThanOrEqual(10);
    expect(tuning!.queries).toBe(100); // what the recall was measured on
    // The tuned ef holds up on fresh queries too (a loose check: tuning used 100 queries).
    const fresh = evaluate(index, randomMatrix(100, dim, 4), { k: 10 });
    expect(fresh.recall).toBeGreaterThan(0.8);
  });

  it('holds back at most half the items, and says how many it tuned on', () => {
    const few = 60;
    const { tuning } = buildIndex({ keys: keys.slice(0, few), matrix: m.subarray(0, few * dim), dim, kind: 'hnsw', tune: { queries: 200 } });
    expect(tuning!.queries).toBe(30);
  });
});
