/**
 * The three strategies (and fastai's fine-tune) on the real MobileNetV2 body
 * shipped by nsfwjs, with a small separable synthetic image set.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import {
  Backbone,
  ImageClassifier,
  ImageLearner,
  buildClassifierModel,
  decodeAll,
  makePreprocessSpec,
  readImageFolder,
  trainImageClassifier,
  writeSyntheticImages,
  type ImageCollection,
} from '../../vision/index.js';
import type { Callback, ParamGroup } from '../../src/training/trainer.js';
import { lrMultiplier } from '../../src/training/schedules.js';
import { EarlyStopping } from '../../src/training/callbacks/early-stopping.js';
import { tempDir } from './helpers.js';

let root: string;
let data: ImageCollection;
let small: Backbone; // 32 px: for strategies that run the whole body every step
let medium: Backbone; // 64 px

const CHANCE = 1 / 3;

function weightsOf(model: tf.LayersModel, layer: string): Float32Array[] {
  return model.getLayer(layer).getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

function same(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((w, i) => w.length === b[i].length && w.every((v, j) => v === b[i][j]));
}

beforeAll(async () => {
  await initEngine();
  root = join(tempDir(), 'shapes');
  await writeSyntheticImages(root, { classes: 3, perClass: 10, size: 48, seed: 3 });
  data = await readImageFolder(root);
  [small, medium] = await Promise.all([Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 }), Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 64 })]);
});

describe('feature-extract', () => {
  it('trains the head only, beats chance, computes body features once, and leaves the body untouched', async () => {
    const before = { conv: weightsOf(medium.body, 'Conv1'), bn: weightsOf(medium.body, 'block_16_project_BN'), top: weightsOf(medium.body, 'Conv_1_bn') };
    const r = await trainImageClassifier(data, { backbone: medium, strategy: 'feature-extract', epochs: 8, batchSize: 8, learningRate: 3e-3 });
    expect(r.validation!.accuracy).toBeGreaterThan(CHANCE + 0.2);
    expect(r.histories[0].epochs[7].acc).toBeGreaterThan(0.8);
    // One pass over train + one over validation, whatever the number of epochs.
    expect(r.learner.extractionStats.passes).toBe(2);
    expect(r.learner.extractionStats.images).toBe(30);
    expect(same(weightsOf(r.classifier.model, 'Conv1'), before.conv)).toBe(true);
    expect(same(weightsOf(r.classifier.model, 'block_16_project_BN'), before.bn)).toBe(true);
    expect(same(weightsOf(r.classifier.model, 'Conv_1_bn'), before.top)).toBe(true);
    expect(r.trainingSupport).toBeUndefined();
  });

  it('with augmentation caches one pass per augmentation round', async () => {
    const r = await trainImageClassifier(data, { backbone: medium, strategy: 'feature-extract', epochs: 5, batchSize: 8, augment: true, augmentRounds: 3 });
    expect(r.learner.extractionStats.passes).toBe(3 + 1);
    expect(r.histories[0].epochs).toHaveLength(5);
  });

  it('flatten pooling feeds every position of the feature map to the head (the VGG16 recipe)', async () => {
    const r = await trainImageClassifier(data, { backbone: medium, strategy: 'feature-extract', epochs: 6, batchSize: 8, pooling: 'flatten' });
    expect(r.classifier.model.getLayer('tk_head_logits').getWeights()[0].shape).toEqual([2 * 2 * 1280, 3]);
    expect(r.validation!.accuracy).toBeGreaterThan(CHANCE);
  });
});

describe('fine-tune-top', () => {
  it('trains what follows --freeze-until on cached boundary activations; the frozen prefix is unchanged', async () => {
    const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 64 }); // fine-tuning changes the body in place
    const before = {
      frozenConv: weightsOf(backbone.body, 'block_5_expand'),
      frozenBn: weightsOf(backbone.body, 'block_12_project_BN'),
      trained: weightsOf(backbone.body, 'block_15_project'),
    };
    const r = await trainImageClassifier(data, { backbone, strategy: 'fine-tune-top', freezeUntil: 'block10-12', epochs: 3, batchSize: 8, learningRate: 3e-4 });
    expect(r.validation!.accuracy).toBeGreaterThan(CHANCE + 0.2);
    expect(r.learner.frozenThrough).toBe('block_12_add');
    expect(r.learner.extractionStats.passes).toBe(2);
    expect(same(weightsOf(r.classifier.model, 'block_5_expand'), before.frozenConv)).toBe(true);
    expect(same(weightsOf(r.classifier.model, 'block_12_project_BN'), before.frozenBn)).toBe(true);
    expect(same(weightsOf(r.classifier.model, 'block_15_project'), before.trained)).toBe(false);
    // The saved model carries the trained body: a bundle round trip predicts bit-for-bit the same.
    const dir = join(tempDir(), 'top');
    await r.classifier.save(dir);
    const loaded = await ImageClassifier.load(dir);
    const files = data.items.slice(0, 5).map((i) => i.path);
    expect(await loaded.probabilities(files)).toEqual(await r.classifier.probabilities(files));
    expect(loaded.preprocessing).toEqual(medium.preprocessing);
  });
});

describe('fine-tune-all and fine-tune', () => {
  it('fine-tune-all trains every layer from the pretrained weights and beats chance', async () => {
    const conv = weightsOf(small.body, 'Conv1');
    const backendBefore = tf.getBackend();
    const r = await trainImageClassifier(data, { backbone: small, strategy: 'fine-tune-all', epochs: 3, batchSize: 8, learningRate: 3e-4 });
    expect(tf.getBackend()).toBe(backendBefore);
    expect(r.validation!.accuracy).toBeGreaterThan(CHANCE + 0.2);
    expect(same(weightsOf(r.classifier.model, 'Conv1'), conv)).toBe(false);
    expect(r.learner.frozenThrough).toBeUndefined();
    if (tf.getBackend() === 'wasm') expect(r.trainingSupport?.emulatedKernels).toContain('Conv2DBackpropFilter');
  });

  it('fine-tune warms the head up frozen, then trains all with lower rates for earlier groups', async () => {
    const fresh = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    // What the strategy hands the trainer: the param groups the learner builds for each fit, and the base rate of every step.
    const built = vi.spyOn(ImageLearner.prototype, 'paramGroups');
    const phases: { epochs: number; stepsPerEpoch: number; lrs: number[] }[] = [];
    const recordRates: Callback = {
      onEvent(event) {
        if (event.type === 'fitBegin') phases.push({ epochs: event.epochs, stepsPerEpoch: event.stepsPerEpoch, lrs: [] });
        if (event.type === 'batchEnd') phases[phases.length - 1].lrs.push(event.lr);
      },
    };
    let r: Awaited<ReturnType<typeof trainImageClassifier>>;
    let calls: { lrMult: number | undefined; groups: ParamGroup[] }[];
    try {
      r = await trainImageClassifier(data, { backbone: fresh, strategy: 'fine-tune', freezeEpochs: 1, epochs: 2, batchSize: 8, learningRate: 2e-3, callbacks: [recordRates] });
      calls = built.mock.calls.map((c, i) => ({ lrMult: c[1], groups: built.mock.results[i].value as ParamGroup[] }));
    } finally {
      built.mockRestore();
    }
    expect(r.histories.map((h) => h.epochs.length)).toEqual([1, 2]);
    expect(r.validation!.accuracy).toBeGreaterThan(CHANCE + 0.2);
    // No schedule given: the strategy's own, recorded as the one that ran.
    expect(r.schedule).toEqual({ type: 'one-cycle' });
    expect(r.classifier.info.training).toMatchObject({ schedule: { type: 'one-cycle' } });

    expect(calls.map((c) => c.lrMult)).toEqual([1, 100]);
    const [warmGroups, allGroups] = calls.map((c) => c.groups);
    const names = (g: ParamGroup) => g.variables.map((v) => v.originalName);
    // Warm-up: the head alone, one rate.
    expect(warmGroups).toHaveLength(1);
    expect(names(warmGroups[0]).every((n) => n.startsWith('tk_head'))).toBe(true);
    // Then everything: 7 body groups + head, the first at 1/100 of the head's rate, rising to the head.
    expect(allGroups).toHaveLength(8);
    const mults = allGroups.map((g) => g.lrMultiplier);
    expect(mults[0]).toBeCloseTo(0.01, 6);
    expect(mults[mults.length - 1]).toBe(1);
    expect(mults.every((m, i) => i === 0 || m > mults[i - 1])).toBe(true);
    expect(names(allGroups[0])).toContain('Conv1/kernel');
    expect(names(allGroups[7]).every((n) => n.startsWith('tk_head'))).toBe(true);
    expect(allGroups.reduce((n, g) => n + g.variables.length, 0)).toBe(r.classifier.model.trainableWeights.length);

    // Base rates: one-cycle at lr for the warm-up, at lr / 2 after unfreezing.
    const expected = (base: number, p: (typeof phases)[number]) =>
      p.lrs.map((_, step) => base * lrMultiplier({ type: 'one-cycle' }, { step, totalSteps: p.epochs * p.stepsPerEpoch, epoch: Math.floor(step / p.stepsPerEpoch) }));
    expect(phases).toHaveLength(2);
    expect(phases[0].lrs).toEqual(expected(2e-3, phases[0]));
    expect(phases[1].lrs).toEqual(expected(1e-3, phases[1]));
  });
});

describe('transfer from a model of your own', () => {
  it('a bundle written by training serves as the backbone of a new classifier: its trained body and its input recipe', async () => {
    // Source model: fine-tune-top moves the body's last group (in place), so the body differs from the nsfwjs one.
    const [body, pristine] = await Promise.all([0, 1].map(() => Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 64 })));
    const source = await trainImageClassifier(data, { backbone: body, strategy: 'fine-tune-top', freezeUntil: 'block10-12', epochs: 1, batchSize: 8 });
    const dir = join(tempDir(), 'source-model');
    await source.classifier.save(dir);
    const reused = await Backbone.load(dir);
    // The recipe the body was trained with ([0, 1] inputs), not that of the 'mobilenet_v2' row its layer names also match ([-1, 1]).
    expect(reused.preprocessing).toEqual(source.classifier.preprocessing);
    expect(reused.name).toBe('mobilenet_v2_nsfwjs');
    expect([reused.provenance.fromBundle, pristine.provenance.fromBundle]).toEqual([true, false]); // for the CLI's banner
    expect(reused.architecture.cut).toBe('out_relu');
    expect(reused.provenance.description).toMatch(/transferkit bundle: mobilenet_v2_nsfwjs trained on 3 classes \(checks, disc, stripes\)/);
    // Its body is the trained one: the moved last block, the untouched stem.
    const last = 'Conv_1';
    expect(same(weightsOf(reused.body, last), weightsOf(source.classifier.model, last))).toBe(true);
    expect(same(weightsOf(reused.body, last), weightsOf(pristine.body, last))).toBe(false);
    expect(same(weightsOf(reused.body, 'Conv1'), weightsOf(pristine.body, 'Conv1'))).toBe(true);
    // And a new head trains on it.
    const target = await trainImageClassifier(data, { backbone: reused, strategy: 'feature-extract', epochs: 8, batchSize: 8, learningRate: 3e-3 });
    expect(target.classifier.info.encoder).toMatchObject({ source: dir, sourceKind: 'local' });
    expect(target.validation!.accuracy).toBeGreaterThan(CHANCE);
    for (const b of [reused, body, pristine]) b.dispose();
  });
});

describe('extraction stats', () => {
  it('still count the work of caches dropped when training moved past them (fine-tune: warm-up caches, then unfreeze)', async () => {
    const fresh = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    const r = await trainImageClassifier(data, { backbone: fresh, strategy: 'fine-tune', freezeEpochs: 1, epochs: 1, batchSize: 8 });
    expect(r.histories).toHaveLength(2);
    expect(r.learner.frozenThrough).toBeUndefined(); // phase 2 trained the body: the warm-up's caches are gone
    // The warm-up computed body features once for train (24) and validation (6).
    const stats = r.learner.extractionStats;
    expect(stats.passes).toBe(2);
    expect(stats.images).toBe(30);
    expect(stats.seconds).toBeGreaterThan(0);
    expect(r.timings.extractSeconds).toBe(stats.seconds);
  });
});

describe('fine-tune and interruption', () => {
  it('an interrupt during the head warm-up ends the run: the body is never unfrozen and phase 2 never runs', async () => {
    const fresh = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    const conv = weightsOf(fresh.body, 'Conv1');
    const fits: number[] = [];
    const interruptWarmUp: Callback = {
      onEvent(event, trainer) {
        if (event.type === 'fitBegin') fits.push(event.epochs);
        if (event.type === 'batchEnd' && fits.length === 1 && event.batch === 0) trainer.stop('interrupted');
      },
    };
    const r = await trainImageClassifier(data, { backbone: fresh, strategy: 'fine-tune', freezeEpochs: 2, epochs: 2, batchSize: 8, callbacks: [interruptWarmUp] });
    expect(fits).toEqual([2]); // one fit: the warm-up
    expect(r.histories).toHaveLength(1);
    expect(r.histories[0].stopReason).toBe('interrupted');
    expect(r.learner.frozenThrough).toBe('tk_pool');
    expect(same(weightsOf(r.classifier.model, 'Conv1'), conv)).toBe(true);
  });
});

describe('fine-tune: the run stop reason', () => {
  it("is the last phase's: a warm-up stopped early by a callback, then a full phase 2, is a run that was not stopped", async () => {
    const fresh = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    let fits = 0;
    const stopWarmUp: Callback = {
      onEvent(event, trainer) {
        if (event.type === 'fitBegin') fits++;
        if (event.type === 'batchEnd' && fits === 1 && event.batch === 0) trainer.stop('warm-up long enough');
      },
    };
    const r = await trainImageClassifier(data, { backbone: fresh, strategy: 'fine-tune', freezeEpochs: 2, epochs: 1, batchSize: 8, callbacks: [stopWarmUp] });
    expect(r.histories).toHaveLength(2);
    expect(r.histories[0].stopReason).toBe('warm-up long enough');
    expect(r.classifier.info.training?.stopReason).toBeUndefined();
    expect(r.classifier.info.training?.interrupted).toBeUndefined();
  });
});

describe('fine-tune with early stopping', () => {
  it('one EarlyStopping instance judges each phase on its own: phase 2 is not measured against the warm-up', async () => {
    const fresh = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    // A scripted score per epoch (lower is better), so what early stopping should do is known exactly.
    // The warm-up scores far better than anything in phase 2.
    const script = [[0.1], [0.5, 0.4, 0.6, 0.7, 0.8, 0.9]];
    const conv1AtEpochEnd: Float32Array[][] = [];
    let phase = -1;
    const scorer: Callback = {
      onEvent(event, trainer) {
        if (event.type === 'fitBegin') phase++;
        if (event.type !== 'epochEnd') return;
        event.logs.score = script[phase][event.epoch];
        if (phase === 1) conv1AtEpochEnd.push(weightsOf(trainer.model, 'Conv1'));
      },
    };
    const stopping = new EarlyStopping({ monitor: 'score', mode: 'min', patience: 2 });
    const r = await trainImageClassifier(data, {
      backbone: fresh,
      strategy: 'fine-tune',
      freezeEpochs: 1,
      epochs: 6,
      batchSize: 8,
      learningRate: 1e-3,
      callbacks: [scorer, stopping],
    });
    expect(r.histories).toHaveLength(2);
    const [warm, all] = r.histories;
    expect(warm.bestEpoch).toBe(0);
    // Phase 2: best at its epoch 1 (0.4), no improvement in epochs 2 and 3 → stops after 4 of 6 epochs.
    expect(all.epochs.map((e) => e.score)).toEqual([0.5, 0.4, 0.6, 0.7]);
    expect(all.stopReason).toMatch(/early stopping/);
    expect(all.bestEpoch).toBe(1);
    // …and the model holds phase 2's best weights.
    expect(same(weightsOf(r.classifier.model, 'Conv1'), conv1AtEpochEnd[1])).toBe(true);
    expect(same(conv1AtEpochEnd[1], conv1AtEpochEnd[3])).toBe(false);
  });
});

describe('class weights', () => {
  it("'balanced' reweights the loss of an imbalanced set", async () => {
    const imbalanced: ImageCollection = { ...data, items: data.items.filter((it, i) => it.label !== 1 || i % 3 === 0) };
    const counts = [0, 1, 2].map((c) => imbalanced.items.filter((it) => it.label === c).length);
    expect(counts[1]).toBeLessThan(counts[0]);
    const plain = await trainImageClassifier(imbalanced, { backbone: medium, strategy: 'feature-extract', epochs: 2, batchSize: 8, validationSplit: 0 });
    const weighted = await trainImageClassifier(imbalanced, { backbone: medium, strategy: 'feature-extract', epochs: 2, batchSize: 8, validationSplit: 0, classWeights: 'balanced' });
    expect(weighted.histories[0].epochs[0].loss).not.toBeCloseTo(plain.histories[0].epochs[0].loss, 4);
    expect(weighted.classifier.info.training?.classWeights).toBe('balanced');
    await expect(trainImageClassifier(imbalanced, { backbone: medium, epochs: 1, classWeights: [1, 2] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });
});

describe('the learner', () => {
  it('freeze/freezeTo/unfreeze change what trains, and frozen BatchNorm stays in inference mode', async () => {
    const model = buildClassifierModel(medium, { numClasses: 3 });
    const decoded = await decodeAll(data, makePreprocessSpec([64, 64], medium.preprocessing.normalization));
    const learner = new ImageLearner(medium, model, { train: { images: decoded.images.slice(0, 6), y: decoded.y.slice(0, 6) } });
    expect(learner.frozenThrough).toBe('tk_pool');
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['tk_head_logits/kernel', 'tk_head_logits/bias']);
    learner.freezeTo('block13-16');
    expect(model.trainableWeights.length).toBeGreaterThan(2);
    expect(model.trainableWeights.every((w) => /^(Conv_1|tk_head)/.test(w.originalName))).toBe(true);
    learner.unfreeze();
    expect(model.trainableWeights.length).toBe(model.weights.filter((w) => !/moving_(mean|variance)/.test(w.originalName)).length);
    expect(() => learner.freezeTo('block_5_expand')).toThrow(/skip connection/);

    // Training-mode forward of a frozen body equals inference (BatchNorm uses moving statistics).
    learner.freeze();
    const x = tf.randomUniform([4, 64, 64, 3], 0, 1, 'float32', 7);
    const a = model.apply(x, { training: true }) as tf.Tensor;
    const b = model.apply(x, { training: false }) as tf.Tensor;
    expect(await a.data()).toEqual(await b.data());
    tf.dispose([x, a, b]);
  });

  it("freeze() recompiles a model compiled with tfjs's own compile(): model.fit trains only the head, without tfjs's stale-compile warning", async () => {
    const warn = vi.spyOn(console, 'warn');
    const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    const model = buildClassifierModel(backbone, { numClasses: 3 });
    const learner = new ImageLearner(backbone, model, { train: { images: [], y: new Int32Array(0) } });
    learner.unfreeze();
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    learner.freeze();
    const conv = weightsOf(model, 'Conv1');
    const head = weightsOf(model, 'tk_head_logits');
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    tf.dispose([x, y]);
    expect(warn.mock.calls.filter((c) => /Discrepancy between trainableweights/.test(String(c[0])))).toEqual([]);
    warn.mockRestore();
    expect(same(weightsOf(model, 'Conv1'), conv)).toBe(true);
    expect(same(weightsOf(model, 'tk_head_logits'), head)).toBe(false);
  });

  it('BatchNorm in a new mlp head trains (its moving statistics move); the body keeps its BatchNorm policy', async () => {
    const r = await trainImageClassifier(data, { backbone: medium, strategy: 'feature-extract', head: { type: 'mlp', hidden: [16], batchNorm: true }, epochs: 2, batchSize: 8 });
    const bn = r.classifier.model.getLayer('tk_head_bn0');
    const movingMean = bn.getWeights().find((w) => /moving_mean/.test(w.name))!;
    const values = Array.from(movingMean.dataSync());
    expect(values).toHaveLength(16);
    expect(values.some((v) => v !== 0)).toBe(true); // initialised to zeros
    // A trainable body still normalises with its moving statistics (trainBatchNorm defaults to false).
    r.learner.unfreeze();
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 11);
    const a = medium.body.apply(x, { training: true }) as tf.Tensor;
    const b = medium.body.apply(x, { training: false }) as tf.Tensor;
    expect(await a.data()).toEqual(await b.data());
    tf.dispose([x, a, b]);
    r.learner.freeze();
  });

  it('feature-extract bundles predict bit-for-bit the same after save/load', async () => {
    const r = await trainImageClassifier(data, { backbone: medium, strategy: 'feature-extract', epochs: 3, batchSize: 8 });
    const dir = join(tempDir(), 'fe');
    await r.classifier.save(dir);
    const loaded = await ImageClassifier.load(dir);
    const files = data.items.map((i) => i.path);
    const p1 = await r.classifier.probabilities(files);
    const p2 = await loaded.probabilities(files);
    expect(Buffer.from(p2.buffer).equals(Buffer.from(p1.buffer))).toBe(true);
    expect(loaded.labels).toEqual(['checks', 'disc', 'stripes']);
    expect(loaded.info.training?.strategy).toBe('feature-extract');
  });
});
