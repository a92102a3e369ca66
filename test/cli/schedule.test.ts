import { describe, expect, it } from 'vitest';
import { scheduleFromOptions } from '../../src/cli/schedule.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('scheduleFromOptions (--schedule, --cycle-momentum)', () => {
  it('neither flag: undefined, so the library default runs', () => {
    expect(scheduleFromOptions({}, 'constant')).toBeUndefined();
    expect(scheduleFromOptions({}, 'one-cycle')).toBeUndefined();
  });

  it('--schedule alone is the parsed schedule', () => {
    expect(scheduleFromOptions({ schedule: 'cosine:0.1' }, 'constant')).toEqual({ type: 'cosine', min: 0.1 });
    expect(scheduleFromOptions({ schedule: 'one-cycle' }, 'constant')).toEqual({ type: 'one-cycle' });
  });

  it('--cycle-momentum adds the momentum cycle to a one-cycle schedule: the default range (bare) or the one given', () => {
    expect(scheduleFromOptions({ schedule: 'one-cycle:0.3', cycleMomentum: true }, 'constant')).toEqual({ type: 'one-cycle', pctStart: 0.3, cycleMomentum: true });
    expect(scheduleFromOptions({ schedule: 'one-cycle', cycleMomentum: '0.9,0.8' }, 'constant')).toEqual({ type: 'one-cycle', cycleMomentum: { high: 0.9, low: 0.8 } });
  });

  it('--cycle-momentum alone applies to a command whose default schedule is one-cycle, and is refused where it is not', () => {
    expect(scheduleFromOptions({ cycleMomentum: true }, 'one-cycle')).toEqual({ type: 'one-cycle', cycleMomentum: true });
    expect(() => scheduleFromOptions({ cycleMomentum: true }, 'constant')).toThrow('--cycle-momentum cycles the momentum against a one-cycle learning rate, but the default schedule here is constant');
    expect(() => scheduleFromOptions({ schedule: 'step', cycleMomentum: '0.9,0.8' }, 'one-cycle')).toThrow('but --schedule step is not one-cycle');
  });

  it("words the library's refusals with the flag and its value", () => {
    const error = (o: Parameters<typeof scheduleFromOptions>[0]) => {
      try {
        scheduleFromOptions(o, 'constant');
      } catch (e) {
        return e as InvalidArgumentError;
      }
      throw new Error('not refused');
    };
    const unknown = error({ schedule: 'linear' });
    expect(unknown).toBeInstanceOf(InvalidArgumentError);
    expect(unknown.message).toBe("--schedule: unknown learning-rate schedule 'linear'");
    expect(unknown.hint).toMatch(/^use constant, step\[:every\[:gamma\]\], cosine/);
    expect(error({ schedule: 'step:0' }).message).toBe("--schedule step:0: 'every' must be a whole number of epochs ≥ 1, got 0");
    expect(error({ schedule: 'step:1:2:3' }).message).toBe('--schedule step:1:2:3 has 3 numbers; step takes at most 2 (every, gamma)');
    expect(error({ schedule: 'one-cycle', cycleMomentum: '0.99,1.5' }).message).toBe('--cycle-momentum 0.99,1.5: momentum cycle values must be in [0, 1), got high 0.99, low 1.5');
    expect(error({ schedule: 'one-cycle', cycleMomentum: 'high' }).message).toBe("--cycle-momentum: momentum cycle 'high' is not two numbers high,low");
  });
});
