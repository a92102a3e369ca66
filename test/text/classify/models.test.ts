import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '../../../src/engine/backend.js';
import { BundleError, DataError, InvalidArgumentError } from '../../../src/errors.js';
import { loadTextClassifier, saveTextClassifier, trainTextClassifier, type ModelSpec, type TrainTextOptions } from '../../../text/classify/index.js';
import { tempDir, toyCorpus, toyVectors } from './helpers.js';
import type { Callback } from '../../../src/training/trainer.js';
import type { EmbeddingNetModel } from '../../../text/classify/models/embedding-net.js';

const vectors = toyVectors();
const train = toyCorpus({ n: 90, seed: 1, vocabulary: 'seen' });
const test = toyCorpus({ n: 60, seed: 2, vocabulary: 'all' });
const unseen = toyCorpus({ n: 60, seed: 3, vocabulary: 'unseen' });
const base: TrainTextOptions = { vectors, vectorsName: 'toy-16d', seed: 0, extraWords: 0 };

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await initEngine();
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const KINDS: Array<{ name: string; spec: ModelSpec; options?: Partial<TrainTextOptions> }> = [
  { name: 'bow', spec: { kind: 'bow' } },
  { name: 'hybrid mean-max', spec: { kind: 'hybrid', representation: 'mean-max' } },
  { name: 'smoothed (neighbour-expanded bag of words)', spec: { kind: 'smoothed' } },
  { name: 'vectors mean + linear', spec: { kind: 'vectors', representation: 'mean' } },
  { name: 'vectors tfidf-mean + linear', spec: { kind: 'vectors', representation: 'tfidf-mean' } },
  { name: 'vectors sif + linear', spec: { kind: 'vectors', representation: 'sif' } },
  { name: 'vectors mean-max + mlp', spec: { kind: 'vectors', representation: 'mean-max', head: { type: 'mlp', hidden: [16], dropout: 0 } } },
  { name: 'embedding pool, frozen', spec: { kind: 'embedding', architecture: 'pool', maxLength: 16 }, options: { epochs: 15, learningRate: 1e-2 } },
  { name: 'embedding pool, fine-tuned', spec: { kind: 'embedding', architecture: 'pool', finetune: true, maxLength: 16 }, options: { epochs: 15, learningRate: 1e-2 } },
  { name: 'embedding cnn, frozen', spec: { kind: 'embedding', architecture: 'cnn', maxLength: 16, filters: 8, kernelSizes: [2, 3] }, options: { epochs: 15, learningRate: 1e-2 } },
];

describe('every model kind', () => {
  for (const k of KINDS) {
    it(`${k.name}: trains, beats chance, and round-trips through a bundle without the vectors`, async () => {
      const before = tf.memory().numTensors;
      const clf = await trainTextClassifier(train, { ...base, model: k.spec, ...k.options });
      const ev = await clf.evaluate(test);
      expect(ev.report.accuracy).toBeGreaterThan(0.6); // chance is 1/3
      expect(clf.summary.trainTexts).toBe(90);
      const out = join(dir, k.name.replace(/\W+/g, '-'));
      await saveTextClassifier(out, clf, { test: ev.report.accuracy });
      const back = await loadTextClassifier(out);
      const texts = [...test.map((e) => e.text), 'words nobody has seen', 'The FOODA Sportb!'];
      const p1 = await clf.predictProba(texts);
      const p2 = await back.predictProba(texts);
      expect(Array.from(p2)).toEqual(Array.from(p1));
      expect((await back.predict(['x'], { topK: 2 }))[0]).toHaveLength(2);
      clf.dispose();
      back.dispose();
      // No tensors leak beyond what tfjs keeps for registered backends.
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 2);
    });
  }
});

describe('validation texts', () => {
  it('drive early stopping of the neural kinds, and the weights of the best epoch are restored', async () => {
    const validation = toyCorpus({ n: 30, seed: 9, vocabulary: 'seen' });
    // Record, at the end of every epoch, the validation loss and a copy of the network's weights.
    const epochs: Array<{ valLoss: number; weights: Float32Array[] }> = [];
    const recorder: Callback = {
      onEvent(event, trainer) {
        if (event.type !== 'epochEnd') return;
        const snap = trainer.snapshot();
        epochs.push({ valLoss: event.logs.val_loss, weights: snap.map((w) => Float32Array.from(w.dataSync())) });
        tf.dispose(snap);
      },
    };
    const clf = await trainTextClassifier(train, {
      ...base,
      model: { kind: 'embedding', architecture: 'pool', maxLength: 16 },
      validation,
      epochs: 60,
      learningRate: 3e-2,
      patience: 2,
      callbacks: [recorder],
    });
    expect(clf.summary.epochs).toBeGreaterThan(0);
    expect(clf.summary.epochs).toBeLessThan(60);
    expect(epochs).toHaveLength(clf.summary.epochs!);
    const best = epochs.reduce((b, e, i) => (e.valLoss < epochs[b].valLoss ? i : b), 0);
    // Early stopping ran `patience` epochs past the best one, so the last weights are not the best ones…
    expect(best).toBe(epochs.length - 1 - 2);
    const final = (clf.model as EmbeddingNetModel).model!.getWeights().map((w) => Array.from(w.dataSync()));
    const last = epochs[epochs.length - 1].weights.map((w) => Array.from(w));
    expect(final).not.toEqual(last);
    // …and the model ends with exactly the weights it had at the best epoch.
    expect(final).toEqual(epochs[best].weights.map((w) => Array.from(w)));
    expect((await clf.evaluate(validation)).report.accuracy).toBeGreaterThan(0.9);
    clf.dispose();
  });
});

describe('embedding pool: unknown words', () => {
  it('are left out of the pooling: adding unknown words does not change a prediction; all-unknown = no words at all', async () => {
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'embedding', architecture: 'pool', maxLength: 16 }, epochs: 5, learningRate: 1e-2 });
    const p = await clf.predictProba(['fooda foodb the', 'fooda zzqx foodb qqzx the wwvq', 'zzqx qqzx', '']);
    const C = clf.labels.length;
    const row = (i: number) => Array.from(p.subarray(i * C, (i + 1) * C));
    row(1).forEach((v, c) => expect(v).toBeCloseTo(row(0)[c], 5));
    row(2).forEach((v, c) => expect(v).toBeCloseTo(row(3)[c], 5));
    clf.dispose();
  });
});

describe('document-vector models: a text with no known word', () => {
  for (const representation of ['mean', 'tfidf-mean', 'mean-max'] as const) {
    it(`${representation}: is answered from the head's bias (the mean training text), not from a point far outside the data`, async () => {
      const clf = await trainTextClassifier(train, { ...base, model: { kind: 'vectors', representation } });
      const p = await clf.predictProba(['zzqx qqzx', '']);
      const head = (clf.model as unknown as { model: import('@tensorflow/tfjs').LayersModel }).model;
      const dense = head.layers[head.layers.length - 1];
      const bias = Array.from((dense.getWeights()[1].dataSync() as Float32Array));
      const z = Math.max(...bias);
      const e = bias.map((b) => Math.exp(b - z));
      const softmax = e.map((v) => v / e.reduce((a, b) => a + b));
      const C = clf.labels.length;
      for (const i of [0, 1]) softmax.forEach((v, c) => expect(p[i * C + c]).toBeCloseTo(v, 5));
      clf.dispose();
    });
  }
});

describe('embedding networks: batches padded to their longest text', () => {
  it('CNN and pooling scores equal those with every text padded to maxLength, and do not depend on the batch', async () => {
    for (const spec of [
      { kind: 'embedding', architecture: 'cnn', maxLength: 40, filters: 8, kernelSizes: [2, 3] },
      { kind: 'embedding', architecture: 'pool', maxLength: 40 },
    ] as ModelSpec[]) {
      const clf = await trainTextClassifier(train, { ...base, model: spec, epochs: 3, learningRate: 1e-2 });
      const net = clf.model as EmbeddingNetModel;
      const texts = ['fooda', 'sporta sportb', 'techa techb the techc', Array.from({ length: 30 }, () => 'fooda').join(' '), ''];
      const widths: number[] = [];
      const apply = net.model!.apply.bind(net.model!);
      net.model!.apply = ((x: tf.Tensor, kw?: object) => {
        widths.push((Array.isArray(x) ? x[0] : x).shape[1]);
        return apply(x, kw);
      }) as typeof apply;
      const together = await clf.predictProba(texts);
      const C = clf.labels.length;
      // Reference: ids padded to maxLength, straight through the network.
      const docs = texts.map((t) => t.split(' ').filter(Boolean));
      const full = tf.tidy(() => net.model!.predict(tf.tensor2d(net.ids(docs), [texts.length, 40], 'int32')) as tf.Tensor);
      const ref = tf.tidy(() => tf.softmax(full)).dataSync();
      full.dispose();
      const alone = await clf.predictProba(['fooda']);
      expect(widths[0]).toBe(spec.kind === 'embedding' && spec.architecture === 'cnn' ? 33 : 30); // longest 30 (+ widest window 3)
      expect(widths[widths.length - 1]).toBe(spec.kind === 'embedding' && spec.architecture === 'cnn' ? 4 : 1);
      for (let i = 0; i < texts.length * C; i++) expect(together[i]).toBeCloseTo(ref[i], 5);
      for (let c = 0; c < C; c++) expect(alone[c]).toBeCloseTo(together[c], 5);
      clf.dispose();
    }
  });
});

describe('transfer', () => {
  it('pretrained-vector models classify texts whose topic words never appeared in training; bag-of-words cannot', async () => {
    const bow = await trainTextClassifier(train, { ...base, model: { kind: 'bow' } });
    // Default extraWords keeps the first 20000 rows of the vectors: here, all of them, including unseen topic words.
    const vec = await trainTextClassifier(train, { ...base, extraWords: undefined, model: { kind: 'vectors', representation: 'mean' } });
    const bowAcc = (await bow.evaluate(unseen)).report.accuracy;
    const vecAcc = (await vec.evaluate(unseen)).report.accuracy;
    expect(vecAcc).toBeGreaterThan(0.9);
    expect(bowAcc).toBeLessThan(0.6);
    // The neighbour-expanded bag of words gives the unseen topic words weights through their seen neighbours.
    const smoothed = await trainTextClassifier(train, { ...base, model: { kind: 'smoothed' } });
    expect((await smoothed.evaluate(unseen)).report.accuracy).toBeGreaterThan(0.9);
    // With extraWords: 0 the model keeps only its training vocabulary, and unseen words are unknown to it.
    const narrow = await trainTextClassifier(train, { ...base, model: { kind: 'vectors', representation: 'mean' } });
    expect((await narrow.evaluate(unseen)).oov!.tokenRate).toBeGreaterThan(0.3);
  });
});

describe('bundles', () => {
  it('store only the vector rows the model needs', async () => {
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'hybrid' } });
    const out = join(dir, 'small');
    await saveTextClassifier(out, clf);
    const words = (await import('node:fs/promises')).readFile(join(out, 'vectors.words.txt'), 'utf8');
    const kept = (await words).split('\n');
    expect(kept.length).toBeLessThan(vectors.size);
    expect(kept).toContain('fooda');
    expect(kept).not.toContain('foodx'); // a food word only in the unseen half
    expect((await stat(join(out, 'vectors.f32'))).size).toBe(kept.length * 16 * 4);
    expect((await readdir(out)).sort()).toEqual(['manifest.json', 'state.json', 'vectors.f32', 'vectors.words.txt']);
  });

  it("of the 'smoothed' kind store no vectors: their word columns are all they need to predict", async () => {
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'smoothed' } });
    const out = join(dir, 'smoothed-files');
    await saveTextClassifier(out, clf);
    expect((await readdir(out)).sort()).toEqual(['manifest.json', 'state.json']);
    expect(clf.summary.vectors).toEqual({ source: 'toy-16d', dim: 16, keptWords: 0 });
    const back = await loadTextClassifier(out);
    expect(back.lookup).toBeUndefined();
    expect((await back.evaluate(unseen)).report.accuracy).toBeGreaterThan(0.9);
  });

  it('of embedding networks hold the vectors once, in the network, and round-trip them bit for bit', async () => {
    const { readFile } = await import('node:fs/promises');
    const { saveBundle } = await import('../../../src/bundle/bundle.js');
    for (const finetune of [false, true]) {
      const clf = await trainTextClassifier(train, { ...base, model: { kind: 'embedding', architecture: 'pool', maxLength: 16, finetune }, epochs: 3 });
      const out = join(dir, `embedding-once-${finetune}`);
      await saveTextClassifier(out, clf);
      expect((await readdir(out)).sort()).toEqual(['manifest.json', 'model.json', 'state.json', 'vectors.words.txt', 'weights.bin']);
      const back = await loadTextClassifier(out);
      const net = (clf.model as EmbeddingNetModel).model!;
      const rows = (net.getLayer('pretrained_embedding').getWeights()[0].dataSync() as Float32Array).slice(2 * 16);
      expect(back.lookup!.vectors.words).toEqual(clf.lookup!.vectors.words);
      // The loaded table is the network's rows 2..: for a frozen embedding, the pretrained vectors bit for bit.
      expect(Buffer.from(back.lookup!.vectors.matrix.buffer).equals(Buffer.from(rows.buffer))).toBe(true);
      if (!finetune) expect(Buffer.from(back.lookup!.vectors.matrix.buffer).equals(Buffer.from(clf.lookup!.vectors.matrix.slice().buffer))).toBe(true);
      // Saving the loaded classifier writes the same network and words.
      const again = join(dir, `embedding-again-${finetune}`);
      await saveTextClassifier(again, back);
      for (const f of ['weights.bin', 'model.json', 'vectors.words.txt', 'state.json']) expect((await readFile(join(again, f))).equals(await readFile(join(out, f)))).toBe(true);
      const texts = test.map((e) => e.text);
      expect(Array.from(await back.predictProba(texts))).toEqual(Array.from(await clf.predictProba(texts)));

      // A bundle written before (with vectors.f32 beside the network) still loads, from its vectors.f32.
      const old = join(dir, `embedding-old-${finetune}`);
      const m = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
      const table = clf.lookup!.vectors as unknown as { toFiles(): Record<string, string | Uint8Array> };
      await saveBundle(
        old,
        { kind: m.kind, labels: m.labels, preprocessing: m.preprocessing, encoder: m.encoder, training: m.training, metrics: m.metrics, extra: m.extra },
        { model: net, files: { 'state.json': await readFile(join(out, 'state.json'), 'utf8'), ...table.toFiles() } },
      );
      expect(await readdir(old)).toContain('vectors.f32');
      const fromOld = await loadTextClassifier(old);
      expect(Buffer.from(fromOld.lookup!.vectors.matrix.buffer).equals(Buffer.from(clf.lookup!.vectors.matrix.slice().buffer))).toBe(true);
      expect(Array.from(await fromOld.predictProba(texts))).toEqual(Array.from(await clf.predictProba(texts)));
      for (const c of [clf, back, fromOld]) c.dispose();
    }
  });

  it('refuse a bundle of another kind or a corrupt one', async () => {
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'bow' } });
    const out = join(dir, 'bow');
    await saveTextClassifier(out, clf);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(out, 'state.json'), '{}');
    await expect(loadTextClassifier(out)).rejects.toBeInstanceOf(BundleError);
  });
});

describe('training errors', () => {
  it('one class only, empty texts, unknown model kind', async () => {
    await expect(trainTextClassifier([{ text: 'a', label: 'x' }, { text: 'b', label: 'x' }], base)).rejects.toBeInstanceOf(DataError);
    await expect(trainTextClassifier([{ text: ' ', label: 'x' }, { text: 'b', label: 'y' }], base)).rejects.toThrow(/empty/);
    await expect(trainTextClassifier(train, { ...base, model: { kind: 'nope' } as unknown as ModelSpec })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(trainTextClassifier([], base)).rejects.toThrow(/the training set is empty/);
    for (const extraWords of [-5, 1.5]) await expect(trainTextClassifier(train, { ...base, extraWords })).rejects.toThrow(/extraWords must be a whole number ≥ 0/);
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'bow' } });
    await expect(clf.evaluate([])).rejects.toThrow(/no texts to evaluate/);
    await expect(clf.evaluate(train, { topK: 1.5 })).rejects.toThrow(/topK must be a whole number/);
    clf.dispose();
  });

  it('validation texts whose labels were all unseen in training: a DataError naming the cause, before training', async () => {
    const validation = [
      { text: 'fooda the', label: 'music' },
      { text: 'sporta a', label: 'Music' },
    ];
    for (const spec of [{ kind: 'embedding', architecture: 'pool', maxLength: 16 }, { kind: 'bow' }] as ModelSpec[]) {
      const err = await trainTextClassifier(train, { ...base, model: spec, validation, epochs: 2 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(/none of the 2 validation texts has a label seen in training/);
      expect((err as Error).message).toMatch(/music \(1\), Music \(1\)/);
    }
  });

  it('validation texts with some unseen labels: those are left out and reported in the summary', async () => {
    const validation = [...toyCorpus({ n: 6, seed: 9, vocabulary: 'seen' }), { text: 'fooda the', label: 'music' }];
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'bow' }, validation });
    const ev = await clf.evaluate(validation);
    expect(clf.summary.validation).toEqual({ texts: 7, used: 6, unseenLabels: [{ label: 'music', count: 1 }], accuracy: ev.report.accuracy, macroF1: ev.report.macroF1 });
  });

  it('evaluation reports labels never seen in training and leaves them out', async () => {
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'bow' } });
    const ev = await clf.evaluate([...test.slice(0, 9), { text: 'fooda the', label: 'music' }]);
    expect(ev.unseenLabels).toEqual([{ label: 'music', count: 1 }]);
    expect(ev.excluded).toBe(1);
    expect(ev.report.count).toBe(9);
    await expect(clf.evaluate([{ text: 'x', label: 'music' }])).rejects.toBeInstanceOf(DataError);
  });
});
