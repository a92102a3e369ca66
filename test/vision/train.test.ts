/**
 * vision/train.ts without images: the per-epoch records of the history (`epochRecords`) and the
 * strategies' default schedules.
 */
import { describe, expect, it } from 'vitest';
import type { History } from '../../src/training/events.js';
import { epochRecords, FINE_TUNE_SCHEDULE, getStrategy, STRATEGY_NAMES } from '../../vision/index.js';

describe('epochRecords', () => {
  it('keeps the momentum of a cycled schedule next to the rate, and names no momentum when it was not cycled', () => {
    const warm: History = { epochs: [{ epoch: 0, loss: 1, acc: 0.5, lr: 1e-3, momentum: 0.87, seconds: 2 }] };
    const all: History = { epochs: [{ epoch: 0, loss: 0.5, acc: 0.8, val_loss: 0.6, val_acc: 0.75, lr: 5e-4, momentum: 0.95, seconds: 3 }] };
    const records = epochRecords([warm, all], ['head', 'fine-tune']);
    expect(records).toEqual([
      { epoch: 0, phase: 'head', phaseEpoch: 0, loss: 1, acc: 0.5, lr: 1e-3, momentum: 0.87, seconds: 2 },
      { epoch: 1, phase: 'fine-tune', phaseEpoch: 0, loss: 0.5, acc: 0.8, val_loss: 0.6, val_acc: 0.75, lr: 5e-4, momentum: 0.95, seconds: 3 },
    ]);
    expect(Object.keys(records[1]!)).toEqual(['epoch', 'phase', 'phaseEpoch', 'loss', 'acc', 'val_loss', 'val_acc', 'lr', 'momentum', 'seconds']);
    const constant = epochRecords([{ epochs: [{ epoch: 0, loss: 1, acc: 0.5, lr: 1e-3, seconds: 2 }] }]);
    expect(constant).toEqual([{ epoch: 0, loss: 1, acc: 0.5, lr: 1e-3, seconds: 2 }]);
    expect(constant[0]).not.toHaveProperty('momentum');
  });
});

describe('default schedules', () => {
  it("are constant, but fine-tune's, which is one-cycle (FINE_TUNE_SCHEDULE, what the CLI takes as its default)", () => {
    const defaults = Object.fromEntries(STRATEGY_NAMES.map((n) => [n, getStrategy(n).defaultSchedule]));
    expect(defaults).toEqual({ 'feature-extract': { type: 'constant' }, 'fine-tune-top': { type: 'constant' }, 'fine-tune-all': { type: 'constant' }, 'fine-tune': { type: 'one-cycle' } });
    expect(getStrategy('fine-tune').defaultSchedule).toBe(FINE_TUNE_SCHEDULE);
  });
});
