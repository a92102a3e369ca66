import { describe, expect, it } from 'vitest';
import { addEncoded, ExactIndex, HnswIndex, queryEncoded } from '../../embeddings/index.js';
import type { Encoder } from '../../src/encoder.js';
import { DimensionMismatchError } from '../../src/errors.js';

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
});
