/**
 * The neural text kinds train with the core trainer's learning-rate schedule (`schedule` in
 * trainTextClassifier's options); the summary and the bundle record the schedule that ran and every
 * epoch's logs. The linear kinds, fitted by L-BFGS, have no learning rate and record neither.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../src/engine/backend.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { parseSchedule } from '../../../src/training/schedules.js';
import { loadTextClassifier, saveTextClassifier, trainTextClassifier, type TrainTextOptions } from '../../../text/classify/index.js';
import { tempDir, toyCorpus, toyVectors } from './helpers.js';

const vectors = toyVectors();
const train = toyCorpus({ n: 60, seed: 1, vocabulary: 'seen' });
const base: TrainTextOptions = { vectors, vectorsName: 'toy-16d', seed: 0, extraWords: 0, batchSize: 20, learningRate: 0.01 };

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await initEngine();
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const lrs = (history: Array<{ lr: number }> | undefined) => history?.map((e) => e.lr);

describe('learning-rate schedules of the neural text kinds', () => {
  it('without one the rate is constant, and the summary says so', async () => {
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'vectors', representation: 'mean' }, epochs: 3 });
    expect(clf.summary.schedule).toEqual({ type: 'constant' });
    expect(lrs(clf.summary.history)).toEqual([0.01, 0.01, 0.01]);
    clf.dispose();
  });

  it('a step schedule sets every epoch\'s rate (vectors + head); the bundle records the schedule and the history', async () => {
    const schedule = { type: 'step' as const, every: 1, gamma: 0.5 };
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'vectors', representation: 'mean' }, epochs: 3, schedule });
    expect(clf.summary.schedule).toEqual(schedule);
    // Halved every epoch (a constant rate would stay at 0.01).
    expect(lrs(clf.summary.history)).toEqual([0.01, 0.005, 0.0025]);
    expect(clf.summary.history!.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(clf.summary.history![0]).not.toHaveProperty('momentum');
    const out = join(dir, 'step');
    await saveTextClassifier(out, clf);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.training.schedule).toEqual(schedule);
    expect(lrs(manifest.training.history)).toEqual([0.01, 0.005, 0.0025]);
    const back = await loadTextClassifier(out);
    expect(back.summary.schedule).toEqual(schedule);
    expect(back.summary.history).toEqual(clf.summary.history);
    back.dispose();
    clf.dispose();
  });

  it("one-cycle with cycleMomentum (fastai's fit_one_cycle) on an embedding network: the rate warms up then anneals, Adam's beta1 moves against it", async () => {
    const clf = await trainTextClassifier(train, {
      ...base,
      model: { kind: 'embedding', architecture: 'pool', maxLength: 16 },
      epochs: 4,
      schedule: { ...parseSchedule('one-cycle:0.5'), cycleMomentum: { high: 0.9, low: 0.8 } } as TrainTextOptions['schedule'],
    });
    const h = clf.summary.history!;
    expect(h).toHaveLength(4);
    const lr = h.map((e) => e.lr);
    expect(Math.max(...lr)).toBeLessThanOrEqual(0.01);
    expect(lr[0]).toBeLessThan(lr[1]!); // warming up
    expect(lr[3]).toBeLessThan(1e-7); // annealed to 0.01 / (25 · 1e4) at the last step
    expect(h[0]!.momentum).toBeLessThan(0.9);
    expect(h[0]!.momentum).toBeGreaterThan(0.8);
    expect(h[3]!.momentum).toBe(0.9); // back at high by the last step
    expect(clf.summary.schedule).toEqual({ type: 'one-cycle', pctStart: 0.5, cycleMomentum: { high: 0.9, low: 0.8 } });
    clf.dispose();
  });

  it('the linear kinds have no learning rate: no schedule or history is recorded', async () => {
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'bow' }, schedule: { type: 'cosine' } });
    expect(clf.summary.schedule).toBeUndefined();
    expect(clf.summary.history).toBeUndefined();
    clf.dispose();
  });

  it('a bad schedule is refused before anything is fitted, naming what is wrong', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['one-cycle', /schedule must be an object such as \{ type: 'one-cycle' \}, got 'one-cycle'/],
      [{ type: 'exponential' }, /unknown learning-rate schedule 'exponential'/],
      [{ type: 'one-cycle', pctStart: 1.5 }, /'pctStart' must be in \(0, 1\), got 1\.5/],
      [{ type: 'one-cycle', cycleMomentum: { high: 0.8, low: 0.9 } }, /'low' \(0\.9\) must not exceed 'high' \(0\.8\)/],
    ];
    for (const [schedule, message] of cases) {
      // Vectors as a source that does not exist: a refusal after loading them would say so instead.
      const p = trainTextClassifier(train, { ...base, vectors: join(dir, 'no-such-vectors.txt'), model: { kind: 'vectors' }, schedule: schedule as TrainTextOptions['schedule'] });
      await expect(p).rejects.toThrow(InvalidArgumentError);
      await expect(p).rejects.toThrow(message);
    }
  });
});
