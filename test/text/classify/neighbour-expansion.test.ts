import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { hstackCsr, NeighbourExpansion, VectorLookup, DEFAULT_NEIGHBOUR_EXPANSION, type Csr } from '../../../text/classify/index.js';
import { caseVariants } from '../../../text/classify/vectors/lookup.js';
import { WordVectors } from '../../../text/vectors/index.js';

/** 'cheap' and 'inexpensive' are close (cos 0.8); 'cheaper' is close to 'cheap' only at 0.6; 'perl' is orthogonal to all. */
function vectors(): WordVectors {
  const words = ['cheap', 'perl', 'inexpensive', 'cheaper', 'Python'];
  const rows = [
    [1, 0, 0],
    [0, 0, 1],
    [0.8, 0.6, 0],
    [0.6, -0.8, 0],
    [0, 0.1, 1],
  ];
  return WordVectors.fromArrays({ words, matrix: Float32Array.from(rows.flat()), dim: 3 });
}

const rowOf = (x: Csr, r: number, words: readonly string[]) =>
  new Map(Array.from(x.indices.subarray(x.indptr[r], x.indptr[r + 1]), (c, i) => [words[c], x.values[x.indptr[r] + i]]));

describe('NeighbourExpansion', () => {
  it('training texts switch on their words’ neighbours (weight × cosine), texts to classify only their own words', () => {
    const lookup = new VectorLookup(vectors());
    const docs = [['cheap', 'cheap', 'offer'], ['perl']];
    const e = new NeighbourExpansion({ neighbours: 5, minSimilarity: 0.7, weight: 0.25 }).fit(docs, lookup);
    // Training words (with a vector) first, then neighbours reached from them; 'offer' has no vector.
    expect(e.vocabulary.slice(0, 2).sort()).toEqual(['cheap', 'perl']);
    expect(e.vocabulary).toContain('inexpensive');
    expect(e.vocabulary).toContain('Python'); // cos(perl, Python) ≈ 0.995
    expect(e.vocabulary).not.toContain('cheaper'); // cos 0.6 < 0.7
    // 'cheap' found 'inexpensive', 'perl' found 'Python'.
    expect(e.stats).toEqual({ trainingWords: 2, expandedWords: 2, neighbourColumns: 2 });
    const idf = Math.log(3 / 2) + 1;
    const own = (1 + Math.log(2)) * idf;
    const x = e.transform(docs, { expand: true });
    const r0 = rowOf(x, 0, e.vocabulary);
    const norm = Math.hypot(own, 0.25 * 0.8 * own);
    expect(r0.get('cheap')).toBeCloseTo(own / norm, 5);
    expect(r0.get('inexpensive')).toBeCloseTo((0.25 * 0.8 * own) / norm, 5);
    expect(r0.size).toBe(2);
    // A text to classify: 'inexpensive' was never in training but has a column; unknown words are dropped.
    const t = e.transform([['inexpensive', 'zzz']]);
    expect([...rowOf(t, 0, e.vocabulary).entries()]).toEqual([['inexpensive', 1]]);
    // Case fallback like the vectors: 'CHEAP' is 'cheap', 'python' finds 'Python'.
    expect(e.columnOf('CHEAP')).toBe(e.vocabulary.indexOf('cheap'));
    expect(e.columnOf('python')).toBe(e.vocabulary.indexOf('Python'));
    expect(e.vocabulary.indexOf('Python')).toBeGreaterThanOrEqual(0);
    expect(e.columnOf('zzz')).toBe(-1);
    // State round trip: same rows for texts to classify, no vectors needed.
    const back = NeighbourExpansion.fromJSON(JSON.parse(JSON.stringify(e.toJSON())));
    const probe = [['cheap', 'inexpensive', 'python'], ['perl', 'zzz']];
    expect(back.transform(probe)).toEqual(e.transform(probe));
    expect(back.vocabulary).toEqual(e.vocabulary);
  });

  it('minSimilarity and neighbours bound the expansion; weight 0 expands nothing', () => {
    const lookup = new VectorLookup(vectors());
    const loose = new NeighbourExpansion({ neighbours: 5, minSimilarity: 0.5 }).fit([['cheap']], lookup);
    expect(loose.vocabulary).toEqual(expect.arrayContaining(['cheap', 'inexpensive', 'cheaper']));
    const one = new NeighbourExpansion({ neighbours: 1, minSimilarity: 0.5 }).fit([['cheap']], lookup);
    expect(one.vocabulary).toEqual(['cheap', 'inexpensive']);
    const none = new NeighbourExpansion({ weight: 0 }).fit([['cheap']], lookup);
    expect(none.vocabulary).toEqual(['cheap']);
    expect(none.stats).toEqual({ trainingWords: 1, expandedWords: 0, neighbourColumns: 0 });
    // Neighbours come only from the first `candidates` words of the vector file.
    const near = new NeighbourExpansion({ candidates: 2, minSimilarity: 0.5 }).fit([['cheap']], lookup);
    expect(near.vocabulary).toEqual(['cheap']);
  });

  it('without the case fallback, only exact spellings have columns', () => {
    const e = new NeighbourExpansion().fit([['cheap']], new VectorLookup(vectors(), { caseFallback: false }));
    expect(e.usesCaseFallback).toBe(false);
    expect(e.columnOf('cheap')).toBe(0);
    expect(e.columnOf('Cheap')).toBe(-1);
    expect(NeighbourExpansion.fromJSON(e.toJSON()).columnOf('Cheap')).toBe(-1);
  });

  it('options given as undefined keep their defaults', () => {
    expect(new NeighbourExpansion({ neighbours: 10, minSimilarity: undefined }).options).toEqual({ ...DEFAULT_NEIGHBOUR_EXPANSION, neighbours: 10 });
  });

  it('refuses bad options and use before fit', () => {
    expect(() => new NeighbourExpansion({ neighbours: -1 })).toThrow(InvalidArgumentError);
    expect(() => new NeighbourExpansion({ neighbours: 1001 })).toThrow(/≤ 1000/);
    expect(() => new NeighbourExpansion({ minSimilarity: -0.2 })).toThrow(/minSimilarity must be in \[0, 1\]/);
    expect(() => new NeighbourExpansion({ minSimilarity: 2 })).toThrow(/minSimilarity/);
    expect(() => new NeighbourExpansion({ weight: Number.NaN })).toThrow(/weight/);
    expect(() => new NeighbourExpansion({ candidates: 0 })).toThrow(/candidates/);
    expect(() => new NeighbourExpansion().transform([['a']])).toThrow(/before fit/);
  });
});

describe('caseVariants', () => {
  it('gives lowercase, Capitalised, UPPERCASE in that order, without the token itself or repeats', () => {
    expect(caseVariants('PARIS')).toEqual(['paris', 'Paris']);
    expect(caseVariants('paris')).toEqual(['Paris', 'PARIS']);
    expect(caseVariants('Paris')).toEqual(['paris', 'PARIS']);
    expect(caseVariants('42')).toEqual([]);
  });
});

describe('hstackCsr', () => {
  it('puts blocks side by side and refuses different row counts', () => {
    const a: Csr = { rows: 2, cols: 2, indptr: Int32Array.from([0, 1, 2]), indices: Int32Array.from([1, 0]), values: Float32Array.from([1, 2]) };
    const b: Csr = { rows: 2, cols: 3, indptr: Int32Array.from([0, 0, 2]), indices: Int32Array.from([0, 2]), values: Float32Array.from([3, 4]) };
    const c = hstackCsr(a, b);
    expect(c.cols).toBe(5);
    expect(Array.from(c.indptr)).toEqual([0, 1, 4]);
    expect(Array.from(c.indices)).toEqual([1, 0, 2, 4]);
    expect(Array.from(c.values)).toEqual([1, 2, 3, 4]);
    expect(() => hstackCsr(a, { ...b, rows: 3, indptr: Int32Array.from([0, 0, 0, 2]) })).toThrow(/2-row block beside a 3-row/);
  });
});
