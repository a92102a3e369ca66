import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { lrMultiplier, parseMomentumCycle, parseSchedule, SCHEDULE_FORMS } from '../../src/training/schedules.js';

describe('parseSchedule', () => {
  it('reads each form, its numbers in the documented order; an empty number keeps its default', () => {
    expect(parseSchedule('constant')).toEqual({ type: 'constant' });
    expect(parseSchedule('step')).toEqual({ type: 'step' });
    expect(parseSchedule('step:5:0.5')).toEqual({ type: 'step', every: 5, gamma: 0.5 });
    expect(parseSchedule('step::0.5')).toEqual({ type: 'step', gamma: 0.5 });
    expect(parseSchedule('cosine:0.01:0.1')).toEqual({ type: 'cosine', min: 0.01, warmup: 0.1 });
    expect(parseSchedule('one-cycle')).toEqual({ type: 'one-cycle' });
    expect(parseSchedule('one-cycle:0.3:10:1e5')).toEqual({ type: 'one-cycle', pctStart: 0.3, divFactor: 10, finalDivFactor: 1e5 });
  });

  it("accepts fastai's and PyTorch's names for one-cycle, any case, with spaces around", () => {
    for (const name of ['onecycle', 'one_cycle', '1cycle', 'One-Cycle', ' one-cycle ']) expect(parseSchedule(name)).toEqual({ type: 'one-cycle' });
  });

  it('an unknown name lists every form', () => {
    const err = (() => {
      try {
        parseSchedule('exponential');
      } catch (e) {
        return e as InvalidArgumentError;
      }
    })();
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err!.message).toBe("unknown learning-rate schedule 'exponential'");
    expect(err!.hint).toBe(`use ${Object.values(SCHEDULE_FORMS).join(', ')}`);
    expect(err!.hint).toContain('one-cycle[:pctStart[:divFactor[:finalDivFactor]]]');
    // Not a prefix match, nor an inherited object key.
    expect(() => parseSchedule('constructor')).toThrow(/unknown learning-rate schedule 'constructor'/);
    expect(() => parseSchedule('')).toThrow(/unknown learning-rate schedule ''/);
  });

  it('refuses numbers the type does not take, and parts that are not numbers, naming the field', () => {
    expect(() => parseSchedule('constant:1')).toThrow("learning-rate schedule 'constant:1' has 1 number; constant takes no numbers");
    expect(() => parseSchedule('one-cycle:0.3:25:1e4:9')).toThrow('has 4 numbers; one-cycle takes at most 3 (pctStart, divFactor, finalDivFactor)');
    expect(() => parseSchedule('step:x')).toThrow("learning-rate schedule 'step:x': 'every' must be a number, got 'x'");
    expect(() => parseSchedule('cosine:0:Infinity')).toThrow("'warmup' must be a number, got 'Infinity'");
  });

  it('numbers are decimal: hex, binary and octal literals (which Number() reads) are refused', () => {
    for (const part of ['0x10', '0X10', '0b11', '0o17', '1_000', '--1', '1e', '.']) {
      expect(() => parseSchedule(`step:${part}`), part).toThrow(`'every' must be a number, got '${part}'`);
    }
    expect(() => parseSchedule('step:10:0x1')).toThrow(InvalidArgumentError);
    expect(() => parseSchedule('step:10:0x1')).toThrow("'gamma' must be a number, got '0x1'");
    expect(parseSchedule('step:+10:.5')).toEqual({ type: 'step', every: 10, gamma: 0.5 });
    expect(parseSchedule('cosine:1e-3:5E-2')).toEqual({ type: 'cosine', min: 1e-3, warmup: 5e-2 });
    expect(() => parseMomentumCycle('0x1,0')).toThrow(/is not two numbers high,low/);
  });

  it('spaces around each part are allowed, as around the whole text', () => {
    expect(parseSchedule(' step : 3 ')).toEqual({ type: 'step', every: 3 });
    expect(parseSchedule('one-cycle : 0.3 :  : 1e4')).toEqual({ type: 'one-cycle', pctStart: 0.3, finalDivFactor: 1e4 });
    expect(parseSchedule('cosine: ')).toEqual({ type: 'cosine' });
  });

  it('checks the ranges as validateSchedule does, with a hint giving the defaults', () => {
    expect(() => parseSchedule('cosine:0:1')).toThrow("'warmup' must be in [0, 1), got 1");
    expect(() => parseSchedule('one-cycle::0')).toThrow("'divFactor' must be > 0, got 0");
    try {
      parseSchedule('step:2.5');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidArgumentError).hint).toBe('leave the value out for its default (step: every 10, gamma 0.1)');
    }
  });

  it('what it parses drives the rate: one-cycle:0.5 peaks half-way', () => {
    const s = parseSchedule('one-cycle:0.5');
    const at = (step: number) => lrMultiplier(s, { step, totalSteps: 11, epoch: 0 });
    expect(at(5)).toBeCloseTo(1, 10);
    expect(at(0)).toBeCloseTo(1 / 25, 10);
    expect(at(2)).toBeLessThan(at(4));
  });
});

describe('parseMomentumCycle', () => {
  it('reads high,low', () => {
    expect(parseMomentumCycle('0.95,0.85')).toEqual({ high: 0.95, low: 0.85 });
    expect(parseMomentumCycle('0.9, 0.9')).toEqual({ high: 0.9, low: 0.9 });
  });

  it('refuses anything but two numbers in [0, 1) with low ≤ high', () => {
    for (const bad of ['0.9', '0.9,', ',0.8', '0.9,0.8,0.9', 'a,b']) expect(() => parseMomentumCycle(bad), bad).toThrow(`momentum cycle '${bad}' is not two numbers high,low`);
    expect(() => parseMomentumCycle('0.8,0.9')).toThrow("'low' (0.9) must not exceed 'high' (0.8)");
    expect(() => parseMomentumCycle('1,0.5')).toThrow('momentum cycle values must be in [0, 1), got high 1, low 0.5');
    try {
      parseMomentumCycle('0.8,0.9');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidArgumentError).hint).toMatch(/default high 0\.95, low 0\.85/);
    }
  });
});
