import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { WordVectors } from '../../../text/vectors/index.js';
import { createRepresentation, firstPrincipalComponent, restoreRepresentation, Tokenizer, VectorLookup } from '../../../text/classify/index.js';

const v = WordVectors.fromArrays({
  words: ['good', 'bad', 'movie', 'plot'],
  matrix: Float32Array.from([1, 0, 0, 1, 2, 2, -1, 3]),
  dim: 2,
});
const tok = new Tokenizer();
const lookup = new VectorLookup(v);
const prov = { source: 'test' };
const make = (name: 'mean' | 'tfidf-mean' | 'sif' | 'mean-max', options = {}) => createRepresentation(name, tok, lookup, prov, options);

describe('document representations', () => {
  it('mean: average of known words, unknown words ignored', async () => {
    const e = make('mean');
    expect(Array.from(await e.encode(['good movie unknownword']))).toEqual([1.5, 1]);
    expect(e.dim).toBe(2);
    expect(e.name).toBe('test/mean');
  });

  it('mean-max: mean then element-wise max (2 × dim)', async () => {
    const e = make('mean-max');
    expect(e.dim).toBe(4);
    const got = Array.from(await e.encode(['good bad plot']));
    [0, 4 / 3, 1, 3].forEach((x, i) => expect(got[i]).toBeCloseTo(x, 6));
  });

  it('tfidf-mean: rarer training words weigh more', async () => {
    const e = make('tfidf-mean').fit([['good', 'movie'], ['good', 'plot'], ['good', 'bad']]);
    const [x, y] = await e.encode(['good movie']);
    // idf(good) = log(4/4)+1 = 1, idf(movie) = log(4/2)+1.
    const w = Math.log(2) + 1;
    expect(x).toBeCloseTo((1 + 2 * w) / (1 + w), 5);
    expect(y).toBeCloseTo((0 + 2 * w) / (1 + w), 5);
  });

  it('sif: a/(a+p(w)) weights and the first principal component removed', async () => {
    const docs = [['good', 'movie'], ['bad', 'plot'], ['good', 'plot', 'plot'], ['movie', 'bad']];
    const e = make('sif', { sifA: 0.1 }).fit(docs);
    const state = e.toJSON();
    expect(state.pc).toHaveLength(2);
    expect((state.weights as Record<string, number>).plot).toBeCloseTo(0.1 / (0.1 + 3 / 9), 6);
    const out = e.encodeTokens(docs);
    for (let i = 0; i < docs.length; i++) expect(out[2 * i] * state.pc![0] + out[2 * i + 1] * state.pc![1]).toBeCloseTo(0, 5);
    // Round trip through the bundle state gives the same vectors.
    const back = restoreRepresentation(state, tok, lookup, prov);
    expect(Array.from(back.encodeTokens(docs))).toEqual(Array.from(out));
  });

  it('first principal component of points on a line is that line', () => {
    const pc = firstPrincipalComponent(Float32Array.from([1, 2, 2, 4, -3, -6]), 3, 2);
    expect(Math.abs(pc[0])).toBeCloseTo(1 / Math.sqrt(5), 5);
    expect(Math.abs(pc[1])).toBeCloseTo(2 / Math.sqrt(5), 5);
  });

  it('a text with no known word becomes the zero vector (counted), or an error when asked', async () => {
    const e = make('mean-max');
    const out = await e.encode(['good', 'zzz qqq', '']);
    expect(Array.from(out.subarray(4, 12))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(e.emptyCount).toBe(2);
    await expect(make('mean', { emptyDocument: 'error' }).encode(['zzz'])).rejects.toBeInstanceOf(DataError);
  });
});
