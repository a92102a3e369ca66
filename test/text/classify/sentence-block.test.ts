/**
 * 'smoothed' and 'hybrid' with a sentence-encoder block: the encoder's vector of each text,
 * L2-normalised × the weight, joins the sparse features of one logistic regression. The encoder is
 * the ONNX fixture (test/helpers/onnx-encoder.ts): it knows the topic words only, so its vector of a
 * text is the normalised sum of its topic words' rows — a zero vector for a text without one.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../src/engine/backend.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { manifestDigest } from '../../../src/bundle/bundle.js';
import { loadTextClassifier, saveTextClassifier, trainTextClassifier, type LoadedSentenceEncoder, type ModelSpec, type TrainTextOptions } from '../../../text/classify/index.js';
import type { LinearTextModel } from '../../../text/classify/models/linear.js';
import { SentenceEncoder } from '../../../text/sentence/index.js';
import { writeOnnxEncoder } from '../../helpers/onnx-encoder.js';
import { tempDir, TOPICS, toyCorpus, toyVectors } from './helpers.js';

const vectors = toyVectors();
const train = toyCorpus({ n: 60, seed: 1, vocabulary: 'seen' });
const unseen = toyCorpus({ n: 60, seed: 3, vocabulary: 'unseen' });

let dir: string;
let cleanup: () => Promise<void>;
let model: string;

/** A sentence encoder that knows every topic word (filler words are [UNK], whose row is zero). */
function writeToyEncoder(at: string): string {
  const topical = vectors.words.map((w, i) => [w, i] as const).filter(([w]) => TOPICS.some((t) => w.startsWith(t)));
  const rows = new Float32Array(topical.length * vectors.dim);
  topical.forEach(([, i], j) => rows.set(vectors.matrix.subarray(i * vectors.dim, (i + 1) * vectors.dim), j * vectors.dim));
  return writeOnnxEncoder(at, { words: topical.map(([w]) => w), vectors: rows, dim: vectors.dim });
}

/** A loaded encoder wrapped as a bench would: counts the texts it is asked to encode, and whether it was disposed. */
function counting(encoder: SentenceEncoder): LoadedSentenceEncoder & { texts: number; disposed: boolean } {
  const w = {
    texts: 0,
    disposed: false,
    dim: encoder.dim,
    provenance: encoder.provenance,
    describe: () => encoder.describe(),
    encode: async (texts: readonly string[]) => {
      w.texts += texts.length;
      return encoder.encode(texts);
    },
    dispose: () => void (w.disposed = true),
  };
  return w;
}

beforeAll(async () => {
  await initEngine();
  ({ dir, cleanup } = await tempDir());
  model = writeToyEncoder(join(dir, 'toy-encoder'));
});
afterAll(() => cleanup());

const options = (spec: ModelSpec, extra: Partial<TrainTextOptions> = {}): TrainTextOptions => ({ model: spec, vectors, extraWords: 0, seed: 0, ...extra });
const rowNorms = (data: Float32Array, dim: number) => Array.from({ length: data.length / dim }, (_, r) => Math.hypot(...data.subarray(r * dim, (r + 1) * dim)));

describe("'smoothed' with a sentence block", () => {
  it('appends the encoder vector, L2-normalised × sentenceWeight, after the same sparse columns as plain smoothed', async () => {
    const plain = await trainTextClassifier(train, options({ kind: 'smoothed' }));
    const withBlock = await trainTextClassifier(train, options({ kind: 'smoothed', sentence: { model }, sentenceWeight: 2 }));
    const texts = ['fooda the foodb', 'sporta a', 'the and of'];
    const docs = withBlock.tokenize(texts);
    const a = await (plain.model as LinearTextModel).features(docs, texts);
    const b = await (withBlock.model as LinearTextModel).features(docs, texts);
    expect(a.dense).toBeUndefined();
    expect(b.sparse).toEqual(a.sparse);
    expect(b.dense!.cols).toBe(16);
    // Rows of norm 2 (the weight); the text without a topic word has a zero encoding, which stays zero.
    const norms = rowNorms(b.dense!.data, 16);
    expect(norms[0]).toBeCloseTo(2, 5);
    expect(norms[1]).toBeCloseTo(2, 5);
    expect(norms[2]).toBe(0);
    // The block is the encoder's own vector, scaled.
    const encoder = await SentenceEncoder.load({ model });
    const own = await encoder.encode(texts.slice(0, 1));
    encoder.dispose();
    Array.from(own).forEach((v, k) => expect(b.dense!.data[k]).toBeCloseTo((2 * v) / Math.hypot(...own), 5));
    // Summary: the encoder as loaded, and no training text encoded as zero (each has a topic word).
    expect(withBlock.summary).toMatchObject({ model: { kind: 'smoothed', sentence: { model }, sentenceWeight: 2 }, sentenceEncoder: { source: model, dim: 16 }, emptyRepresentations: 0 });
    expect(withBlock.summary.expansion!.expandedWords).toBeGreaterThan(0);
    // The default weight is 1 (DEFAULT_VECTOR_WEIGHT), as hybrid's vectorWeight.
    const byDefault = await trainTextClassifier(train, options({ kind: 'smoothed', sentence: { model } }));
    const d = (await (byDefault.model as LinearTextModel).features(docs, texts)).dense!;
    expect(rowNorms(d.data, 16)[0]).toBeCloseTo(1, 5);
    for (const c of [plain, withBlock, byDefault]) c.dispose();
  });

  it('round-trips through a bundle holding the encoder: identical probabilities after the model folder is gone', async () => {
    const folder = writeToyEncoder(join(dir, 'movable'));
    const clf = await trainTextClassifier(train, options({ kind: 'smoothed', sentence: { model: folder }, c: 30 }));
    const out = join(dir, 'smoothed-sentence');
    await saveTextClassifier(out, clf);
    const files = (await readdir(out)).sort();
    expect(files).toEqual(['encoder-config.json', 'encoder-onnx-model.onnx', 'encoder-tokenizer.json', 'encoder-tokenizer_config.json', 'manifest.json', 'state.json'].sort());
    await rm(folder, { recursive: true });
    const back = await loadTextClassifier(out);
    expect(back.spec).toEqual({ kind: 'smoothed', sentence: { model: folder }, c: 30 });
    const texts = [...unseen.slice(0, 20).map((e) => e.text), 'words nobody has seen', 'The FOODA Sportb!'];
    expect(Array.from(await back.predictProba(texts))).toEqual(Array.from(await clf.predictProba(texts)));
    clf.dispose();
    back.dispose();
    // A disposed bundle-loaded classifier released its encoder: predicting is refused, not an ONNX error.
    await expect(back.predict(['fooda'])).rejects.toThrow(/disposed/);
  });

  it('takes a loaded encoder: used as given (one encoder for many classifiers), never disposed by them, recorded as options', async () => {
    const encoder = await SentenceEncoder.load({ model });
    const wrapped = counting(encoder);
    const first = await trainTextClassifier(train, options({ kind: 'smoothed', sentence: wrapped }));
    expect(wrapped.texts).toBe(train.length);
    await first.predict(['fooda sporta']);
    expect(wrapped.texts).toBe(train.length + 1);
    // A wrapper cannot give the model's files: saving is refused by name, before anything is written.
    const refused = join(dir, 'wrapped-bundle');
    await expect(saveTextClassifier(refused, first)).rejects.toThrow(/its sentence encoder \(.*toy-encoder\) is not a SentenceEncoder, so its model files cannot be stored/);
    expect(existsSync(refused)).toBe(false);
    // Also when the wrapper lost its provenance after training: the refusal, not a TypeError.
    const { provenance } = wrapped;
    (wrapped as { provenance?: unknown }).provenance = undefined;
    await expect(saveTextClassifier(refused, first)).rejects.toThrow(/its sentence encoder \(no provenance\) is not a SentenceEncoder/);
    (wrapped as { provenance?: unknown }).provenance = provenance;
    first.dispose();
    expect(wrapped.disposed).toBe(false);
    // The spec and summary record options that load the encoder again (JSON, not the object).
    expect(first.spec).toEqual({ kind: 'smoothed', sentence: { model, pooling: 'mean', maxTokens: 512, quantized: false } });
    expect(JSON.parse(JSON.stringify(first.summary.model))).toEqual(first.spec);
    // The encoder itself (not a wrapper) can be saved with the classifier, and the bundle predicts the same.
    const second = await trainTextClassifier(train, options({ kind: 'hybrid', sentence: encoder }));
    const out = join(dir, 'hybrid-loaded');
    await saveTextClassifier(out, second);
    const back = await loadTextClassifier(out);
    const texts = unseen.slice(0, 10).map((e) => e.text);
    expect(Array.from(await back.predictProba(texts))).toEqual(Array.from(await second.predictProba(texts)));
    second.dispose();
    back.dispose();
    // Still usable: nobody disposed it.
    expect((await encoder.encode(['fooda'])).length).toBe(16);
    encoder.dispose();
    // An encoder loaded with normalize: false is recorded with it (the default, true, is left out), so the spec loads it again as it was.
    const raw = await SentenceEncoder.load({ model, normalize: false });
    const third = await trainTextClassifier(train, options({ kind: 'smoothed', sentence: raw }));
    expect(third.spec).toEqual({ kind: 'smoothed', sentence: { model, pooling: 'mean', maxTokens: 512, quantized: false, normalize: false } });
    const again = await SentenceEncoder.load((third.spec as { sentence: { model: string } }).sentence);
    expect(again.describe()).toEqual(raw.describe());
    for (const x of [third, raw, again]) x.dispose();
  });
});

describe("'hybrid' with a sentence encoder as its representation", () => {
  it('replaces the word vectors (none are loaded) and transfers to words never seen in training, which bag-of-words cannot', async () => {
    // A vectors source that does not exist: the sentence representation never reads it.
    const noVectors = { vectors: join(dir, 'no-such-vectors.vec') };
    const clf = await trainTextClassifier(train, { ...options({ kind: 'hybrid', sentence: { model } }), ...noVectors });
    const bow = await trainTextClassifier(train, { ...options({ kind: 'bow' }), ...noVectors });
    expect(clf.summary.vectors).toBeUndefined();
    expect(clf.lookup).toBeUndefined();
    expect((await clf.evaluate(unseen)).report.accuracy).toBeGreaterThan(0.9);
    expect((await bow.evaluate(unseen)).report.accuracy).toBeLessThan(0.6);
    const dense = (await (clf.model as LinearTextModel).features(clf.tokenize(['fooda']), ['fooda'])).dense!;
    expect(rowNorms(dense.data, 16)[0]).toBeCloseTo(1, 5);
    // vectorWeight scales it, as it scales a word-vector representation.
    const heavy = await trainTextClassifier(train, { ...options({ kind: 'hybrid', representation: 'sentence', sentence: { model }, vectorWeight: 3 }), ...noVectors });
    const d3 = (await (heavy.model as LinearTextModel).features(heavy.tokenize(['fooda']), ['fooda'])).dense!;
    expect(rowNorms(d3.data, 16)[0]).toBeCloseTo(3, 5);
    const out = join(dir, 'hybrid-sentence');
    await saveTextClassifier(out, heavy);
    expect((await readdir(out)).some((f) => f.startsWith('vectors'))).toBe(false);
    const back = await loadTextClassifier(out);
    const texts = unseen.map((e) => e.text);
    expect(Array.from(await back.predictProba(texts))).toEqual(Array.from(await heavy.predictProba(texts)));
    for (const c of [clf, bow, heavy, back]) c.dispose();
  });
});

describe('sentence-block options are checked before anything is loaded', () => {
  // The vectors source does not exist: each refusal must come before the vectors (or the encoder) are read.
  const refuse = (spec: unknown) => trainTextClassifier(train, { model: spec as ModelSpec, vectors: join(dir, 'no-such.vec') });
  it.each([
    [{ kind: 'smoothed', sentence: { model: 'x' }, sentenceWeight: 0 }, /sentenceWeight must be a number > 0 and ≤ 100, got 0/],
    [{ kind: 'smoothed', sentence: { model: 'x' }, sentenceWeight: Number.NaN }, /sentenceWeight must be a number > 0 and ≤ 100, got NaN/],
    [{ kind: 'smoothed', sentence: { model: 'x' }, sentenceWeight: 1e40 }, /sentenceWeight must be a number > 0 and ≤ 100, got 1e\+40/],
    [{ kind: 'smoothed', sentenceWeight: 2 }, /sentenceWeight needs a sentence encoder/],
    [{ kind: 'smoothed', sentence: 'use-lite' }, /sentence must be sentence-encoder options or a loaded sentence encoder, got 'use-lite'/],
    [{ kind: 'smoothed', sentence: {} }, /sentence\.model must be a model folder or hub id, got nothing/],
    [{ kind: 'smoothed', sentence: { model: '  ' } }, /sentence\.model must be a model folder or hub id/],
    [{ kind: 'smoothed', sentence: { encode: async () => new Float32Array(0), dim: 0 } }, /has encode\(\) but is not a usable sentence encoder: it needs describe\(\), dispose\(\), a whole dim ≥ 1/],
    // A wrapper without provenance passed, then saving it crashed with a TypeError reading provenance.source.
    [{ kind: 'smoothed', sentence: { encode: async () => new Float32Array(0), dim: 4, describe: () => ({}), dispose: () => {} } }, /has encode\(\) but is not a usable sentence encoder: it needs provenance\.source \(a string\)$/],
    [{ kind: 'hybrid', sentence: { encode: async () => new Float32Array(0), dim: 4, describe: () => ({}), dispose: () => {}, provenance: { source: 3 } } }, /it needs provenance\.source \(a string\)$/],
    [{ kind: 'sentence', encoder: { encode: async () => new Float32Array(0), dim: 4, describe: () => ({}), dispose: () => {}, provenance: null } }, /encoder has encode\(\) but .* it needs provenance\.source/],
    // encode that is not a function is named as such (not "sentence.model … got nothing").
    [{ kind: 'smoothed', sentence: { encode: 'yes', dim: 4, describe: () => ({}), dispose: () => {}, provenance: { source: 'x' } } }, /sentence is not a usable sentence encoder: it needs encode\(\)$/],
    [{ kind: 'smoothed', sentence: { dim: 4, describe: () => ({}), dispose: () => {}, provenance: { source: 'x' } } }, /sentence is not a usable sentence encoder: it needs encode\(\)$/],
    [{ kind: 'hybrid', representation: 'sif', sentence: { model: 'x' } }, /one document representation: the sentence encoder replaces 'sif'/],
    [{ kind: 'hybrid', representation: 'sentence' }, /representation 'sentence' needs a sentence encoder/],
    [{ kind: 'hybrid', sentence: { model: 'x' }, sentenceWeight: 2 }, /its scale is vectorWeight, not sentenceWeight/],
    [{ kind: 'hybrid', sentence: { model: 'x' }, vectorWeight: -1 }, /vectorWeight must be a number > 0 and ≤ 100/],
    [{ kind: 'hybrid', sentence: { model: 'x' }, vectorWeight: 1e20 }, /vectorWeight must be a number > 0 and ≤ 100, got 100000000000000000000/],
    [{ kind: 'bow', sentence: { model: 'x' } }, /a 'bow' model takes no sentence block/],
    // A weight of another kind was recorded in the spec and ignored by the fit.
    [{ kind: 'smoothed', sentence: { model: 'x' }, vectorWeight: 2 }, /a 'smoothed' model takes no vectorWeight \(only 'hybrid' does/],
    [{ kind: 'bow', vectorWeight: 2 }, /a 'bow' model takes no vectorWeight/],
    [{ kind: 'vectors', vectorWeight: 2 }, /a 'vectors' model takes no vectorWeight/],
    [{ kind: 'embedding', vectorWeight: 2 }, /a 'embedding' model takes no vectorWeight/],
    [{ kind: 'sentence', encoder: { model: 'x' }, vectorWeight: 2 }, /a 'sentence' model takes no vectorWeight/],
    [{ kind: 'bow', sentenceWeight: 2 }, /a 'bow' model takes no sentenceWeight \(only 'smoothed' does/],
    [{ kind: 'sentence', encoder: { model: 'x' }, sentenceWeight: 2 }, /a 'sentence' model takes no sentenceWeight/],
    [{ kind: 'vectors', sentenceWeight: 2 }, /a 'vectors' model takes no sentenceWeight/],
    [{ kind: 'embedding', sentenceWeight: 2 }, /a 'embedding' model takes no sentenceWeight/],
    [{ kind: 'sentence', encoder: { model: '' } }, /encoder\.model must be a model folder or hub id, got ''/],
  ])('%j', async (spec, message) => {
    const e = await refuse(spec).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as Error).message).toMatch(message);
  });

  it('the hint of vectorWeight on smoothed names sentenceWeight', async () => {
    const e = (await refuse({ kind: 'smoothed', sentence: { model: 'x' }, vectorWeight: 2 }).catch((err: unknown) => err)) as InvalidArgumentError;
    expect(e.hint).toMatch(/rename vectorWeight to sentenceWeight/);
  });

  it('bundles saved before these checks (a weight > 100, a weight of another kind in the spec) still load and predict', async () => {
    const rewrite = async (at: string, edit: (spec: Record<string, unknown>) => void) => {
      const path = join(at, 'manifest.json');
      const manifest = JSON.parse(await readFile(path, 'utf8'));
      edit(manifest.extra.spec);
      manifest.manifestSha256 = manifestDigest(manifest);
      await writeFile(path, JSON.stringify(manifest, null, 2));
    };
    const smoothed = await trainTextClassifier(train, options({ kind: 'smoothed' }));
    const old = join(dir, 'old-smoothed');
    await saveTextClassifier(old, smoothed);
    await rewrite(old, (spec) => Object.assign(spec, { vectorWeight: 2 }));
    const texts = unseen.slice(0, 5).map((e) => e.text);
    const back = await loadTextClassifier(old);
    expect(back.spec).toMatchObject({ kind: 'smoothed', vectorWeight: 2 });
    expect(Array.from(await back.predictProba(texts))).toEqual(Array.from(await smoothed.predictProba(texts)));
    const hybrid = await trainTextClassifier(train, options({ kind: 'hybrid', vectorWeight: 100 }));
    const heavy = join(dir, 'old-hybrid');
    await saveTextClassifier(heavy, hybrid);
    await rewrite(heavy, (spec) => Object.assign(spec, { vectorWeight: 300 }));
    const loaded = await loadTextClassifier(heavy);
    expect(Array.from(await loaded.predictProba(texts)).every(Number.isFinite)).toBe(true);
    for (const c of [smoothed, back, hybrid, loaded]) c.dispose();
  });

  it('a missing encoder folder is named before the word vectors are loaded', async () => {
    await expect(refuse({ kind: 'smoothed', sentence: { model: join(dir, 'no-such-model') } })).rejects.toThrow(/no model folder at/);
  });
});
