import { describe, expect, it } from 'vitest';
import { addEncoded, ExactIndex, HnswIndex, queryEncoded } from '../../embeddings/index.js';
import type { Encoder } from '../../src/encoder.js';
import { DimensionMismatchError, InvalidArgumentError } from '../../src/errors.js';

/** A stub encoder: a string becomes its letter counts over a–f (dim 6). */
const letters: Encoder<string> = {
  name: 'letters',
  dim: 6,
  provenance: { source: 'test' },
  async encode(inputs) {
    const out = new Float32Array(inputs.length * 6);
    inputs.forEach((s, i) => {
      for (const ch of s) {
        const c = ch.charCodeAt(0) - 97;
        if (c >= 0 && c < 6) out[i * 6 + c]! += 1;
      }
    });
    return out;
  },
};

describe('indexing encoder outputs', () => {
  for (const make of [() => new ExactIndex({ dim: 6 }), () => new HnswIndex({ dim: 6 })]) {
    it(`adds in batches and queries by input (${make().kind})`, async () => {
      const index = make();
      const docs = ['aaa', 'bbb', 'ccc', 'abab', 'fed', 'ddd', 'eee'];
      let calls = 0;
      const counting: Encoder<string> = { ...letters, encode: (x) => (calls++, letters.encode(x)) };
      await addEncoded(index, counting, docs.map((d) => `doc:${d}`), docs, { batchSize: 3, metadata: docs.map((d) => ({ len: d.length })) });
      expect(calls).toBe(3);
      expect(index.size).toBe(7);
      const hits = await queryEncoded(index, letters, 'aab', { k: 2 });
      expect(hits[0]!.key).toBe('doc:abab');
      expect(hits[0]!.metadata).toEqual({ len: 4 });
      await addEncoded(index, letters, ['doc:aaa'], ['fff'], { upsert: true });
      expect((await queryEncoded(index, letters, 'ff', { k: 1 }))[0]!.key).toBe('doc:aaa');
    });
  }
  it('rejects an encoder of another dimension', async () => {
    await expect(addEncoded(new ExactIndex({ dim: 5 }), letters, ['a'], ['a'])).rejects.toThrow(DimensionMismatchError);
  });

  it('is all or nothing: a key twice in the input, a key already there, bad metadata, a failing encoder or a NaN vector add nothing', async () => {
    for (const make of [() => new ExactIndex({ dim: 6 }), () => new HnswIndex({ dim: 6 })]) {
      const index = make();
      let calls = 0;
      const counting: Encoder<string> = { ...letters, encode: (x) => (calls++, letters.encode(x)) };
      const twice = await addEncoded(index, counting, ['a', 'b', 'c', 'a'], ['aa', 'bb', 'cc', 'dd'], { batchSize: 2 }).catch((e: InvalidArgumentError) => e);
      expect(twice).toBeInstanceOf(InvalidArgumentError);
      expect((twice as Error).message).toBe("key 'a' appears twice in the input (items 0 and 3); nothing was added");
      expect(calls).toBe(0);
      expect(index.size).toBe(0);
      await addEncoded(index, letters, ['x'], ['ff']);
      const present = await addEncoded(index, counting, ['y', 'x'], ['aa', 'bb']).catch((e: InvalidArgumentError) => e);
      expect((present as Error).message).toBe("key 'x' (item 1) is already in the index; nothing was added");
      expect((present as InvalidArgumentError).hint).toMatch(/upsert: true/);
      await expect(addEncoded(index, counting, ['y', 'z'], ['aa', 'bb'], { metadata: [{}, { d: new Date(0) }] })).rejects.toThrow(/the metadata of 'z' \(item 1\) at \.d is a Date/);
      expect(calls).toBe(0);
      // The encoder fails on the second batch: the first batch was encoded, but nothing is added.
      const failing: Encoder<string> = { ...letters, encode: async (x) => (x.includes('boom') ? Promise.reject(new Error('encoder crashed')) : letters.encode(x)) };
      await expect(addEncoded(index, failing, ['p', 'q', 'r'], ['aa', 'bb', 'boom'], { batchSize: 2 })).rejects.toThrow('encoder crashed');
      expect(index.keys()).toEqual(['x']);
      // A vector the encoder made that is not finite: nothing added, nothing replaced.
      const nan: Encoder<string> = { ...letters, encode: async (x) => (x.includes('nan') ? new Float32Array(x.length * 6).fill(NaN) : letters.encode(x)) };
      await expect(addEncoded(index, nan, ['p', 'x'], ['aa', 'nan'], { batchSize: 1, upsert: true })).rejects.toThrow(/the encoded vector of 'x' \(item 1\): the value at position 0 is NaN/);
      await expect(addEncoded(index, nan, ['x', 'p'], ['aa', 'nan'], { batchSize: 1, upsert: true })).rejects.toThrow(/the vector of 'p' .* is NaN/);
      expect(index.keys()).toEqual(['x']);
      expect((await queryEncoded(index, letters, 'f', { k: 1 }))[0]!.score).toBeCloseTo(1);
      // upsert: new and existing keys in one call.
      await addEncoded(index, letters, ['x', 'p'], ['aa', 'bb'], { upsert: true, metadata: [{ v: 2 }, null] });
      expect(index.size).toBe(2);
      expect(index.metadata('x')).toEqual({ v: 2 });
      expect(index.metadata('p')).toBeNull();
      expect((await queryEncoded(index, letters, 'a', { k: 1 }))[0]!.key).toBe('x');
    }
  });
});
