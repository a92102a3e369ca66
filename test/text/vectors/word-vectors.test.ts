import { describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, type SearchHit, type VectorIndex } from '../../../embeddings/index.js';
import { DimensionMismatchError, InvalidArgumentError, KeyNotFoundError } from '../../../src/errors.js';
import { WordVectors } from '../../../text/vectors/index.js';
import { cosine, TINY, tinyMatrix } from './helpers.js';

const wv = WordVectors.fromArrays({ words: TINY.words, matrix: tinyMatrix(), dim: 4 });
const row = (w: string) => TINY.rows[TINY.words.indexOf(w)]!;

/** Brute-force ranking by cosine to `q`, computed without the library. */
function bruteForce(q: number[], exclude: string[], k: number) {
  return TINY.words
    .filter((w) => !exclude.includes(w))
    .map((w) => ({ word: w, score: cosine(q, row(w)) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

describe('WordVectors', () => {
  it('exposes words, dim, size, matrix and indexOf', () => {
    expect(wv.size).toBe(8);
    expect(wv.dim).toBe(4);
    expect(wv.matrix.length).toBe(32);
    expect(wv.indexOf('king')).toBe(2);
    expect(wv.indexOf('nope')).toBe(-1);
    expect(wv.has('queen')).toBe(true);
    expect(wv.has('Queen')).toBe(false);
  });

  it('get returns a copy; OOV throws by default or returns undefined on request', () => {
    const v = wv.get('king');
    expect(Array.from(v)).toEqual([1, 1, 0, 0]);
    v[0] = 99;
    expect(wv.get('king')[0]).toBe(1);
    expect(() => wv.get('nope')).toThrow(KeyNotFoundError);
    expect(() => wv.get('nope', { oov: 'throw' })).toThrow(/word 'nope' is not present/);
    expect(wv.get('nope', { oov: 'undefined' })).toBeUndefined();
    // get() is library-only: its hint names the library alternative; the query methods the CLI
    // also runs (similarity, neighbours, analogy) keep library calls out of theirs.
    expect(() => wv.get('nope')).toThrow(expect.objectContaining({ hint: "the vocabulary has 8 words; check case and spelling; pass { oov: 'undefined' } to get undefined instead of an error" }));
    for (const query of [() => wv.similarity('king', 'nope'), () => wv.mostSimilar('nope'), () => wv.analogy('man', 'king', 'nope')]) {
      expect(query).toThrow(expect.objectContaining({ hint: 'the vocabulary has 8 words; check case and spelling' }));
    }
  });

  it('similarity is the cosine', () => {
    expect(wv.similarity('king', 'prince')).toBeCloseTo(cosine(row('king'), row('prince')), 6);
    expect(wv.similarity('apple', 'apple')).toBeCloseTo(1, 6);
    expect(() => wv.similarity('king', 'nope')).toThrow(KeyNotFoundError);
  });

  it('mostSimilar ranks by cosine and excludes the query word', () => {
    const got = wv.mostSimilar('king', 3);
    const want = bruteForce(row('king'), ['king'], 3);
    expect(got.map((n) => n.word)).toEqual(want.map((n) => n.word));
    got.forEach((n, i) => expect(n.score).toBeCloseTo(want[i]!.score, 5));
    expect(wv.mostSimilar('king').length).toBe(7);
  });

  it('mostSimilar with positive and negative terms and raw vectors', () => {
    const q = unit(row('king')).map((x, i) => x - unit(row('man'))[i]! + unit(row('woman'))[i]!);
    const got = wv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 3 });
    expect(got.map((n) => n.word)).toEqual(bruteForce(q, ['king', 'woman', 'man'], 3).map((n) => n.word));
    expect(got[0]!.word).toBe('queen');
    const raw = wv.mostSimilar({ positive: [[0, 0, 0, 1]], topn: 2 });
    expect(raw.map((n) => n.word)).toEqual(['apple', 'banana']);
    expect(() => wv.mostSimilar({ positive: [[1, 2]] })).toThrow(DimensionMismatchError);
    expect(() => wv.mostSimilar({})).toThrow(InvalidArgumentError);
    expect(() => wv.mostSimilar({ positive: ['king'], negative: ['king'] })).toThrow(/cancel out/);
    expect(() => wv.mostSimilar('king', 0)).toThrow(/topn/);
  });

  it('restrictVocab searches only the first N words', () => {
    expect(wv.mostSimilar({ positive: ['apple'], topn: 10, restrictVocab: 4 }).map((n) => n.word).sort()).toEqual(['king', 'man', 'queen', 'woman']);
  });

  it('analogy with 3CosAdd and 3CosMul', () => {
    expect(wv.analogy('man', 'king', 'woman', { topn: 1 })[0]!.word).toBe('queen');
    const mul = wv.analogy('man', 'king', 'woman', { method: 'mul', topn: 3 });
    expect(mul[0]!.word).toBe('queen');
    // 3CosMul scores, independently: ∏((1+cos)/2 of positives) / ((1+cos)/2 of negatives + 1e-6).
    const s = (a: string, b: string) => (1 + cosine(row(a), row(b))) / 2;
    const expected = TINY.words
      .filter((w) => !['man', 'king', 'woman'].includes(w))
      .map((w) => ({ word: w, score: (s(w, 'king') * s(w, 'woman')) / (s(w, 'man') + 1e-6) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    expect(mul.map((n) => n.word)).toEqual(expected.map((n) => n.word));
    mul.forEach((n, i) => expect(n.score).toBeCloseTo(expected[i]!.score, 5));
    expect(() => wv.analogy('man', 'king', 'nope')).toThrow(KeyNotFoundError);
    expect(() => wv.analogy('man', 'king', 'woman', { method: 'bogus' as 'add' })).toThrow(InvalidArgumentError);
  });

  it('doesntMatch picks the odd one out and ignores unknown words', () => {
    expect(wv.doesntMatch(['king', 'queen', 'prince', 'apple'])).toBe('apple');
    expect(wv.doesntMatch(['apple', 'banana', 'fruit', 'king', 'nope'])).toBe('king');
    expect(() => wv.doesntMatch(['nope', 'nada'])).toThrow(KeyNotFoundError);
    // One sentence that says what is wrong (was "none of the words 'nope, nada' is not present").
    expect(() => wv.doesntMatch(['nope', 'nada'])).toThrow(/^none of the words is in the vocabulary: nope, nada$/);
  });

  it('the unit matrix is computed once, with unit rows, and leaves the matrix alone', () => {
    const u = wv.unitMatrix();
    expect(wv.unitMatrix()).toBe(u);
    for (let r = 0; r < wv.size; r++) expect(Math.hypot(...u.subarray(r * 4, r * 4 + 4))).toBeCloseTo(1, 6);
    expect(Array.from(wv.matrix)).toEqual(Array.from(tinyMatrix()));
    expect(wv.norms()[2]).toBeCloseTo(Math.SQRT2, 6);
  });

  it('a zero vector has similarity 0 to everything rather than NaN, and is never a neighbour', () => {
    const z = WordVectors.fromArrays({ words: ['zero', 'one', 'two'], matrix: Float32Array.from([0, 0, 1, 0, 0.6, -0.8]), dim: 2 });
    expect(z.similarity('zero', 'one')).toBe(0);
    expect(z.mostSimilar('one', 2)).toEqual([{ word: 'two', score: expect.closeTo(0.6, 6) }]);
    // 3CosMul shifts similarities to [0, 1]: a zero row would score 0.5 there; it is left out too.
    const m = WordVectors.fromArrays({ words: ['zero', 'a', 'b', 'c', 'd'], matrix: Float32Array.from([0, 0, 1, 0, 0.6, -0.8, 0, 1, -1, 0.2]), dim: 2 });
    expect(m.analogy('a', 'b', 'c', { method: 'mul', topn: 5 }).map((h) => h.word)).toEqual(['d']);
    // Through a plugged-in HNSW index as well.
    const h = new HnswIndex({ dim: 2 });
    h.addBatch(z.words, z.matrix);
    z.useIndex(h);
    expect(z.mostSimilar('one', 2).map((n) => n.word)).toEqual(['two']);
  });

  it('refuses a zero query vector or a zero word as a term (cosine is undefined); zero rows never match', () => {
    const z = WordVectors.fromArrays({ words: ['zero', 'one', 'two'], matrix: Float32Array.from([0, 0, 1, 0, 0.6, -0.8]), dim: 2 });
    const zeroMessage = /all zeros: a zero vector has no direction; cosine similarity is undefined/;
    for (const q of [{ positive: [[0, 0]] }, { positive: ['one', [0, 0]] }, { positive: ['one'], negative: [Float32Array.from([0, 0])] }]) {
      expect(() => z.mostSimilar(q)).toThrow(InvalidArgumentError);
      expect(() => z.mostSimilar(q)).toThrow(zeroMessage);
    }
    expect(() => z.mostSimilar({ positive: [[0, 0]] })).toThrow(/the query vector is all zeros/);
    expect(() => z.mostSimilar('zero')).toThrow(/the vector of 'zero' is all zeros/);
    // The same through an index set with useIndex().
    const withIndex = WordVectors.fromArrays({ words: ['zero', 'one', 'two'], matrix: Float32Array.from([0, 0, 1, 0, 0.6, -0.8]), dim: 2 });
    withIndex.useIndex(withIndex.searchIndex);
    expect(() => withIndex.mostSimilar({ positive: [[0, 0]] })).toThrow(zeroMessage);
    expect(withIndex.mostSimilar({ positive: [[1, 0]] }, 3).map((n) => n.word)).toEqual(['one', 'two']);
  });

  it('doesntMatch refuses a zero-vector word by name, as mostSimilar does (it scored it 0: always the odd one out)', () => {
    const z = WordVectors.fromArrays({ words: ['zero', 'nil', 'a', 'b', 'c', 'minus-a'], matrix: Float32Array.from([0, 0, 0, 0, 1, 0, 0.9, 0.1, 0, 1, -1, 0]), dim: 2 });
    // Before: 'zero' came back as the odd one out, though 'c' is the word pointing elsewhere.
    const e = (() => {
      try {
        z.doesntMatch(['a', 'b', 'zero', 'c']);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as Error).message).toBe("the vector of 'zero' is all zeros: a zero vector has no direction, so how well it matches the others is undefined");
    expect((e as InvalidArgumentError).hint).toMatch(/^leave 'zero' out of the words/);
    expect(() => z.doesntMatch(['zero', 'a', 'nil', 'nope'])).toThrow(/^the vector of 'zero', 'nil' is all zeros: .*how well they match/);
    // Unknown words are still ignored; without the zero word the answer is the word pointing elsewhere.
    expect(z.doesntMatch(['a', 'b', 'c', 'nope'])).toBe('c');
    // Words whose unit vectors cancel out leave no mean to compare with: refused, not the first word.
    expect(() => z.doesntMatch(['a', 'minus-a'])).toThrow(/the vectors of 'a', 'minus-a' cancel out/);
  });

  it('a vector too small for float32 cosine (norm below 1/FLOAT32_MAX, e.g. [1e-40, 0]) is treated as a zero one, named as such — not "cancel out", no Infinity or NaN score', () => {
    const t = WordVectors.fromArrays({ words: ['u', 'a', 'b', 'c'], matrix: Float32Array.from([1e-40, 0, 1, 0, 0.9, 0.1, 0, 1]), dim: 2 });
    // Its inverse norm was Infinity in the Float32Array, which passed the `=== 0` checks.
    expect(t.inverseNorm()[0]).toBe(0);
    const tiny = /the vector of 'u' has norm 1\.00e-40, too small to have a direction in float32 .*treated as a zero vector/;
    const e = (() => {
      try {
        t.doesntMatch(['a', 'b', 'u', 'c']);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as Error).message).toMatch(tiny);
    expect((e as Error).message).not.toMatch(/cancel out/);
    expect(() => t.mostSimilar('u')).toThrow(tiny);
    expect(() => t.mostSimilar({ positive: ['a', 'u'] })).toThrow(tiny);
    expect(() => t.mostSimilarCosmul(['u'])).toThrow(tiny);
    // As a candidate it never matches with an Infinity/NaN score; its similarity is 0 as a zero row's.
    for (const n of t.mostSimilar('a', 3)) expect(Number.isFinite(n.score), n.word).toBe(true);
    expect(t.mostSimilar('a', 1)[0]!.word).toBe('b');
    expect(t.similarity('u', 'a')).toBe(0);
    expect(Array.from(t.unitMatrix().subarray(0, 2))).toEqual([0, 0]);
    expect(t.doesntMatch(['a', 'b', 'c'])).toBe('c');
  });

  it('3CosMul refuses a zero-vector word as 3CosAdd does (it ignored it); a non-finite raw query is named as such', () => {
    const z = WordVectors.fromArrays({ words: ['a', 'b', 'c', 'd'], matrix: Float32Array.from([0, 0, 1, 0, 0, 1, 1, 1]), dim: 2 });
    const zero = /the vector of 'a' is all zeros/;
    expect(() => z.analogy('a', 'b', 'c')).toThrow(zero);
    expect(() => z.analogy('a', 'b', 'c', { method: 'mul' })).toThrow(InvalidArgumentError);
    expect(() => z.analogy('a', 'b', 'c', { method: 'mul' })).toThrow(zero);
    expect(() => z.mostSimilarCosmul(['b', 'a'], [])).toThrow(zero);
    expect(z.similarity('a', 'b')).toBe(0); // documented: as gensim
    for (const bad of [NaN, Infinity, -Infinity]) {
      const q = Float32Array.from([1, bad]);
      expect(() => z.mostSimilar({ positive: [q] })).toThrow(InvalidArgumentError);
      expect(() => z.mostSimilar({ positive: [q] })).toThrow(new RegExp(`non-finite value \\(${bad} at index 1\\)`));
    }
    // Huge finite values are a direction, not an overflow.
    expect(z.mostSimilar({ positive: [[1e200, 1e200]] }, 1)[0]!.word).toBe('d');
  });

  it('takes one word or one vector where gensim does (positive: "king"), and refuses a string for doesntMatch', () => {
    const one = wv.mostSimilar({ positive: ['king'] }, 3);
    expect(wv.mostSimilar({ positive: 'king' }, 3)).toEqual(one);
    expect(wv.mostSimilar(['king'], 3)).toEqual(one);
    expect(wv.mostSimilar({ positive: 'king', negative: 'man' }, 3)).toEqual(wv.mostSimilar({ positive: ['king'], negative: ['man'] }, 3));
    const v = Array.from(wv.get('king'));
    expect(wv.mostSimilar({ positive: v }, 2).map((n) => n.word)).toEqual(wv.mostSimilar({ positive: [v] }, 2).map((n) => n.word));
    expect(wv.mostSimilar(Float32Array.from(v), 2).map((n) => n.word)).toEqual(['king', ...one.slice(0, 1).map((n) => n.word)]);
    expect(wv.mostSimilarCosmul('king', 'man', 3)).toEqual(wv.mostSimilarCosmul(['king'], ['man'], 3));
    expect(() => wv.mostSimilar({ positive: [3 as unknown as string] })).toThrow(/positive must|not a word or a vector|vector/);
    expect(() => wv.mostSimilar({ positive: [null as unknown as string] })).toThrow(/positive\[0\] is null, not a word or a vector/);
    expect(() => wv.doesntMatch('breakfast' as unknown as string[])).toThrow(/doesntMatch takes a list of words, got the string 'breakfast'/);
    expect(() => wv.doesntMatch(['king', 4 as unknown as string])).toThrow(InvalidArgumentError);
  });

  it('searchIndex exposes the vectors as an exact VectorIndex (zero-copy)', () => {
    const index = wv.searchIndex;
    expect(index.kind).toBe('exact');
    expect(index.size).toBe(8);
  });

  it('useIndex plugs in another nearest-neighbour backend, null restores exact search', () => {
    const calls: { k?: number; exclude: string[] }[] = [];
    const exact = ExactIndex.fromMatrix({ keys: TINY.words, matrix: wv.unitMatrix(), dim: 4, metric: 'cosine', normalized: true });
    const spy: VectorIndex = Object.assign(Object.create(exact) as VectorIndex, {
      query(vector: ArrayLike<number>, options: { k?: number; exclude?: Iterable<string> } = {}): SearchHit[] {
        calls.push({ k: options.k, exclude: [...(options.exclude ?? [])] });
        return exact.query(vector, options).map((h) => ({ ...h, score: 42 }));
      },
    });
    wv.useIndex(spy);
    const got = wv.mostSimilar('king', 2);
    expect(calls).toEqual([{ k: 2, exclude: ['king'] }]);
    expect(got.every((n) => n.score === 42)).toBe(true);
    wv.useIndex(null);
    expect(wv.mostSimilar('king', 2).every((n) => n.score !== 42)).toBe(true);
    expect(() => wv.useIndex(new ExactIndex({ dim: 3 }))).toThrow(DimensionMismatchError);
    expect(() => wv.useIndex(new ExactIndex({ dim: 4, metric: 'l2' }))).toThrow(/cosine/);
  });

  it('useIndex refuses an index whose keys are not words of these vectors', () => {
    const other = new ExactIndex({ dim: 4, metric: 'cosine' });
    other.add(TINY.words[0]!, [1, 0, 0, 0]);
    other.add('zeppelin', [0, 1, 0, 0]);
    expect(() => wv.useIndex(other)).toThrow(/'zeppelin', which is not a word of these vectors/);
    expect(wv.pluggedIndex).toBeNull();
    const subset = new ExactIndex({ dim: 4, metric: 'cosine' });
    subset.add(TINY.words[0]!, wv.get(TINY.words[0]!)!);
    wv.useIndex(subset); // a subset of the vocabulary is fine
    expect(wv.pluggedIndex).toBe(subset);
    wv.useIndex(null);
    // Same words, dim and metric, other vectors: refused by comparing stored vectors with the words'.
    const shuffled = new HnswIndex({ dim: 4 });
    TINY.words.forEach((w, i) => shuffled.add(w, wv.get(TINY.words[(i + 1) % TINY.words.length]!)!));
    expect(() => wv.useIndex(shuffled, { name: 'idx/other' })).toThrow(InvalidArgumentError);
    expect(() => wv.useIndex(shuffled, { name: 'idx/other' })).toThrow(new RegExp(`^the index at idx/other was built from other vectors: its vector of '${TINY.words[0]}' is not the word vector`));
    expect(wv.pluggedIndex).toBeNull();
    // Scaled copies (an HNSW cosine index stores unit vectors) are the same vectors.
    const own = new HnswIndex({ dim: 4 });
    own.addBatch(TINY.words, wv.matrix.map((x) => x * 3));
    wv.useIndex(own);
    expect(wv.pluggedIndex).toBe(own);
    wv.useIndex(null);
  });

  it('an HNSW index plugged in gives the exact answers on a tiny set', () => {
    const exact = wv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 4 });
    const hnsw = new HnswIndex({ dim: 4, metric: 'cosine' });
    wv.words.forEach((w) => hnsw.add(w, wv.get(w)));
    wv.useIndex(hnsw);
    try {
      const approx = wv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 4 });
      expect(approx.map((n) => n.word)).toEqual(exact.map((n) => n.word));
      approx.forEach((n, i) => expect(n.score).toBeCloseTo(exact[i]!.score, 5));
      expect(wv.pluggedIndex).toBe(hnsw);
    } finally {
      wv.useIndex(null);
    }
    expect(wv.pluggedIndex).toBeNull();
  });

  it('fromArrays validates its input', () => {
    expect(() => WordVectors.fromArrays({ words: ['a', 'b'], matrix: new Float32Array(3), dim: 2 })).toThrow(/expected 2 words × 2/);
    expect(() => WordVectors.fromArrays({ words: ['a', 'a'], matrix: new Float32Array(4), dim: 2 })).toThrow(/duplicate word 'a'/);
    expect(() => WordVectors.fromArrays({ words: [], matrix: new Float32Array(0), dim: 0 })).toThrow(/dim/);
  });

  it('fromArrays refuses NaN and ±Infinity, naming the word, its row and the dimension', () => {
    for (const [bad, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
      const matrix = Float32Array.from([1, 0, 0, 1, 0.5, 0.5]);
      matrix[5] = bad;
      const e = (() => {
        try {
          WordVectors.fromArrays({ words: ['a', 'b', 'c'], matrix, dim: 2 });
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as Error).message).toBe(`the vector of 'c' (row 2) holds ${shown} at dimension 1: word vectors must be finite numbers`);
      expect((e as InvalidArgumentError).hint).toMatch(/every value must be a finite number/);
    }
    // Float32 overflow is Infinity too; the largest float32 and zeros are fine.
    expect(() => WordVectors.fromArrays({ words: ['a'], matrix: Float32Array.from([1e39, 0]), dim: 2 })).toThrow(/'a' \(row 0\) holds Infinity at dimension 0/);
    expect(WordVectors.fromArrays({ words: ['a', 'b'], matrix: Float32Array.from([3.4e38, -3.4e38, 0, 0]), dim: 2 }).size).toBe(2);
  });

  it('subset copies the rows of some words', () => {
    const sub = wv.subset(['queen', 'apple', 'queen', 'nope'], { oov: 'skip' });
    expect(sub.words).toEqual(['queen', 'apple']);
    expect(Array.from(sub.get('apple'))).toEqual(row('apple'));
    expect(() => wv.subset(['nope'])).toThrow(KeyNotFoundError);
  });
});
