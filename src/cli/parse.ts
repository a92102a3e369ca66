/** Option parsers shared by CLI commands: they throw commander errors with clear text. */
import { InvalidArgumentError } from 'commander';

import { decimalNumber } from '../options.js';
import { MAX_SEED } from '../random.js';
export { decimalNumber, MAX_SEED };

/** A whole number in [min, max], written in decimal. */
export function intOption(name: string, min = 1, max = Infinity) {
  return (value: string): number => {
    const n = decimalNumber(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer ${max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`}, got '${value}'`);
    }
    return n;
  };
}

/**
 * A finite number in [min, max], written in decimal; with `exclusiveMin` the lower bound itself is refused, for values
 * that must be strictly positive (a learning rate, scikit-learn's C): the message then says "> 0",
 * not "in [0, …]" followed by another check's refusal of 0.
 */
export function floatOption(name: string, min = -Infinity, max = Infinity, options: { exclusiveMin?: boolean } = {}) {
  const exclusive = options.exclusiveMin === true;
  const range = exclusive ? (max === Infinity ? `> ${min}` : `in (${min}, ${max}]`) : `in [${min}, ${max}]`;
  return (value: string): number => {
    const n = decimalNumber(value);
    if (!Number.isFinite(n) || n < min || (exclusive && n === min) || n > max) {
      throw new InvalidArgumentError(`${name} must be a number ${range}, got '${value}'`);
    }
    return n;
  };
}

/** A recall or other fraction in (0, 1], written in decimal: 0 itself is meaningless as a target. */
export function fractionOption(name: string, what = 'a fraction') {
  return (value: string): number => {
    const n = decimalNumber(value);
    if (!Number.isFinite(n) || n <= 0 || n > 1) {
      throw new InvalidArgumentError(`${name} must be ${what} in (0, 1], e.g. 0.95; got '${value}'`);
    }
    return n;
  };
}

export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got '${value}'`);
    }
    return value as T;
  };
}
