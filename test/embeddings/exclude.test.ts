/** QueryOptions.exclude is an array or a Set of keys; a string (iterated, it excluded its characters) is refused. */
import { describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, type VectorIndex } from '../../embeddings/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

const makers: [string, () => VectorIndex][] = [
  ['exact', () => new ExactIndex({ dim: 2 })],
  ['hnsw', () => new HnswIndex({ dim: 2 })],
];

describe.each(makers)('%s: exclude', (_kind, make) => {
  const index = make();
  index.addBatch(['a', 'b', 'ab'], [[1, 0], [0, 1], [1, 1]]);

  it('a string is refused with the fix (it excluded the keys a and b, not ab)', () => {
    for (const run of [() => index.query([1, 0], { k: 3, exclude: 'ab' as unknown as string[] }), () => index.queryBatch([[1, 0]], { k: 3, exclude: 'ab' as unknown as string[] })]) {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toBe('exclude must be an array or a Set of keys, got the string "ab"');
      expect((err as InvalidArgumentError).hint).toBe('write exclude: ["ab"] to leave out that key');
    }
  });

  it('arrays and Sets of keys work; other values and non-string keys are refused', () => {
    expect(index.query([1, 0], { k: 3, exclude: ['ab'] }).map((h) => h.key)).toEqual(['a', 'b']);
    expect(index.query([1, 0], { k: 3, exclude: new Set(['a', 'absent']) }).map((h) => h.key)).toEqual(['ab', 'b']);
    expect(() => index.query([1, 0], { exclude: new Map([['a', 1]]) as unknown as Set<string> })).toThrow('exclude must be an array or a Set of keys, got a Map');
    expect(() => index.query([1, 0], { exclude: [1] as unknown as string[] })).toThrow('exclude must hold keys (strings), got number');
    expect(() => index.query([1, 0], { exclude: null as unknown as string[] })).toThrow('got null');
  });
});
