import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { stratifiedSplit } from '../../src/metrics/split.js';
import { splitExamples } from '../../text/classify/index.js';

describe('stratifiedSplit: fractions and seed are checked', () => {
  const labels = [0, 0, 0, 1, 1, 1];

  it('refuses a NaN, negative or non-numeric fraction (NaN used to give an empty validation part)', () => {
    for (const validation of [NaN, -0.1, 1, '0.2' as unknown as number]) {
      expect(() => stratifiedSplit(labels, { validation })).toThrow(InvalidArgumentError);
    }
    expect(() => stratifiedSplit(labels, { validation: NaN })).toThrow(/split fractions must be numbers ≥ 0 that sum to < 1 \(validation NaN, test 0\)/);
    expect(() => stratifiedSplit(labels, { test: NaN })).toThrow(/test NaN/);
    expect(() => stratifiedSplit(labels, { validation: 0.5, test: 0.5 })).toThrow(InvalidArgumentError);
  });

  it('refuses a seed that is not a whole number (NaN seeded as 0)', () => {
    expect(() => stratifiedSplit(labels, { seed: NaN })).toThrow(/seed must be a whole number, got NaN/);
    expect(() => stratifiedSplit(labels, { seed: 1.5 })).toThrow(InvalidArgumentError);
    expect(stratifiedSplit(labels, { seed: 3 }).validation).toHaveLength(2);
  });

  it('splitExamples passes the check on (and undefined keeps the default 0.2)', () => {
    const ex = labels.map((l, i) => ({ text: `t${i}`, label: String(l) }));
    expect(() => splitExamples(ex, { validation: NaN })).toThrow(InvalidArgumentError);
    expect(splitExamples(ex, { validation: undefined }).validation).toHaveLength(2);
  });
});
