import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { decimalNumber, floatOption, fractionOption, intOption, MAX_SEED } from '../../src/cli/parse.js';
import { MAX_SEED as TEXT_MAX_SEED } from '../../text/classify/options.js';
import { cli } from '../helpers/cli.js';

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

describe('numbers are decimal', () => {
  it("refuses hexadecimal, binary, octal and empty values, which Number() reads ('0x10' was 16, '' was 0)", () => {
    const weight = floatOption('--encoder-weight', 0, 100, { exclusiveMin: true });
    const c = floatOption('--c', 0, Infinity, { exclusiveMin: true });
    const similarity = floatOption('--min-similarity', 0, 1);
    const epochs = intOption('--epochs');
    const recall = fractionOption('--recall');
    for (const bad of ['0x10', '0X1', '0b1', '0o7', '1_000', '', '  ', '0x0']) {
      expect(() => weight(bad), bad).toThrow(`--encoder-weight must be a number in (0, 100], got '${bad}'`);
      expect(() => c(bad), bad).toThrow(`--c must be a number > 0, got '${bad}'`);
      expect(() => similarity(bad), bad).toThrow(`--min-similarity must be a number in [0, 1], got '${bad}'`);
      expect(() => epochs(bad), bad).toThrow(`--epochs must be an integer ≥ 1, got '${bad}'`);
      expect(() => recall(bad), bad).toThrow(`--recall must be a fraction in (0, 1], e.g. 0.95; got '${bad}'`);
    }
    expect(decimalNumber('0x10')).toBeNaN();
    // Decimal forms are read as before, spaces around them ignored.
    for (const [text, value] of [['2', 2], ['+2', 2], ['0.5', 0.5], ['.5', 0.5], ['5.', 5], ['1e1', 10], ['1E-1', 0.1], [' 3 ', 3]] as const) {
      expect(weight(text), text).toBe(value);
      expect(decimalNumber(text)).toBe(value);
    }
    expect(epochs('1e2')).toBe(100);
    expect(similarity('0')).toBe(0);
    expect(recall('0.95')).toBe(0.95);
  });

  it('the CLI refuses --encoder-weight 0x10 and --c 0x10 before reading anything', async () => {
    for (const flags of [['--model', 'smoothed', '--encoder', 'use-lite', '--encoder-weight', '0x10'], ['--model', 'bow', '--c', '0x10']]) {
      const r = await cli('text', 'train', '--train', 'nope.csv', '--out', 'never', ...flags);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${flags[flags.length - 2]} must be a number .*, got '0x10'`));
    }
  });
});

describe('--seed', () => {
  it('is bounded as the libraries bound seeds, so a too-large seed is refused up front naming the flag (it failed after the run started)', async () => {
    expect(MAX_SEED).toBe(TEXT_MAX_SEED);
    const seed = intOption('--seed', 0, MAX_SEED);
    expect(seed('4294967295')).toBe(4294967295);
    expect(() => seed('4294967296')).toThrow("--seed must be an integer in [0, 4294967295], got '4294967296'");
    for (const command of [['text', 'train', '--train', 'nope.csv', '--out', 'm'], ['vision', 'train', '--data', 'nope', '--out', 'm'], ['index', 'eval', 'nope']]) {
      const r = await cli(...command, '--seed', '4294967296');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--seed must be an integer in \[0, 4294967295\]/);
    }
  });
});
