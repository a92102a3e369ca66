import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { floatOption } from '../../src/cli/parse.js';

describe('floatOption', () => {
  it('keeps an inclusive range by default (the bound itself is accepted)', () => {
    const lr = floatOption('--lr', 0);
    expect(lr('0')).toBe(0);
    expect(lr('0.5')).toBe(0.5);
    expect(() => lr('-1')).toThrow("--lr must be a number in [0, Infinity], got '-1'");
    const split = floatOption('--validation-split', 0, 0.9);
    expect(split('0.9')).toBe(0.9);
    expect(() => split('0.95')).toThrow("--validation-split must be a number in [0, 0.9], got '0.95'");
  });

  it('with exclusiveMin refuses the lower bound and says so in the first message', () => {
    const lr = floatOption('--lr', 0, Infinity, { exclusiveMin: true });
    expect(lr('0.001')).toBe(0.001);
    for (const bad of ['0', '-0', '-1', '1e-400', 'abc', 'Infinity']) {
      expect(() => lr(bad)).toThrow(InvalidArgumentError);
      expect(() => lr(bad)).toThrow(`--lr must be a number > 0, got '${bad}'`);
    }
    const bounded = floatOption('--x', 0, 1, { exclusiveMin: true });
    expect(bounded('1')).toBe(1);
    expect(() => bounded('0')).toThrow("--x must be a number in (0, 1], got '0'");
  });
});
