import { describe, expect, it } from 'vitest';
import { formatRate, ProgressBarCallback } from '../../src/training/callbacks/progress-bar.js';
import type { EpochLogs } from '../../src/training/events.js';
import type { TrainerControl } from '../../src/training/trainer.js';

function epochLine(logs: Partial<EpochLogs>): string {
  let out = '';
  const bar = new ProgressBarCallback((t) => (out += t), false);
  const control = {} as TrainerControl;
  bar.onEvent({ type: 'fitBegin', epochs: 3, stepsPerEpoch: 2, trainSize: 10, validationSize: 0 }, control);
  out = '';
  bar.onEvent({ type: 'epochEnd', epoch: 1, logs: { epoch: 1, loss: 0.5, acc: 0.75, lr: 0.001, seconds: 1.25, ...logs } }, control);
  return out;
}

describe('ProgressBarCallback epoch lines', () => {
  it("show the epoch's learning rate, so a schedule's effect is visible", () => {
    expect(epochLine({})).toBe('epoch 2/3  loss 0.5000  acc 75.0%  lr 1.00e-3  1.3s\n');
    expect(epochLine({ lr: 4.5e-8, val_loss: 0.25, val_acc: 1 })).toBe('epoch 2/3  loss 0.5000  acc 75.0%  val_loss 0.2500  val_acc 100.0%  lr 4.50e-8  1.3s\n');
  });

  it('show the momentum when a one-cycle schedule cycles it', () => {
    expect(epochLine({ momentum: 0.85 })).toBe('epoch 2/3  loss 0.5000  acc 75.0%  lr 1.00e-3  momentum 0.850  1.3s\n');
  });

  it('formatRate keeps three significant digits', () => {
    expect(formatRate(0.003)).toBe('3.00e-3');
    expect(formatRate(1)).toBe('1.00e0');
    expect(formatRate(12.5)).toBe('1.25e1');
  });
});
