import { describe, expect, it } from 'vitest';
import { SoftmaxRegression, TfidfVectorizer } from '../../../text/classify/index.js';
import { blobs } from '../../helpers/toy.js';
import { trainTextClassifier, type LoadedSentenceEncoder } from '../../../text/classify/index.js';
import { DataError } from '../../../src/errors.js';
import { DEFAULT_C, DEFAULT_VECTOR_WEIGHT, type LinearTextModel } from '../../../text/classify/models/linear.js';
import { toyCorpus, toyVectors } from './helpers.js';

describe('TfidfVectorizer', () => {
  it('computes smooth-idf, sublinear-tf, L2-normalised unigrams and bigrams', () => {
    const docs = [['a', 'b', 'a'], ['a', 'c'], ['b', 'c']];
    const v = new TfidfVectorizer({ maxN: 2 }).fit(docs);
    expect(v.vocabulary).toEqual(['a', 'a b', 'a c', 'b', 'b a', 'b c', 'c']);
    const x = v.transform([['a', 'b', 'a']]);
    const idf = (df: number) => Math.log(4 / (1 + df)) + 1;
    const raw = new Map([
      ['a', (1 + Math.log(2)) * idf(2)],
      ['a b', idf(1)],
      ['b', idf(2)],
      ['b a', idf(1)],
    ]);
    const norm = Math.hypot(...raw.values());
    const got = new Map(Array.from(x.indices, (c, i) => [v.vocabulary[c], x.values[i]]));
    for (const [t, w] of raw) expect(got.get(t)).toBeCloseTo(w / norm, 5);
    expect(x.indptr[1]).toBe(4);
    // Unknown n-grams are dropped; a text with none is an empty row.
    expect(v.transform([['zzz']]).indptr[1]).toBe(0);
    // Serialisation round trip.
    const back = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
    expect(Array.from(back.transform([['a', 'b', 'a']]).values)).toEqual(Array.from(x.values));
  });

  it('drops n-grams below minDf on larger corpora', () => {
    const docs = Array.from({ length: 50 }, (_, i) => ['common', `rare${i}`]);
    expect(new TfidfVectorizer({ minDf: 2 }).fit(docs).vocabulary).toEqual(['common']);
  });
});

describe('SoftmaxRegression (L-BFGS)', () => {
  it('separates blobs with dense features and converges', () => {
    const { x, y } = blobs({ n: 300, dim: 5, classes: 3, seed: 2 });
    const m = new SoftmaxRegression(5, 3);
    const info = m.fit({ rows: 300, dense: { rows: 300, cols: 5, data: x } }, y, { c: 1 });
    expect(info.converged).toBe(true);
    const p = m.predictProba({ rows: 300, dense: { rows: 300, cols: 5, data: x } });
    let hit = 0;
    for (let i = 0; i < 300; i++) {
      const row = Array.from(p.subarray(3 * i, 3 * i + 3));
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      if (row.indexOf(Math.max(...row)) === y[i]) hit++;
    }
    expect(hit / 300).toBeGreaterThan(0.95);
  });

  it('stronger regularisation gives smaller weights', () => {
    const { x, y } = blobs({ n: 100, dim: 4, classes: 2, seed: 5 });
    const f = { rows: 100, dense: { rows: 100, cols: 4, data: x } };
    const strong = new SoftmaxRegression(4, 2);
    strong.fit(f, y, { c: 0.01 });
    const weak = new SoftmaxRegression(4, 2);
    weak.fit(f, y, { c: 100 });
    const norm = (m: SoftmaxRegression) => Math.hypot(...m.weights);
    expect(norm(strong)).toBeLessThan(norm(weak));
  });

  it('refuses to return a model when the loss is not finite (features that overflow float32), instead of one that predicts NaN', () => {
    const { x, y } = blobs({ n: 40, dim: 3, classes: 2, seed: 1 });
    for (const bad of [Infinity, NaN]) {
      const data = Float32Array.from(x);
      data[7] = bad;
      const m = new SoftmaxRegression(3, 2);
      const fit = () => m.fit({ rows: 40, dense: { rows: 40, cols: 3, data } }, y);
      expect(fit).toThrow(DataError);
      expect(fit).toThrow(new RegExp(`loss is NaN, and feature column 1 of row 2 \\(0-based\\) is ${bad}`));
    }
  });
});

describe('a dense block that is not finite', () => {
  it("'hybrid' with an encoder that gives NaN fails with a DataError, not a model predicting NaN", async () => {
    const train = toyCorpus({ n: 30, seed: 1, vocabulary: 'seen' });
    const nan: LoadedSentenceEncoder = {
      dim: 4,
      provenance: { source: 'nan-encoder' },
      encode: async (texts) => new Float32Array(texts.length * 4).fill(NaN),
      describe: () => ({ name: 'nan', source: 'nan-encoder', dim: 4, maxTokens: 8 }) as ReturnType<LoadedSentenceEncoder['describe']>,
      dispose: () => {},
    };
    const e = await trainTextClassifier(train, { model: { kind: 'hybrid', sentence: nan } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).message).toMatch(/the logistic regression cannot be fitted: its loss is NaN/);
    expect((e as DataError).hint).toMatch(/vectorWeight \/ sentenceWeight ≤ 100/);
  });
});

describe('hybrid defaults', () => {
  it('the document vector enters next to the TF-IDF row with weight 1 (the value chosen on a validation split of the SpamAssassin train part)', async () => {
    expect(DEFAULT_VECTOR_WEIGHT).toBe(1);
    expect(DEFAULT_C).toBe(100);
    const train = toyCorpus({ n: 60, seed: 1, vocabulary: 'seen' });
    const clf = await trainTextClassifier(train, { model: { kind: 'hybrid' }, vectors: toyVectors(), extraWords: 0 });
    const model = clf.model as LinearTextModel;
    const dense = (await model.features(clf.tokenize(['fooda the foodb', 'sporta a']))).dense!;
    for (let r = 0; r < dense.rows; r++) {
      const row = dense.data.subarray(r * dense.cols, (r + 1) * dense.cols);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
    clf.dispose();
  });
});
