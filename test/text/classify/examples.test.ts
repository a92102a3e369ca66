/**
 * Examples given in memory are read as readDataset reads a file: texts must be strings, labels
 * non-empty strings, numbers or booleans, turned into trimmed strings — so labels given as numbers
 * match the same labels read from a file, in training, evaluation, splits and bundles.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../src/engine/backend.js';
import { DataError, InvalidArgumentError } from '../../../src/errors.js';
import { loadTextClassifier, readDataset, saveTextClassifier, splitExamples, trainTextClassifier, type TextExample } from '../../../text/classify/index.js';
import { tempDir } from './helpers.js';

const ex: TextExample[] = [
  { text: 'great movie really nice', label: 'pos' },
  { text: 'awful film so bad', label: 'neg' },
  { text: 'nice film', label: 'pos' },
  { text: 'bad movie', label: 'neg' },
];
const bad = (e: unknown) => [...ex, e] as TextExample[];

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await initEngine();
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

async function refused(examples: TextExample[], message: RegExp, options = {}): Promise<void> {
  const error = await trainTextClassifier(examples, { model: { kind: 'bow' }, ...options }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  expect((error as Error).message).toMatch(message);
}

describe('examples in memory', () => {
  it('a missing, empty or non-scalar label, or a text that is not a string, is a DataError naming the example', async () => {
    await refused(bad({ text: 'x y', label: undefined }), /example 4 of the training set has a label that is undefined/);
    await refused(bad({ text: 'x y', label: null }), /example 4 .* label that is null/);
    await refused(bad({ text: 'x y', label: '' }), /example 4 of the training set has an empty label/);
    await refused(bad({ text: 'x y', label: '  ' }), /empty label/);
    await refused(bad({ text: 'x y', label: ['pos'] }), /label that is an array/);
    await refused(bad({ text: undefined, label: 'pos' }), /example 4 of the training set has a text that is undefined, not a string/);
    await refused(bad({ text: 42, label: 'pos' }), /text that is a number/);
    await refused(ex, /example 1 of the validation set has a label that is undefined/, { validation: [ex[0], { text: 'x', label: undefined }] });
    const clf = await trainTextClassifier(ex, { model: { kind: 'bow' } });
    await expect(clf.evaluate(bad({ text: null, label: 'pos' }))).rejects.toThrow(/example 4 of the evaluation set has a text that is null/);
    expect(() => splitExamples(bad({ text: 'x', label: undefined }))).toThrow(DataError);
  });

  it('numeric labels are strings, as read from a file: they match in evaluation and survive a bundle', async () => {
    const numeric = ex.map((e) => ({ ...e, label: (e.label === 'pos' ? 1 : 0) as unknown as string }));
    const clf = await trainTextClassifier(numeric, { model: { kind: 'bow' }, validation: [{ text: 'nice', label: 1 as unknown as string }] });
    expect(clf.labels).toEqual(['0', '1']);
    expect(clf.summary.validation).toMatchObject({ texts: 1, used: 1, unseenLabels: [] });
    const file = join(dir, 'n.csv');
    await writeFile(file, 'text,label\nnice film,1\nbad movie,0\n');
    const ev = await clf.evaluate((await readDataset(file)).examples);
    expect(ev.report.count).toBe(2);
    expect(ev.unseenLabels).toEqual([]);
    expect((await clf.evaluate([{ text: 'nice film', label: ' 1 ' }])).report.count).toBe(1);
    expect((await clf.predict(['nice film']))[0][0].label).toBe('1');
    await saveTextClassifier(join(dir, 'numeric'), clf);
    const back = await loadTextClassifier(join(dir, 'numeric'));
    expect(back.labels).toEqual(['0', '1']);
    expect((await back.evaluate(numeric)).unseenLabels).toEqual([]);
    // Booleans too; splits see 1 and '1' as one label.
    expect((await trainTextClassifier(ex.map((e) => ({ ...e, label: (e.label === 'pos') as unknown as string })), { model: { kind: 'bow' } })).labels).toEqual(['false', 'true']);
    const mixed = [...numeric, ...ex.map((e) => ({ ...e, label: e.label === 'pos' ? '1' : '0' }))];
    const s = splitExamples(mixed, { validation: 0.5 });
    expect(s.validation).toHaveLength(4);
  });
});

describe('texts to classify', () => {
  it('a text that is not a string is an InvalidArgumentError naming its position', async () => {
    const clf = await trainTextClassifier(ex, { model: { kind: 'bow' } });
    await expect(clf.predict(['fine', null as unknown as string])).rejects.toThrow(/texts\[1\] is null, not a string/);
    await expect(clf.predictProba([3 as unknown as string])).rejects.toThrow(InvalidArgumentError);
    await expect(clf.predict('nice' as unknown as string[])).rejects.toThrow(/texts must be an array of strings, got string/);
    expect(await clf.predict([''])).toHaveLength(1); // an empty text is a text: answered from the prior
  });

  it('topK is a whole number ≥ 1 whatever the number of labels (it is capped at that number only after)', async () => {
    const clf = await trainTextClassifier(ex, { model: { kind: 'bow' } });
    await expect(clf.predict(['nice'], { topK: 2.5 })).rejects.toThrow(/topK must be a whole number ≥ 1, got 2.5/);
    await expect(clf.predict(['nice'], { topK: 0 })).rejects.toThrow(InvalidArgumentError);
    expect((await clf.predict(['nice'], { topK: 5 }))[0]).toHaveLength(2);
  });
});

describe('validation texts', () => {
  it('the summary reports the trained classifier\'s accuracy and macro-F1 on them (the docs promised reported metrics), kept in the bundle', async () => {
    const validation = [...ex, { text: 'nice nice', label: 'pos' }, { text: 'so bad', label: 'neg' }, { text: 'odd one', label: 'other' }];
    const clf = await trainTextClassifier(ex, { model: { kind: 'bow' }, validation });
    const ev = await clf.evaluate(validation);
    expect(clf.summary.validation).toEqual({ texts: 7, used: 6, unseenLabels: [{ label: 'other', count: 1 }], accuracy: ev.report.accuracy, macroF1: ev.report.macroF1 });
    expect(clf.validationEvaluation?.report).toEqual(ev.report);
    await saveTextClassifier(join(dir, 'with-validation'), clf);
    const back = await loadTextClassifier(join(dir, 'with-validation'));
    expect(back.summary.validation).toMatchObject({ accuracy: ev.report.accuracy, macroF1: ev.report.macroF1 });
    expect(back.validationEvaluation).toBeUndefined();
    expect((await trainTextClassifier(ex, { model: { kind: 'bow' } })).summary.validation).toBeUndefined();
  });
});

describe('the name recorded for vectors given loaded', () => {
  it('is the source loadVectors recorded (wv.origin.source), not "in-memory", unless vectorsName says otherwise', async () => {
    const { WordVectors } = await import('../../../text/vectors/index.js');
    const words = ['great', 'nice', 'awful', 'bad', 'movie', 'film'];
    const matrix = Float32Array.from(words.flatMap((_, i) => [Math.cos(i), Math.sin(i)]));
    const loaded = WordVectors.fromArrays({ words, matrix, dim: 2, origin: { source: 'my-vectors.txt' } });
    const partial = WordVectors.fromArrays({ words, matrix, dim: 2, origin: { source: 'my-vectors.txt', limit: 6 } });
    const built = WordVectors.fromArrays({ words, matrix, dim: 2 });
    const source = async (options: object) => (await trainTextClassifier(ex, { model: { kind: 'hybrid' }, ...options })).summary.vectors?.source;
    expect(await source({ vectors: loaded })).toBe('my-vectors.txt');
    expect(await source({ vectors: partial })).toBe('my-vectors.txt (first 6 words)');
    expect(await source({ vectors: loaded, vectorsName: 'named' })).toBe('named');
    expect(await source({ vectors: built })).toBe('in-memory');
  });
});
