/** Seeded stratified splitting: every class keeps its proportion in every part. */
import { DataError, InvalidArgumentError } from '../errors.js';
import { Rng } from '../random.js';

export interface SplitOptions {
  /** Fraction for validation. Default 0.2. */
  validation?: number;
  /** Fraction for test. Default 0. */
  test?: number;
  /** Default 0. */
  seed?: number;
}

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Split example indices by label. Each class contributes round(fraction × count)
 * examples to validation and test (at least one when the class has ≥ 2 examples
 * and the fraction is > 0), the rest to train. Indices within a part are sorted.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: SplitOptions = {}): Split {
  const fv = options.validation ?? 0.2;
  const ft = options.test ?? 0;
  // Written so that NaN (and anything not a number) fails: NaN < 0 is false too.
  if (typeof fv !== 'number' || typeof ft !== 'number' || !(fv >= 0 && ft >= 0 && fv + ft < 1)) {
    throw new InvalidArgumentError(`split fractions must be numbers ≥ 0 that sum to < 1 (validation ${String(fv)}, test ${String(ft)})`, {
      hint: 'e.g. validation: 0.2 holds out a fifth of each class',
    });
  }
  if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isInteger(options.seed))) {
    throw new InvalidArgumentError(`the split seed must be a whole number, got ${String(options.seed)}`);
  }
  if (labels.length === 0) throw new DataError('cannot split an empty dataset');
  const rng = new Rng(options.seed ?? 0);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const key of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = rng.shuffle(byClass.get(key)!);
    const n = idx.length;
    const take = (f: number) => (f === 0 || n < 2 ? 0 : Math.max(1, Math.round(f * n)));
    let nt = take(ft);
    let nv = take(fv);
    while (nt + nv >= n && (nt > 0 || nv > 0)) {
      if (nt >= nv && nt > 0) nt--;
      else nv--;
    }
    test.push(...idx.slice(0, nt));
    validation.push(...idx.slice(nt, nt + nv));
    train.push(...idx.slice(nt + nv));
  }
  const sorted = (a: number[]) => Int32Array.from(a.sort((x, y) => x - y));
  return { train: sorted(train), validation: sorted(validation), test: sorted(test) };
}

/** Balanced class weights, as scikit-learn's "balanced": n / (numClasses × count_c). */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts.map((c) => (c === 0 ? 0 : labels.length / (numClasses * c)));
}
