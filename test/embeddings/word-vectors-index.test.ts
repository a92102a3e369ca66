/** Integration: the word-vectors table answers mostSimilar through an attached index. */
import { describe, expect, it } from 'vitest';
import { HnswIndex } from '../../embeddings/index.js';
import { WordVectors } from '../../text/index.js';
import { randomMatrix } from './helpers.js';

describe('WordVectors with an attached index', () => {
  it('mostSimilar gives the same words through HNSW as through exact search', () => {
    const dim = 12;
    const n = 800;
    const words = Array.from({ length: n }, (_, i) => `w${i}`);
    const matrix = randomMatrix(n, dim, 17);
    const wv = WordVectors.fromArrays({ words, matrix, dim });
    const exact = wv.mostSimilar('w5', 5);
    const index = new HnswIndex({ dim, capacity: 16 });
    index.addBatch(words, matrix);
    let calls = 0;
    const spy = new Proxy(index, {
      get(target, prop, receiver) {
        if (prop === 'query') calls++;
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    wv.useIndex(spy);
    const viaIndex = wv.mostSimilar('w5', 5);
    expect(calls).toBe(1);
    expect(viaIndex.map((x) => x.word)).toEqual(exact.map((x) => x.word));
    expect(viaIndex.map((x) => x.word)).not.toContain('w5');
    viaIndex.forEach((x, i) => expect(x.score).toBeCloseTo(exact[i]!.score, 5));
  });
});
