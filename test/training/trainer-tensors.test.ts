import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { buildHead } from '../../src/heads/head.js';
import { Trainer, type LrSchedule } from '../../src/training/index.js';
import { blobs } from '../helpers/toy.js';

beforeAll(async () => {
  await initEngine();
});

const cycle: LrSchedule = { type: 'one-cycle', cycleMomentum: true };

describe('optimizers are disposed whole', () => {
  for (const optimizer of ['sgd', 'adam', 'rmsprop'] as const) {
    it(`${optimizer}: a fit leaves no tensors behind (also with the momentum cycle)`, async () => {
      const data = blobs({ n: 32, dim: 4, classes: 2, seed: 5 });
      const x = data.tensor();
      const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
      const schedules: LrSchedule[] = optimizer === 'rmsprop' ? [{ type: 'one-cycle' }] : [{ type: 'one-cycle' }, cycle];
      await new Trainer(model, { epochs: 1, optimizer }).fit({ x, y: data.y }); // lazily created kernels and caches first
      for (const schedule of schedules) {
        const before = tf.memory().numTensors;
        await new Trainer(model, { epochs: 2, batchSize: 8, optimizer, schedule }).fit({ x, y: data.y });
        expect(tf.memory().numTensors).toBe(before);
      }
      x.dispose();
      model.dispose();
    });
  }
});

describe('a fit refused for a model without trainable weights', () => {
  it('leaves no class-weight or optimizer tensors behind', async () => {
    const data = blobs({ n: 16, dim: 4, classes: 2, seed: 5 });
    const x = data.tensor();
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    model.trainable = false;
    const before = tf.memory().numTensors;
    await expect(new Trainer(model, { optimizer: 'sgd', classWeights: 'balanced' }).fit({ x, y: data.y })).rejects.toThrow(/no trainable weights/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});
