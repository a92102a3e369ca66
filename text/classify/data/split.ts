/** Seeded stratified splits of a text dataset (each label keeps its proportion). */
import { stratifiedSplit } from '../../../src/metrics/split.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { checkExamples } from './labels.js';
import type { TextExample } from './types.js';

export interface TextSplitOptions {
  /** Fraction held out for validation. Default 0.2. */
  validation?: number;
  /** Fraction held out for test. Default 0. */
  test?: number;
  /** Default 0. */
  seed?: number;
}

export interface TextSplit {
  train: TextExample[];
  validation: TextExample[];
  test: TextExample[];
}

export function splitExamples(examples: readonly TextExample[], options: TextSplitOptions = {}): TextSplit {
  // Labels as the classifier reads them (1 and '1' are one label); the parts hold the examples as given.
  const checked = checkExamples(examples, 'examples');
  const names = [...new Set(checked.map((e) => e.label))].sort();
  const index = new Map(names.map((l, i) => [l, i]));
  const y = Int32Array.from(checked, (e) => index.get(e.label)!);
  const s = stratifiedSplit(y, { validation: options.validation ?? 0.2, test: options.test ?? 0, seed: options.seed ?? 0 });
  const pick = (idx: Int32Array) => Array.from(idx, (i) => examples[i]);
  return { train: pick(s.train), validation: pick(s.validation), test: pick(s.test) };
}

/**
 * A stratified sample of about `n` examples (seeded); all of them when n ≥ length. Each label keeps
 * its share, rounded, and at least one example — so with rare labels (or n below the number of
 * labels) the sample can hold a few more than n.
 */
export function stratifiedSample(examples: readonly TextExample[], n: number, seed = 0): TextExample[] {
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`a sample needs a whole number n ≥ 1 of examples, got ${n}`);
  if (n >= examples.length) return [...examples];
  return splitExamples(examples, { validation: 1 - n / examples.length, seed }).train;
}
