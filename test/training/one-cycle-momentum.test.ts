import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { buildHead } from '../../src/heads/head.js';
import { momentumAt, Trainer, validateSchedule, type Callback, type FitOptions, type LrSchedule } from '../../src/training/index.js';
import { blobs } from '../helpers/toy.js';

beforeAll(async () => {
  await initEngine();
});

/** What the optimizer really computes with after each step: SGD's momentum scalar `m`, Adam's beta1. */
function optimizerMomentum(into: number[]): Callback {
  return {
    onEvent: (e, t) => {
      if (e.type !== 'batchEnd') return;
      const opt = t.optimizers[0] as unknown as { m?: tf.Scalar; beta1?: number };
      into.push(opt.m ? opt.m.dataSync()[0] : opt.beta1!);
    },
  };
}

async function fit(options: FitOptions, callbacks: Callback[] = []) {
  const data = blobs({ n: 64, dim: 4, classes: 2, seed: 5 });
  const x = data.tensor();
  const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
  const history = await new Trainer(model, { epochs: 4, batchSize: 8, learningRate: 0.05, seed: 1, ...options, callbacks }).fit({ x, y: data.y });
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  x.dispose();
  model.dispose();
  return { history, weights };
}

const cycle: LrSchedule = { type: 'one-cycle', pctStart: 0.25, cycleMomentum: true };

describe("one-cycle with fastai's momentum cycle", () => {
  it('the schedule: high → low while the rate warms up, then back to high', () => {
    const at = (step: number) => momentumAt(cycle, { step, totalSteps: 101, epoch: 0 })!;
    expect(at(0)).toBeCloseTo(0.95, 10);
    expect(at(25)).toBeCloseTo(0.85, 10);
    expect(at(100)).toBeCloseTo(0.95, 10);
    expect(at(12)).toBeLessThan(0.95);
    expect(at(12)).toBeGreaterThan(0.85);
    expect(momentumAt({ type: 'one-cycle' }, { step: 3, totalSteps: 10, epoch: 0 })).toBeUndefined();
    expect(momentumAt({ type: 'one-cycle', cycleMomentum: { high: 0.9, low: 0.5 } }, { step: 0, totalSteps: 10, epoch: 0 })).toBe(0.9);
  });

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`${optimizer}: the momentum the optimizer computes with follows the cycle during training`, async () => {
      const seen: number[] = [];
      const { history } = await fit({ optimizer, schedule: cycle }, [optimizerMomentum(seen)]);
      const total = 4 * 8;
      expect(seen).toHaveLength(total);
      seen.forEach((m, step) => expect(m).toBeCloseTo(momentumAt(cycle, { step, totalSteps: total, epoch: 0 })!, 6));
      expect(seen[0]).toBeCloseTo(0.95, 6);
      expect(Math.min(...seen)).toBeCloseTo(0.85, 2);
      expect(seen.at(-1)).toBeCloseTo(0.95, 6);
      // Logged with the epochs too.
      history.epochs.forEach((e, i) => expect(e.momentum).toBeCloseTo(seen[8 * (i + 1) - 1], 6));
    });
  }

  it('sgd: the cycled momentum really drives the updates (a cycle held at 0 trains exactly as plain SGD)', async () => {
    const zero: LrSchedule = { type: 'one-cycle', cycleMomentum: { high: 0, low: 0 } };
    const cycled = await fit({ optimizer: 'sgd', momentum: 0.9, schedule: zero });
    const plain = await fit({ optimizer: 'sgd', momentum: 0, schedule: { type: 'one-cycle' } });
    const withMomentum = await fit({ optimizer: 'sgd', momentum: 0.9, schedule: { type: 'one-cycle' } });
    expect(cycled.weights).toEqual(plain.weights);
    expect(withMomentum.weights).not.toEqual(plain.weights);
  });

  it("adam: the cycled beta1 really drives the updates (a cycle held at tfjs's default 0.9 trains as plain adam, at 0.5 not)", async () => {
    const held = (beta1: number): LrSchedule => ({ type: 'one-cycle', cycleMomentum: { high: beta1, low: beta1 } });
    const plain = await fit({ optimizer: 'adam', schedule: { type: 'one-cycle' } });
    // Equal up to float32 rounding: the trainer keeps the product of the betas in float64.
    const same = (await fit({ optimizer: 'adam', schedule: held(0.9) })).weights;
    same.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(plain.weights[i][j], 5)));
    expect((await fit({ optimizer: 'adam', schedule: held(0.5) })).weights).not.toEqual(plain.weights);
  });

  it("adam: the bias correction divides by 1 − the product of the beta1 values used, this step's included (it lagged a step: the first update of a cycle from 0.95 was halved)", async () => {
    const ratios: number[] = [];
    const products: number[] = [];
    let product = 1;
    const watch: Callback = {
      onEvent: (e, t) => {
        if (e.type !== 'batchEnd') return;
        const adam = t.optimizers[0] as unknown as { beta1: number; accBeta1: tf.Variable };
        product *= adam.beta1;
        products.push(product);
        // tfjs multiplies accBeta1 by beta1 after the step: what the step divided by is accBeta1 / beta1.
        ratios.push(adam.accBeta1.dataSync()[0] / adam.beta1);
      },
    };
    await fit({ optimizer: 'adam', schedule: cycle }, [watch]);
    expect(ratios).toHaveLength(32);
    ratios.forEach((r, i) => expect(r).toBeCloseTo(products[i], 5));
    expect(products[0]).toBeCloseTo(0.95, 6);
  });

  it('without cycleMomentum the momentum is left alone, and no momentum is logged', async () => {
    const seen: number[] = [];
    const { history } = await fit({ optimizer: 'sgd', schedule: { type: 'one-cycle' } }, [optimizerMomentum(seen)]);
    expect(seen).toHaveLength(32);
    for (const m of seen) expect(m).toBeCloseTo(0.9, 6);
    expect(history.epochs[0].momentum).toBeUndefined();
  });

  it('refuses optimizers without momentum and ranges that cannot be momenta', () => {
    const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
    expect(() => new Trainer(model, { optimizer: 'rmsprop', schedule: cycle })).toThrow(/needs an optimizer with momentum; rmsprop/);
    expect(() => new Trainer(model, { optimizer: 'sgd', momentum: 0, schedule: cycle })).toThrow(/sgd with momentum 0 \(plain SGD\) has none/);
    expect(() => validateSchedule({ type: 'one-cycle', cycleMomentum: { high: 0.8, low: 0.9 } })).toThrow(/'low' \(0\.9\) must not exceed 'high' \(0\.8\)/);
    expect(() => validateSchedule({ type: 'one-cycle', cycleMomentum: { high: 1 } })).toThrow(/must be in \[0, 1\)/);
    expect(() => validateSchedule({ type: 'one-cycle', cycleMomentum: 'yes' as never })).toThrow(/must be true, false or \{ high, low \}/);
    model.dispose();
  });
});
