import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { buildHead } from '../../src/heads/head.js';
import { EarlyStopping, Trainer, predictProba, type TrainerEvent, type Callback, HistoryWriter, matrixSource } from '../../src/training/index.js';
import { accuracy, argmaxRows } from '../../src/metrics/index.js';
import { blobs } from '../helpers/toy.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

beforeAll(async () => {
  await initEngine();
});

describe('Trainer', () => {
  it('a linear head learns a separable toy set to ≥ 95 %', async () => {
    const train = blobs({ n: 300, dim: 8, classes: 3, seed: 1 });
    const test = blobs({ n: 150, dim: 8, classes: 3, seed: 1 });
    const model = buildHead({ type: 'linear' }, { inputDim: 8, numClasses: 3 });
    const x = train.tensor();
    await new Trainer(model, { epochs: 20, batchSize: 16, learningRate: 0.05 }).fit({ x, y: train.y });
    const xt = test.tensor();
    const probs = await predictProba(model, xt);
    expect(accuracy(test.y, argmaxRows(probs, 3))).toBeGreaterThanOrEqual(0.95);
    tf.dispose([x, xt]);
    model.dispose();
  });

  it('an MLP head learns too, from a lazy matrix source with a validation split', async () => {
    const data = blobs({ n: 200, dim: 6, classes: 2, seed: 3 });
    const model = buildHead({ type: 'mlp', hidden: [16], dropout: 0.1 }, { inputDim: 6, numClasses: 2 });
    const history = await new Trainer(model, { epochs: 10, learningRate: 0.01, validationSplit: 0.25, schedule: { type: 'one-cycle' } }).fit({
      x: matrixSource(data.x, 6),
      y: data.y,
    });
    expect(history.epochs).toHaveLength(10);
    expect(history.epochs.at(-1)!.val_acc).toBeGreaterThanOrEqual(0.95);
    model.dispose();
  });

  it('emits events in order and leaks no tensors across a fit', async () => {
    const data = blobs({ n: 64, dim: 4, classes: 2 });
    const x = data.tensor();
    const model = buildHead({ type: 'mlp', hidden: [8] }, { inputDim: 4, numClasses: 2 });
    // warm-up fit so lazily created state (kernels, optimizer slots) exists before counting
    await new Trainer(model, { epochs: 1 }).fit({ x, y: data.y });
    const types: string[] = [];
    const recorder: Callback = { onEvent: (e: TrainerEvent) => void types.push(e.type) };
    const before = tf.memory().numTensors;
    await new Trainer(model, {
      epochs: 2,
      batchSize: 32,
      validationData: { x, y: data.y },
      clipNorm: 1,
      classWeights: 'balanced',
      callbacks: [recorder, new EarlyStopping({ patience: 10 })],
    }).fit({ x, y: data.y });
    expect(tf.memory().numTensors).toBe(before);
    expect(types[0]).toBe('fitBegin');
    expect(types.at(-1)).toBe('fitEnd');
    expect(types.filter((t) => t === 'batchEnd')).toHaveLength(4);
    expect(types.filter((t) => t === 'epochEnd')).toHaveLength(2);
    x.dispose();
    model.dispose();
  });

  it('early stopping stops and restores the best weights', async () => {
    const data = blobs({ n: 100, dim: 4, classes: 2, seed: 5 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    // The monitored value is scripted: it improves at epoch 1 and never again.
    const scripted = [0.5, 0.3, 0.4, 0.45, 0.6, 0.7, 0.8];
    let weightsAtBest: number[] = [];
    const script: Callback = {
      onEvent(e) {
        if (e.type === 'epochEnd') {
          e.logs.score = scripted[e.epoch];
          if (e.epoch === 1) weightsAtBest = Array.from(model.getWeights()[0].dataSync());
        }
      },
    };
    const history = await new Trainer(model, {
      epochs: 7,
      learningRate: 0.1,
      callbacks: [script, new EarlyStopping({ monitor: 'score', mode: 'min', patience: 2 })],
    }).fit({ x, y: data.y });
    expect(history.epochs).toHaveLength(4);
    expect(history.stopReason).toMatch(/early stopping/);
    expect(history.bestEpoch).toBe(1);
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual(weightsAtBest);
    x.dispose();
    model.dispose();
  });

  it('stop() from a callback ends after the current batch; history is written as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-hist-'));
    const data = blobs({ n: 64, dim: 4, classes: 2 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    let batches = 0;
    const interrupt: Callback = {
      onEvent(e, trainer) {
        if (e.type === 'batchEnd' && ++batches === 3) trainer.stop('interrupted');
      },
    };
    const history = await new Trainer(model, { epochs: 5, batchSize: 8, callbacks: [interrupt, new HistoryWriter(join(dir, 'h.json'))] }).fit({
      x,
      y: data.y,
    });
    expect(batches).toBe(3);
    expect(history.stopReason).toBe('interrupted');
    expect(JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8')).stopReason).toBe('interrupted');
    x.dispose();
    model.dispose();
  });

  it('rejects labels outside the class range', async () => {
    const model = buildHead({ type: 'linear' }, { inputDim: 2, numClasses: 2 });
    const x = tf.zeros([2, 2]);
    await expect(new Trainer(model).fit({ x, y: [0, 5] })).rejects.toThrow(/label at index 1 is 5/);
    x.dispose();
    model.dispose();
  });
});

describe('Ctrl-C', () => {
  it('a real SIGINT reaches the trainer while it trains (the loop yields to the event loop between batches)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./interrupted-fit.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('training') && resolve()));
    child.kill('SIGINT');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000); // never leave a trainer running
    const code = await exited;
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ stopReason: 'interrupted' });
  }, 30_000);

  it('SIGINT stops after the current batch and keeps the best checkpoint', async () => {
    const data = blobs({ n: 64, dim: 4, classes: 2, seed: 9 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    let best: number[] = [];
    let batches = 0;
    const cb: Callback = {
      onEvent(e) {
        if (e.type === 'epochEnd') {
          e.logs.score = e.epoch === 0 ? 0 : 1; // epoch 0 is the best
          if (e.epoch === 0) best = Array.from(model.getWeights()[0].dataSync());
        }
        if (e.type === 'batchEnd' && e.epoch === 1 && ++batches === 2) process.emit('SIGINT');
      },
    };
    const history = await new Trainer(model, {
      epochs: 5,
      batchSize: 8,
      learningRate: 0.1,
      handleInterrupt: true,
      callbacks: [cb, new EarlyStopping({ monitor: 'score', mode: 'min', patience: 99 })],
    }).fit({ x, y: data.y });
    expect(history.stopReason).toBe('interrupted');
    expect(batches).toBe(2);
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual(best);
    expect(process.listenerCount('SIGINT')).toBe(0);
    x.dispose();
    model.dispose();
  });
});

describe('EarlyStopping across fits', () => {
  it('one instance used for two fits starts afresh each time', async () => {
    const data = blobs({ n: 64, dim: 4, classes: 2, seed: 4 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const early = new EarlyStopping({ monitor: 'score', mode: 'min', patience: 2 });
    const scores = [[0.1, 0.5, 0.6, 0.7], [0.9, 0.8, 0.7, 0.6]];
    let fit = 0;
    const script: Callback = { onEvent: (e) => void (e.type === 'epochEnd' && (e.logs.score = scores[fit][e.epoch])) };
    const first = await new Trainer(model, { epochs: 4, callbacks: [script, early] }).fit({ x, y: data.y });
    expect(first.bestEpoch).toBe(0);
    expect(first.epochs).toHaveLength(3);
    fit = 1;
    // Every epoch of the second fit is worse than the first fit's best (0.1) but improves on its own.
    const second = await new Trainer(model, { epochs: 4, callbacks: [script, early] }).fit({ x, y: data.y });
    expect(second.epochs).toHaveLength(4);
    expect(second.stopReason).toBeUndefined();
    expect(second.bestEpoch).toBe(3);
    x.dispose();
    model.dispose();
  });
});

describe('schedule validation', () => {
  it('rejects numbers that would give NaN or negative rates', async () => {
    const { parseSchedule } = await import('../../src/training/schedules.js');
    const model = buildHead({ type: 'linear' }, { inputDim: 2, numClasses: 2 });
    expect(() => parseSchedule('step:0')).toThrow(/'every' must be a whole number/);
    expect(() => parseSchedule('one-cycle:1')).toThrow(/'pctStart' must be in \(0, 1\)/);
    expect(() => parseSchedule('cosine:2')).toThrow(/'min' must be in \[0, 1\]/);
    expect(() => parseSchedule('step:x')).toThrow(/'every'/);
    expect(() => new Trainer(model, { schedule: { type: 'step', gamma: -1 } })).toThrow(/'gamma' must be > 0/);
    expect(parseSchedule('step:5:0.5')).toEqual({ type: 'step', every: 5, gamma: 0.5 });
    model.dispose();
  });
});

describe('Trainer: core review fixes', () => {
  const data = blobs({ n: 64, dim: 4, classes: 2, seed: 5 });
  const weights = (m: tf.LayersModel) => Array.from(m.getWeights()[0]!.dataSync());
  const moved = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

  for (const momentum of [0, 0.9]) {
    it(`an LR schedule drives SGD too (momentum ${momentum}): a rate cut to ~0 stops the weights`, async () => {
      const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
      const snapshots: number[][] = [];
      const snap: Callback = { onEvent: (e) => void (e.type === 'epochEnd' && snapshots.push(weights(model))) };
      await new Trainer(model, { epochs: 3, batchSize: 16, learningRate: 0.5, optimizer: 'sgd', momentum: momentum || undefined, schedule: { type: 'step', every: 1, gamma: 1e-12 }, callbacks: [snap] }).fit({ x: data.tensor(), y: data.y });
      // Epochs 1 and 2 run at 0.5e-12 and below (tfjs's momentum scales the velocity by the rate too).
      expect(moved(snapshots[1]!, snapshots[0]!)).toBeLessThan(1e-6);
      expect(moved(snapshots[2]!, snapshots[1]!)).toBeLessThan(1e-6);
      model.dispose();
    });
  }

  it('a trainer fitted again starts afresh: after an early stop it trains, with a new history', async () => {
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    let fits = 0;
    const stopFirstFit: Callback = { onEvent: (e, t) => void (e.type === 'fitBegin' ? fits++ : e.type === 'epochEnd' && fits === 1 && t.stop('enough')) };
    const trainer = new Trainer(model, { epochs: 3, batchSize: 16, callbacks: [stopFirstFit] });
    const first = await trainer.fit({ x: data.tensor(), y: data.y });
    expect([first.epochs.length, first.stopReason]).toEqual([1, 'enough']);
    const second = await trainer.fit({ x: data.tensor(), y: data.y });
    expect(second.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(second.stopReason).toBeUndefined();
    expect(first.epochs).toHaveLength(1); // the first fit's history is left as it was
    model.dispose();
  });

  it('refuses a clipNorm ≤ 0 and batch sizes of 0 (a negative clip turned training into ascent; 0 looped forever)', async () => {
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    expect(() => new Trainer(model, { clipNorm: -1 })).toThrow(/clipNorm must be > 0/);
    expect(() => new Trainer(model, { evalBatchSize: 0 })).toThrow(/evalBatchSize must be a positive integer/);
    await expect(predictProba(model, data.tensor(), { batchSize: 0 })).rejects.toThrow(/batch size must be a positive integer/);
    expect(() => new Trainer(model, { momentum: 1.5 })).toThrow(/momentum must be in \[0, 1\)/);
    expect(() => new Trainer(model, { validationSplit: NaN })).toThrow(/validationSplit must be in \[0, 1\)/);
    for (const classWeights of [[1, NaN], [1, -1], [0, 0]]) {
      await expect(new Trainer(model, { classWeights }).fit({ x: data.tensor(), y: data.y })).rejects.toThrow(/class weights must be finite numbers ≥ 0, not all 0/);
    }
    model.dispose();
  });

  it('dropout draws a new mask at every step, reproducibly from the seed', () => {
    const make = () => buildHead({ type: 'mlp', hidden: [32], dropout: 0.5 }, { inputDim: 4, numClasses: 2, seed: 7 });
    const x = data.tensor();
    const run = (m: tf.LayersModel) => [0, 1].map(() => Array.from((m.apply(x, { training: true }) as tf.Tensor).dataSync()));
    const a = make();
    const b = make();
    const [a1, a2] = run(a);
    const [b1, b2] = run(b);
    expect(a1).not.toEqual(a2);
    expect([a1, a2]).toEqual([b1, b2]);
    a.dispose();
    b.dispose();
  });
});

describe('head specs', () => {
  it('a bad spec is a typed error naming what is wrong, not a silent MLP or a raw tfjs error', async () => {
    const { parseHeadSpec } = await import('../../src/heads/head.js');
    const build = (spec: unknown, inputDim = 4) => () => buildHead(spec as Parameters<typeof buildHead>[0], { inputDim, numClasses: 2 });
    expect(build({ type: 'conv' })).toThrow(/unknown head type 'conv'/);
    expect(build({ type: 'mlp', dropout: 1.5 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(build({ type: 'linear', dropout: -0.1 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(build({ type: 'linear', l2: -1 })).toThrow(/l2 must be a finite number ≥ 0/);
    expect(build({ type: 'mlp', hidden: [0] })).toThrow(/hidden sizes must be whole numbers ≥ 1/);
    expect(build({ type: 'mlp', hidden: [2.5] })).toThrow(/hidden sizes/);
    expect(build({ type: 'mlp', activation: 'swish' })).toThrow(/unknown activation 'swish'/);
    expect(build({ type: 'linear' }, 0)).toThrow(/inputDim must be a whole number ≥ 1/);
    expect(() => parseHeadSpec('linear:64')).toThrow(/a linear head has no hidden sizes/);
    expect(() => parseHeadSpec('mlp', 2)).toThrow(/dropout must be in \[0, 1\)/);
  });
});

describe('early stopping and metrics: names and labels that do not exist', () => {
  it('EarlyStopping on a name the epochs never log is an error naming those they do; out-of-range labels are refused', async () => {
    const data = blobs({ n: 40, dim: 4, classes: 2, seed: 9 });
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const es = new EarlyStopping({ monitor: 'val_accuracy', patience: 2 });
    await expect(new Trainer(model, { epochs: 3, validationSplit: 0.25, callbacks: [es] }).fit({ x: data.tensor(), y: data.y })).rejects.toMatchObject({
      message: expect.stringMatching(/monitors 'val_accuracy', which the epochs do not log/),
      hint: expect.stringMatching(/val_acc/),
    });
    model.dispose();
    const { confusionMatrix } = await import('../../src/metrics/index.js');
    expect(() => confusionMatrix([0, 3], [0, 1], 2)).toThrow(/label 3 \/ prediction 1 at position 1 is not a class index 0…1/);
  });
});
