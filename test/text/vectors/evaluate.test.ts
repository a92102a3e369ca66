import { describe, expect, it } from 'vitest';
import { InvalidFileError } from '../../../src/errors.js';
import { pearson, spearman, WordVectors } from '../../../text/vectors/index.js';
import { cosine, tempDir, TINY, tinyMatrix, write } from './helpers.js';

const dir = tempDir();
const wv = WordVectors.fromArrays({ words: TINY.words, matrix: tinyMatrix(), dim: 4 });
const row = (w: string) => TINY.rows[TINY.words.indexOf(w)]!;

describe('statistics', () => {
  it('spearman averages tied ranks (as scipy)', () => {
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.820782681668123, 12);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])).toBeCloseTo(1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

describe('evaluateAnalogies', () => {
  const questions = [
    ': royalty',
    'man king woman queen',
    'woman queen man king',
    'king man queen woman',
    'MAN KING WOMAN QUEEN',
    ': food',
    'apple banana king prince',
    'man king apple fruit',
    'man king apple banana',
    'man king woman empress',
  ];

  it('3CosMul: a question with a zero-vector word is answered incorrectly, not an error mid-file', async () => {
    const words = [...TINY.words, 'nothing'];
    const z = WordVectors.fromArrays({ words, matrix: Float32Array.from([...tinyMatrix(), 0, 0, 0, 0]), dim: 4 });
    const file = write(dir, 'zero.txt', ': s\nman king woman queen\nman king nothing queen\n');
    const r = await z.evaluateAnalogies(file, { method: 'mul' });
    expect(r.total.correct + r.total.incorrect).toBe(2);
    expect(r.total.incorrect).toBeGreaterThanOrEqual(1);
    expect(r.total.correct).toBe(z.analogy('man', 'king', 'woman', { method: 'mul', topn: 1 })[0]!.word === 'queen' ? 1 : 0);
  });

  it('scores each section and the total; OOV questions are counted and left out', async () => {
    const file = write(dir, 'questions.txt', questions.join('\n') + '\n');
    const r = await wv.evaluateAnalogies(file);
    // Expected answers, independently of the evaluator: the top analogy() answer.
    const right = (q: string) => {
      const [a, b, c, d] = q.toLowerCase().split(' ') as [string, string, string, string];
      return wv.analogy(a, b, c, { topn: 1 })[0]!.word === d;
    };
    const food = questions.slice(6, 9);
    expect(r.sections.map((s) => s.section)).toEqual(['royalty', 'food']);
    expect(r.sections[0]).toMatchObject({ correct: 4, incorrect: 0, oov: 0, accuracy: 1 });
    const foodRight = food.filter(right).length;
    expect(r.sections[1]).toMatchObject({ correct: foodRight, incorrect: 3 - foodRight, oov: 1 });
    expect(r.total).toMatchObject({ section: 'total', correct: 4 + foodRight, incorrect: 3 - foodRight, oov: 1 });
    expect(r.total.accuracy).toBeCloseTo((4 + foodRight) / 7, 12);
    expect(r.oovRatio).toBeCloseTo(1 / 8, 12);
  });

  it('case-sensitive mode and restrictVocab turn questions into OOV', async () => {
    const file = write(dir, 'questions2.txt', questions.join('\n'));
    const cs = await wv.evaluateAnalogies(file, { caseInsensitive: false });
    expect(cs.sections[0]).toMatchObject({ correct: 3, oov: 1 });
    const restricted = await wv.evaluateAnalogies(file, { restrictVocab: 4 });
    expect(restricted.sections[0]).toMatchObject({ correct: 4, oov: 0 });
    expect(restricted.sections[1]).toMatchObject({ correct: 0, incorrect: 0, oov: 4, accuracy: 0 });
  });

  it('3CosMul gives the same verdicts as analogy(…, mul)', async () => {
    const file = write(dir, 'questions3.txt', questions.join('\n'));
    const r = await wv.evaluateAnalogies(file, { method: 'mul' });
    const expected = questions
      .filter((q) => !q.startsWith(':') && !q.includes('empress'))
      .filter((q) => {
        const [a, b, c, d] = q.toLowerCase().split(' ') as [string, string, string, string];
        return wv.analogy(a, b, c, { method: 'mul', topn: 1 })[0]!.word === d;
      }).length;
    expect(r.total.correct).toBe(expected);
  });

  it('malformed files name the line', async () => {
    await expect(wv.evaluateAnalogies(write(dir, 'q-bad.txt', ': s\nman king woman\n'))).rejects.toMatchObject({ location: 'line 2' });
    await expect(wv.evaluateAnalogies(write(dir, 'q-nosec.txt', 'man king woman queen\n'))).rejects.toThrow(/before the first/);
    await expect(wv.evaluateAnalogies(write(dir, 'q-empty.txt', '\n'))).rejects.toBeInstanceOf(InvalidFileError);
  });
});

describe('evaluateWordPairs', () => {
  it('Spearman ρ between the scores and cosine similarity; OOV pairs counted', async () => {
    const pairs: [string, string, number][] = [
      ['king', 'queen', 6],
      ['king', 'prince', 9.5],
      ['apple', 'banana', 9],
      ['man', 'banana', 1],
      ['woman', 'fruit', 2.5],
    ];
    const text = '# a comment line\n' + pairs.map((p) => p.join('\t')).join('\n') + '\nking unicorn 3\n';
    const r = await wv.evaluateWordPairs(write(dir, 'pairs.tsv', text));
    // Independent Spearman (no ties): 1 − 6 Σd² / (n (n² − 1)).
    const rank = (xs: number[]) => xs.map((x) => xs.filter((y) => y < x).length + 1);
    const gold = rank(pairs.map((p) => p[2]));
    const sims = rank(pairs.map(([a, b]) => cosine(row(a), row(b))));
    const d2 = gold.reduce((s, g, i) => s + (g - sims[i]!) ** 2, 0);
    expect(r.spearman).toBeCloseTo(1 - (6 * d2) / (5 * 24), 12);
    expect(r.pairs).toBe(5);
    expect(r.oov).toBe(1);
    expect(r.oovRatio).toBeCloseTo(1 / 6, 12);
    expect(r.pearson).toBeGreaterThan(-1);
  });

  it('malformed lines name the line', async () => {
    await expect(wv.evaluateWordPairs(write(dir, 'p-bad.txt', 'king queen 1\nking queen\n'))).rejects.toMatchObject({ location: 'line 2' });
    await expect(wv.evaluateWordPairs(write(dir, 'p-nan.txt', 'king queen high\n'))).rejects.toThrow(/'high' is not a number/);
  });
});
