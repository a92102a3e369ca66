/** ExactIndex refuses what it cannot answer from: a matrix with NaN/±Infinity, and a capacity that is no row count. */
import { describe, expect, it } from 'vitest';
import { ExactIndex } from '../../embeddings/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('ExactIndex.fromMatrix checks the values it borrows', () => {
  for (const metric of ['cosine', 'l2', 'ip'] as const) {
    it(`${metric}: NaN and ±Infinity are refused, naming the key, row and position`, () => {
      for (const [bad, what] of [
        [NaN, 'is NaN'],
        [Infinity, 'is Infinity'],
        [-Infinity, 'is -Infinity'],
      ] as const) {
        const matrix = new Float32Array([1, 0, 0, 1, 0.5, bad]);
        let err: unknown;
        try {
          ExactIndex.fromMatrix({ keys: ['a', 'b', 'c'], matrix, dim: 2, metric });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(InvalidArgumentError);
        expect((err as Error).message).toBe(`the vector of 'c' (row 2): the value at position 1 ${what}`);
        expect((err as InvalidArgumentError).hint).toMatch(/finite number/);
      }
    });
  }

  it('rows past the keys (room to grow) are not the index\'s and are not checked', () => {
    const index = ExactIndex.fromMatrix({ keys: ['a'], matrix: new Float32Array([1, 0, NaN, NaN]), dim: 2, metric: 'ip' });
    expect(index.query([1, 0]).map((h) => [h.key, h.score])).toEqual([['a', 1]]);
  });
});

describe('ExactIndex capacity', () => {
  it('must be a positive integer, as for HnswIndex', () => {
    for (const capacity of [NaN, -5, 0, 2.5, Infinity]) {
      expect(() => new ExactIndex({ dim: 2, capacity }), String(capacity)).toThrow(InvalidArgumentError);
      expect(() => new ExactIndex({ dim: 2, capacity }), String(capacity)).toThrow(`capacity must be a positive integer, got ${capacity}`);
    }
    const index = new ExactIndex({ dim: 2, capacity: 1 });
    index.addBatch(['a', 'b', 'c'], [[1, 2], [2, 1], [0, 1]]);
    expect(index.query([1, 2], { k: 3 }).map((h) => h.key)).toEqual(['a', 'c', 'b']);
  });
});
