/**
 * trainTextClassifier checks its options before vectors are loaded or anything is fitted: a bad
 * value is an InvalidArgumentError naming the option, not a broken model or a TensorFlow.js error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../src/engine/backend.js';
import { DataError, InvalidArgumentError } from '../../../src/errors.js';
import { MAX_BLOCK_WEIGHT, TfidfVectorizer, trainTextClassifier, type ModelSpec, type TrainTextOptions } from '../../../text/classify/index.js';
import { toyCorpus, toyVectors } from './helpers.js';

const vectors = toyVectors();
const train = toyCorpus({ n: 30, seed: 1 });
beforeAll(() => initEngine());

/** Refused with an InvalidArgumentError whose message matches — before the (missing) vectors are loaded. */
async function refused(model: ModelSpec, options: Partial<TrainTextOptions>, message: RegExp): Promise<void> {
  const error = await trainTextClassifier(train, { vectors: '/no/such/vectors.txt', model, ...options }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as Error).message).toMatch(message);
}

describe('model options', () => {
  it('hybrid: vectorWeight must be a number > 0 and ≤ MAX_BLOCK_WEIGHT (100)', async () => {
    expect(MAX_BLOCK_WEIGHT).toBe(100);
    // 1e20 trained a model that always predicted 1/K, 1e40 one that predicted NaN: refused with the bound.
    for (const w of [NaN, -1, 0, Infinity, 100.5, 1e3, 1e20, 1e40]) await refused({ kind: 'hybrid', vectorWeight: w }, {}, /^vectorWeight must be a number > 0 and ≤ 100, got /);
    const heaviest = await trainTextClassifier(train, { vectors, extraWords: 0, model: { kind: 'hybrid', vectorWeight: 100 } });
    expect(Array.from(await heaviest.predictProba(['fooda sporta'])).every(Number.isFinite)).toBe(true);
    heaviest.dispose();
    await refused({ kind: 'bow', c: NaN }, {}, /^c must be a finite number > 0, got NaN/);
  });

  it('embedding: filters, kernelSizes, embeddingLrMultiplier, maxLength, architecture', async () => {
    await refused({ kind: 'embedding', architecture: 'cnn', filters: 0 }, {}, /filters must be a whole number ≥ 1, got 0/);
    await refused({ kind: 'embedding', architecture: 'cnn', filters: 2.5 }, {}, /filters must be a whole number ≥ 1, got 2.5/);
    await refused({ kind: 'embedding', architecture: 'cnn', kernelSizes: [] }, {}, /kernelSizes must be a non-empty list/);
    await refused({ kind: 'embedding', architecture: 'cnn', kernelSizes: [0] }, {}, /kernelSizes .* got \[0\]/);
    await refused({ kind: 'embedding', architecture: 'cnn', kernelSizes: [3, 3] }, {}, /distinct/);
    await refused({ kind: 'embedding', finetune: true, embeddingLrMultiplier: NaN }, {}, /embeddingLrMultiplier must be a finite number > 0, got NaN/);
    await refused({ kind: 'embedding', finetune: true, embeddingLrMultiplier: -1 }, {}, /embeddingLrMultiplier/);
    await refused({ kind: 'embedding', maxLength: 0 }, {}, /maxLength must be a whole number ≥ 1/);
    await refused({ kind: 'embedding', architecture: 'rnn' as 'cnn' }, {}, /architecture must be 'pool' or 'cnn', got 'rnn'/);
  });

  it('tfidf: undefined keeps the default; maxFeatures and maxDfRatio are named, not "no terms"', async () => {
    const clf = await trainTextClassifier(train, { model: { kind: 'bow', tfidf: { minDf: undefined, maxN: undefined, maxFeatures: undefined } } });
    expect((clf.model as unknown as { tfidf: TfidfVectorizer }).tfidf.options).toMatchObject({ minDf: 2, maxN: 2, maxFeatures: 200_000 });
    clf.dispose();
    await refused({ kind: 'bow', tfidf: { maxFeatures: 0 } }, {}, /tfidf maxFeatures must be a whole number ≥ 1, got 0/);
    await refused({ kind: 'hybrid', tfidf: { maxDfRatio: NaN } }, {}, /tfidf maxDfRatio must be a number in \(0, 1\], got NaN/);
    await refused({ kind: 'smoothed', tfidf: { maxN: 3 } }, {}, /tfidf maxN must be 1 or 2, got 3/);
    // A ratio that leaves no n-gram says which options did it.
    expect(() => new TfidfVectorizer({ maxDfRatio: 0.01 }).fit([['a', 'b'], ['a', 'c']])).toThrow(DataError);
    expect(() => new TfidfVectorizer({ maxDfRatio: 0.01 }).fit([['a', 'b'], ['a', 'c']])).toThrow(/maxDfRatio 0.01/);
  });

  it('representation: emptyDocument and sifA', async () => {
    await refused({ kind: 'hybrid' }, { representation: { emptyDocument: 'foo' as 'zero' } }, /emptyDocument must be 'zero' or 'error', got 'foo'/);
    await refused({ kind: 'vectors', representation: 'sif' }, { representation: { sifA: Infinity } }, /sifA must be a finite number > 0/);
  });
});

describe('fit options', () => {
  it('a bad batch size on the vectors kind is named as such (not blamed on epochs)', async () => {
    await refused({ kind: 'vectors' }, { batchSize: NaN }, /^batchSize must be a whole number ≥ 1, got NaN/);
    const error = await trainTextClassifier(train, { vectors, model: { kind: 'vectors' }, batchSize: NaN }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^batchSize/);
  });

  it('patience, classWeights, seed, epochs, learningRate', async () => {
    await refused({ kind: 'vectors' }, { patience: NaN }, /patience must be a whole number ≥ 0, got NaN/);
    await refused({ kind: 'vectors' }, { patience: -1 }, /patience/);
    await refused({ kind: 'bow' }, { classWeights: 'foo' as 'none' }, /classWeights must be 'balanced' or 'none', got 'foo'/);
    await refused({ kind: 'bow' }, { seed: NaN }, /seed must be a whole number in 0 … 4294967295, got NaN/);
    await refused({ kind: 'bow' }, { seed: 1.5 }, /seed .* got 1.5/);
    await refused({ kind: 'vectors' }, { epochs: 0 }, /epochs must be a whole number ≥ 1/);
    await refused({ kind: 'vectors' }, { learningRate: Infinity }, /learningRate must be a finite number > 0/);
    await refused({ kind: 'bow' }, { extraWords: -1 }, /extraWords must be a whole number ≥ 0/);
    await refused({ kind: 'bow' }, { tokenizer: { maxTokens: -1 } }, /maxTokens/);
  });
});
