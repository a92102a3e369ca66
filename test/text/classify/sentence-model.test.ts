import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '../../../src/engine/backend.js';
import { loadTextClassifier, saveTextClassifier, trainTextClassifier, type LoadedSentenceEncoder, type ModelSpec, type TrainTextOptions } from '../../../text/classify/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { Callback } from '../../../src/training/trainer.js';
import { writeOnnxEncoder } from '../../helpers/onnx-encoder.js';
import { tempDir, TOPICS, toyCorpus, toyVectors } from './helpers.js';

const vectors = toyVectors();
const train = toyCorpus({ n: 90, seed: 1, vocabulary: 'seen' });
const test = toyCorpus({ n: 60, seed: 2, vocabulary: 'all' });
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
beforeAll(async () => {
  await initEngine();
  ({ dir, cleanup } = await tempDir());
  model = writeToyEncoder(join(dir, 'toy-encoder'));
});
afterAll(() => cleanup());

const base: TrainTextOptions = { seed: 0, model: { kind: 'sentence', encoder: { model: '' } } };
const sentence = (encoder: string, extra: object = {}): TrainTextOptions => ({ ...base, model: { kind: 'sentence', encoder: { model: encoder }, ...extra } });

describe("model kind 'sentence'", () => {
  it('trains a head on the encoder\'s vectors, transfers to words never seen in training, and its bundle holds the encoder', async () => {
    const before = tf.memory().numTensors;
    const folder = writeToyEncoder(join(dir, 'movable-encoder'));
    const clf = await trainTextClassifier(train, sentence(folder));
    expect((await clf.evaluate(test)).report.accuracy).toBeGreaterThan(0.9);
    // The encoder knows the unseen half of each topic's words: so does the classifier (bag-of-words cannot, see models.test.ts).
    const ev = await clf.evaluate(unseen);
    expect(ev.report.accuracy).toBeGreaterThan(0.9);
    expect(ev.oov).toBeUndefined();
    expect(clf.summary).toMatchObject({ sentenceEncoder: { name: 'movable-encoder/mean', source: folder, dim: 16, pooling: 'mean', maxTokens: 512, quantized: false } });
    expect(clf.summary.vectors).toBeUndefined();
    const out = join(dir, 'sentence-bundle');
    await saveTextClassifier(out, clf);
    expect((await readdir(out)).sort()).toEqual(
      ['encoder-config.json', 'encoder-onnx-model.onnx', 'encoder-tokenizer.json', 'encoder-tokenizer_config.json', 'manifest.json', 'model.json', 'state.json', 'weights.bin'].sort(),
    );
    // Self-contained: the model folder can go.
    await rm(folder, { recursive: true });
    const back = await loadTextClassifier(out);
    const texts = [...unseen.map((e) => e.text), 'words nobody has seen', 'The FOODA Sportb!'];
    expect(Array.from(await back.predictProba(texts))).toEqual(Array.from(await clf.predictProba(texts)));
    expect((await back.predict([unseen[0].text]))[0][0].label).toBe(unseen[0].label);
    clf.dispose();
    back.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 2);
  });

  it('encodes validation texts for the validation loss (early stopping), and takes a head of choice', async () => {
    const valLosses: number[] = [];
    const recorder: Callback = { onEvent: (event) => void (event.type === 'epochEnd' && valLosses.push(event.logs.val_loss)) };
    const clf = await trainTextClassifier(train, { ...sentence(model, { head: { type: 'mlp', hidden: [8], dropout: 0 } }), validation: test, epochs: 40, callbacks: [recorder] });
    expect(valLosses).toHaveLength(clf.summary.epochs!);
    expect(valLosses.every(Number.isFinite)).toBe(true);
    expect(valLosses[valLosses.length - 1]).toBeLessThan(valLosses[0]);
    expect(clf.summary.validation).toMatchObject({ texts: 60, used: 60 });
    expect((await clf.evaluate(unseen)).report.accuracy).toBeGreaterThan(0.9);
    clf.dispose();
  });

  it('a wrapper whose dim disagrees with what its encode() gives is named, as in the linear kinds (not "20.48 inputs but 4 labels")', async () => {
    const wrong: LoadedSentenceEncoder = {
      dim: 25,
      provenance: { source: 'wrong-dim' },
      encode: async (texts) => new Float32Array(texts.length * 16).fill(0.25),
      describe: () => ({ name: 'wrong-dim', source: 'wrong-dim', dim: 25, maxTokens: 8 }) as ReturnType<LoadedSentenceEncoder['describe']>,
      dispose: () => {},
    };
    const before = tf.memory().numTensors;
    for (const spec of [{ kind: 'sentence', encoder: wrong }, { kind: 'smoothed', sentence: wrong }, { kind: 'hybrid', sentence: wrong }] as ModelSpec[]) {
      const e = await trainTextClassifier(train.slice(0, 32), { vectors, seed: 0, model: spec }).catch((err: unknown) => err);
      expect(e, spec.kind).toBeInstanceOf(InvalidArgumentError);
      expect((e as Error).message).toBe('the sentence encoder gave 512 values for 32 texts of dim 25');
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a bundle whose encoder file was altered, and a missing model folder before training', async () => {
    const clf = await trainTextClassifier(train, sentence(model));
    const out = join(dir, 'tampered');
    await saveTextClassifier(out, clf);
    clf.dispose();
    const onnxFile = join(out, 'encoder-onnx-model.onnx');
    const bytes = await readFile(onnxFile);
    bytes[bytes.length - 3] ^= 0x01;
    await writeFile(onnxFile, bytes);
    await expect(loadTextClassifier(out)).rejects.toMatchObject({ name: 'BundleError' });
    await expect(trainTextClassifier(train, sentence(join(dir, 'no-such-model')))).rejects.toThrow(/no model folder at/);
  });

  it('a bundle whose encoder cannot load is a BundleError that names the bundle; the head and the temp folder are released', async () => {
    const { readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const folder = writeToyEncoder(join(dir, 'to-break'));
    const clf = await trainTextClassifier(train, sentence(folder));
    // The model file is broken after training: the bundle stores (and checksums) what is there when it is saved.
    await writeFile(join(folder, 'onnx', 'model.onnx'), 'not a model');
    const out = join(dir, 'broken-encoder');
    await saveTextClassifier(out, clf);
    clf.dispose();
    const temps = () => readdirSync(tmpdir()).filter((f) => f.startsWith('transferkit-encoder-')).length;
    const tempsBefore = temps();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await expect(loadTextClassifier(out)).rejects.toMatchObject({ name: 'BundleError', message: expect.stringMatching(/broken-encoder: the bundle's sentence encoder cannot be loaded: .*<bundle encoder>/) });
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(temps()).toBe(tempsBefore);
  });
});
