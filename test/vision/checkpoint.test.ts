/**
 * trainImageClassifier's checkpoint option: the best classifier so far, saved whole as a loadable
 * bundle on every improvement, and kept best across fine-tune's two phases.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/backend.js';
import type { EpochLogs, TrainerEvent } from '../../src/training/events.js';
import type { TrainerControl } from '../../src/training/trainer.js';
import {
  Backbone,
  ImageClassifier,
  VisionCheckpoint,
  readImageFolder,
  trainImageClassifier,
  writeSyntheticImages,
  type CheckpointSave,
  type ImageCollection,
} from '../../vision/index.js';
import { tempDir } from './helpers.js';

let root: string;
let data: ImageCollection;

beforeAll(async () => {
  await initEngine();
  root = tempDir();
  await writeSyntheticImages(join(root, 'data'), { classes: 3, perClass: 6, size: 32, seed: 11 });
  data = await readImageFolder(join(root, 'data'));
});

const logs = (epoch: number, val_loss: number): EpochLogs => ({ epoch, loss: 1, acc: 0.5, val_loss, val_acc: 0.5, lr: 1e-3, seconds: 0.1 });

/** Mean cross-entropy of a classifier on images with labels y. */
async function loss(clf: ImageClassifier, images: Parameters<ImageClassifier['probabilitiesOfImages']>[0], y: Int32Array): Promise<number> {
  const p = await clf.probabilitiesOfImages(images);
  const c = clf.labels.length;
  let sum = 0;
  y.forEach((label, i) => (sum -= Math.log(p[i * c + label])));
  return sum / y.length;
}

function readManifest(dir: string) {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { kind: string; training: Record<string, any>; metrics: Record<string, any> };
}

describe('VisionCheckpoint', () => {
  it("keeps the best across fits: phase 2's first epoch does not replace a better warm-up (ModelCheckpoint alone starts afresh)", async () => {
    const saves: CheckpointSave[] = [];
    const cp = new VisionCheckpoint({ dir: 'unused' }, ['head', 'fine-tune'], async (s) => void saves.push(s));
    const trainer = { model: {}, stopRequested: false } as unknown as TrainerControl;
    const run = async (events: TrainerEvent[]) => {
      for (const e of events) await cp.onEvent(e, trainer);
    };
    const fitBegin = (epochs: number): TrainerEvent => ({ type: 'fitBegin', epochs, stepsPerEpoch: 1, trainSize: 4, validationSize: 2 });
    const epochEnd = (epoch: number, v: number): TrainerEvent => ({ type: 'epochEnd', epoch, logs: logs(epoch, v) });
    await run([fitBegin(2), epochEnd(0, 0.8), epochEnd(1, 0.5), { type: 'fitEnd', history: { epochs: [] } }]);
    expect(saves.map((s) => s.record.epoch)).toEqual([0, 1]);
    // Phase 2: 0.7 (ModelCheckpoint's first, so "improved"), 0.6 (better than 0.7), then 0.4.
    await run([fitBegin(3), epochEnd(0, 0.7), epochEnd(1, 0.6)]);
    expect(saves).toHaveLength(2);
    expect(cp.best).toEqual({ dir: 'unused', epoch: 1, phase: 'head', phaseEpoch: 1, monitor: 'val_loss', value: 0.5 });
    await run([epochEnd(2, 0.4)]);
    expect(saves).toHaveLength(3);
    expect(cp.best).toEqual({ dir: 'unused', epoch: 4, phase: 'fine-tune', phaseEpoch: 2, monitor: 'val_loss', value: 0.4 });
    // The save sees every epoch run so far, this one included.
    expect(saves[2].histories.map((h) => h.epochs.map((e) => e.val_loss))).toEqual([[0.8, 0.5], [0.7, 0.6, 0.4]]);
  });

  it('refuses a checkpoint without a folder, and a monitor mode it does not know, before reading images', async () => {
    const missing = join(root, 'no-such-folder');
    await expect(trainImageClassifier(missing, { checkpoint: { dir: '' } })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/^checkpoint must be \{ dir, monitor\?, mode\? \}/) });
    await expect(trainImageClassifier(missing, { checkpoint: { dir: join(root, 'x'), mode: 'best' as never } })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: "ModelCheckpoint: unknown mode 'best'" });
    // Inside the data folder a checkpoint would become a class of the next run.
    await expect(trainImageClassifier(data, { checkpoint: { dir: join(root, 'data', 'ck') }, backbone: await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 }) })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringMatching(/checkpoint .*ck is inside the data folder .*: a folder there is read as data by the next run/),
    });
    expect(existsSync(join(root, 'data', 'ck'))).toBe(false);
  });
});

describe('trainImageClassifier({ checkpoint })', () => {
  it('feature-extract: the folder holds the whole classifier of the best epoch, loadable, with its epoch and history', async () => {
    const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    const dir = join(root, 'ck-fe');
    // A high rate overshoots: validation loss does not fall every epoch, so the best is not the last.
    const r = await trainImageClassifier(data, { backbone, epochs: 6, batchSize: 4, learningRate: 0.3, seed: 2, checkpoint: { dir } });
    const losses = r.history.map((e) => e.val_loss!);
    const best = losses.indexOf(Math.min(...losses));
    expect(best).toBeLessThan(losses.length - 1);
    expect(r.checkpoint).toEqual({ dir, epoch: best, monitor: 'val_loss', value: losses[best] });
    const m = readManifest(dir);
    expect(m.kind).toBe('image-classifier');
    expect(m.training.checkpoint).toEqual({ epoch: best, monitor: 'val_loss', value: losses[best] });
    expect(m.training.epochsRun).toBe(best + 1);
    expect(m.training.history.map((e: { val_loss: number }) => e.val_loss)).toEqual(losses.slice(0, best + 1));
    expect(m.metrics.validation).toEqual({ loss: losses[best], accuracy: r.history[best].val_acc, count: r.counts.validation });
    // The whole network (body included), and the best epoch's head: its validation loss is the logged one.
    const clf = await ImageClassifier.load(dir);
    expect(clf.model.layers.length).toBe(r.classifier.model.layers.length);
    const valid = r.learner.data.valid!;
    expect(await loss(clf, valid.images, valid.y)).toBeCloseTo(losses[best], 4);
    expect(Math.abs((await loss(r.classifier, valid.images, valid.y)) - losses[best])).toBeGreaterThan(1e-3);
  });

  it("fine-tune: one checkpoint for both phases, the best epoch of either, numbered across them; without validation data it watches loss", async () => {
    const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    const dir = join(root, 'ck-ft');
    const r = await trainImageClassifier(data, { backbone, strategy: 'fine-tune', freezeEpochs: 2, epochs: 2, batchSize: 8, checkpoint: { dir } });
    const losses = r.history.map((e) => e.val_loss!);
    const best = losses.indexOf(Math.min(...losses));
    expect(r.checkpoint).toMatchObject({ epoch: best, phase: r.history[best].phase, phaseEpoch: r.history[best].phaseEpoch, value: losses[best] });
    expect(readManifest(dir).training.checkpoint.epoch).toBe(best);
    const noValid = join(root, 'ck-noval');
    const n = await trainImageClassifier(data, { backbone: await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 }), epochs: 2, batchSize: 8, validationSplit: 0, checkpoint: { dir: noValid } });
    expect(n.checkpoint!.monitor).toBe('loss');
    expect(readManifest(noValid).metrics).toEqual({});
  });
});
