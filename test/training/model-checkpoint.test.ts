import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { buildHead } from '../../src/heads/head.js';
import { loadBundle } from '../../src/bundle/bundle.js';
import { InvalidArgumentError } from '../../src/errors.js';
import * as core from '../../src/index.js';
import { CHECKPOINT_KIND, ModelCheckpoint, Trainer, predictProba, type Callback, type CheckpointInfo } from '../../src/training/index.js';
import { blobs } from '../helpers/toy.js';

beforeAll(async () => {
  await initEngine();
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'tk-ckpt-'));

/** Logs a value of our choosing each epoch (a callback before the checkpoint may add to the logs, as in Keras). */
const scripted = (name: string, values: number[]): Callback => ({
  onEvent: (e) => {
    if (e.type === 'epochEnd') e.logs[name] = values[e.epoch];
  },
});

/** Predictions on `x` at the end of every epoch, in order. */
function predictionsPerEpoch(x: tf.Tensor, into: Float32Array[]): Callback {
  return {
    onEvent: async (e, t) => {
      if (e.type === 'epochEnd') into.push(await predictProba(t.model, x));
    },
  };
}

describe('ModelCheckpoint', () => {
  it('is exported from the package', () => {
    expect(core.ModelCheckpoint).toBe(ModelCheckpoint);
  });

  it('saves when the monitored value improves (min or max), and every epoch without saveBestOnly', async () => {
    const data = blobs({ n: 40, dim: 4, classes: 2, seed: 2 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const score = [3, 1, 2, 0.5, 0.7];
    const run = async (options: ConstructorParameters<typeof ModelCheckpoint>[0]) => {
      const saves: CheckpointInfo[] = [];
      const ckpt = new ModelCheckpoint({ monitor: 'score', save: (_m, info) => void saves.push(info), ...options });
      await new Trainer(model, { epochs: 5, batchSize: 8, callbacks: [scripted('score', score), ckpt] }).fit({ x, y: data.y });
      return { epochs: saves.map((s) => s.epoch), saves, ckpt };
    };
    const min = await run({ mode: 'min' });
    expect(min.epochs).toEqual([0, 1, 3]);
    expect(min.saves.map((s) => s.value)).toEqual([3, 1, 0.5]);
    expect(min.ckpt.best).toEqual({ epoch: 3, value: 0.5 });
    expect((await run({ mode: 'max' })).epochs).toEqual([0]);
    const every = await run({ mode: 'min', saveBestOnly: false });
    expect(every.epochs).toEqual([0, 1, 2, 3, 4]);
    expect(every.saves.map((s) => s.improved)).toEqual([true, true, false, true, false]);
    x.dispose();
    model.dispose();
  });

  it('writes the best model to a folder on a real run; the folder loads back with that epoch\'s predictions', async () => {
    const data = blobs({ n: 90, dim: 5, classes: 3, seed: 4, spread: 2.5 });
    const x = data.tensor();
    const model = buildHead({ type: 'mlp', hidden: [8], dropout: 0 }, { inputDim: 5, numClasses: 3 });
    const root = tempDir();
    const path = join(root, 'best');
    const perEpoch: Float32Array[] = [];
    const ckpt = new ModelCheckpoint({ path, labels: ['a', 'b', 'c'] });
    const history = await new Trainer(model, { epochs: 6, batchSize: 16, learningRate: 0.05, validationSplit: 0.3, callbacks: [predictionsPerEpoch(x, perEpoch), ckpt] }).fit({ x, y: data.y });
    const losses = history.epochs.map((e) => e.val_loss!);
    const bestEpoch = losses.indexOf(Math.min(...losses));
    expect(ckpt.best).toEqual({ epoch: bestEpoch, value: losses[bestEpoch] });
    const improvements = losses.filter((l, i) => losses.slice(0, i).every((before) => l < before)).length;
    expect(ckpt.saved).toHaveLength(improvements);
    expect(bestEpoch).toBeLessThan(losses.length - 1); // (with this seed) the last epoch is not the best: the folder holds an earlier one
    expect(ckpt.saved.every((p) => p === path)).toBe(true);
    const loaded = await loadBundle(path, { kind: CHECKPOINT_KIND });
    expect(loaded.manifest.labels).toEqual(['a', 'b', 'c']);
    expect(loaded.manifest.training).toMatchObject({ epoch: bestEpoch, monitor: 'val_loss', value: losses[bestEpoch] });
    expect(loaded.manifest.metrics).toMatchObject({ val_loss: losses[bestEpoch] });
    expect(Array.from(await predictProba(loaded.model!, x))).toEqual(Array.from(perEpoch[bestEpoch]));
    // Written atomically: the folder and nothing else (no temporaries) in its parent.
    expect(readdirSync(root)).toEqual(['best']);
    loaded.model!.dispose();
    x.dispose();
    model.dispose();
  });

  it('{epoch} in the path gives one folder per save; without validation data val_loss is watched as loss', async () => {
    const data = blobs({ n: 40, dim: 4, classes: 2, seed: 6 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const root = tempDir();
    const ckpt = new ModelCheckpoint({ path: join(root, 'epoch-{epoch}'), saveBestOnly: false });
    await new Trainer(model, { epochs: 3, batchSize: 8, callbacks: [ckpt] }).fit({ x, y: data.y });
    expect(readdirSync(root).sort()).toEqual(['epoch-1', 'epoch-2', 'epoch-3']);
    const m = (await loadBundle(join(root, 'epoch-2'), { rebuildModel: false })).manifest;
    expect(m.training).toMatchObject({ epoch: 1, monitor: 'loss' });
    expect(m.labels).toEqual(['0', '1']);
    x.dispose();
    model.dispose();
  });

  it('restoreBestWeights puts the best epoch\'s weights back when training ends', async () => {
    const data = blobs({ n: 40, dim: 4, classes: 2, seed: 8 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const perEpoch: Float32Array[] = [];
    const ckpt = new ModelCheckpoint({ monitor: 'score', mode: 'max', restoreBestWeights: true });
    const history = await new Trainer(model, { epochs: 4, batchSize: 8, learningRate: 0.1, callbacks: [scripted('score', [0.1, 0.9, 0.3, 0.2]), predictionsPerEpoch(x, perEpoch), ckpt] }).fit({ x, y: data.y });
    expect(history.bestEpoch).toBe(1);
    expect(Array.from(await predictProba(model, x))).toEqual(Array.from(perEpoch[1]));
    expect(Array.from(perEpoch[3])).not.toEqual(Array.from(perEpoch[1])); // training moved on, and was put back
    x.dispose();
    model.dispose();
  });

  it('a monitor the epochs never log is an error naming those they do (as EarlyStopping)', async () => {
    const data = blobs({ n: 40, dim: 4, classes: 2, seed: 9 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const saves: number[] = [];
    const ckpt = new ModelCheckpoint({ monitor: 'val_accuracy', save: (_m, i) => void saves.push(i.epoch) });
    const err = await new Trainer(model, { epochs: 2, validationSplit: 0.25, callbacks: [ckpt] }).fit({ x, y: data.y }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(/ModelCheckpoint monitors 'val_accuracy', which the epochs do not log/);
    expect(err.hint).toMatch(/val_acc/);
    expect(saves).toEqual([]);
    x.dispose();
    model.dispose();
  });

  it('refuses options that cannot work, and a folder of your files before training starts', async () => {
    const save = () => undefined;
    expect(() => new ModelCheckpoint()).toThrow(/nothing to do/);
    expect(() => new ModelCheckpoint({ path: 'a', save })).toThrow(/a path or a save function, not both/);
    expect(() => new ModelCheckpoint({ save, mode: 'up' as never })).toThrow(/unknown mode 'up'/);
    expect(() => new ModelCheckpoint({ path: '' })).toThrow(/path must be a folder name/);
    const data = blobs({ n: 20, dim: 4, classes: 2 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const root = tempDir();
    await expect(new Trainer(model, { epochs: 1, callbacks: [new ModelCheckpoint({ path: join(root, 'c'), labels: ['a', 'b', 'c'] })] }).fit({ x, y: data.y })).rejects.toThrow(/3 labels for a model with 2 outputs/);
    const mine = join(root, 'photos');
    mkdirSync(mine);
    writeFileSync(join(mine, 'cat.jpg'), 'x');
    let batches = 0;
    const counter: Callback = { onEvent: (e) => void (e.type === 'batchEnd' && batches++) };
    await expect(new Trainer(model, { epochs: 1, callbacks: [counter, new ModelCheckpoint({ path: mine })] }).fit({ x, y: data.y })).rejects.toThrow(/refusing to write the checkpoint bundle/);
    expect(batches).toBe(0);
    expect(readFileSync(join(mine, 'cat.jpg'), 'utf8')).toBe('x');
    expect(existsSync(join(root, 'c'))).toBe(false);
    x.dispose();
    model.dispose();
  });

  it('options given as undefined keep their defaults (saveBestOnly stays true; EarlyStopping accepts mode/monitor undefined)', async () => {
    const data = blobs({ n: 40, dim: 4, classes: 2, seed: 2 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const saves: number[] = [];
    const ckpt = new ModelCheckpoint({ monitor: 'score', mode: undefined, saveBestOnly: undefined, save: (_m, info) => void saves.push(info.epoch) });
    const stop = new core.EarlyStopping({ monitor: undefined, mode: undefined, patience: undefined });
    await new Trainer(model, { epochs: 5, batchSize: 8, validationSplit: 0.25, callbacks: [scripted('score', [3, 1, 2, 0.5, 0.7]), ckpt, stop] }).fit({ x, y: data.y });
    expect(saves).toEqual([0, 1, 3]);
    x.dispose();
    model.dispose();
  });

  it('an epoch cut short by a stop is not judged, even on the training loss (its average covers only the batches that ran)', async () => {
    const data = blobs({ n: 64, dim: 4, classes: 2, seed: 3 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    const saves: number[] = [];
    const ckpt = new ModelCheckpoint({ monitor: 'loss', save: (_m, info) => void saves.push(info.epoch) });
    // Stops after the first batch of epoch 2; that batch's loss alone is typically the lowest yet.
    const cut: Callback = { onEvent: (e, t) => void (e.type === 'batchEnd' && e.epoch === 2 && t.stop('interrupted')) };
    let cutShort: boolean[] = [];
    const seen: Callback = { onEvent: (e, t) => void (e.type === 'epochEnd' && cutShort.push(t.epochCutShort)) };
    const history = await new Trainer(model, { epochs: 5, batchSize: 8, learningRate: 0.1, callbacks: [cut, seen, ckpt] }).fit({ x, y: data.y });
    expect(history.epochs).toHaveLength(3);
    expect(cutShort).toEqual([false, false, true]);
    expect(saves).not.toContain(2);
    expect(ckpt.best!.epoch).toBeLessThan(2);
    cutShort = [];
    x.dispose();
    model.dispose();
  });
});
