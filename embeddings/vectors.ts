/** Small helpers to validate and convert input vectors. */
import { DimensionMismatchError, InvalidArgumentError } from '../src/errors.js';
import type { Metric } from './types.js';

export const METRICS: readonly Metric[] = ['cosine', 'l2', 'ip'];

export function checkMetric(metric: string): Metric {
  if (!(METRICS as readonly string[]).includes(metric)) {
    throw new InvalidArgumentError(`unknown metric '${metric}'`, { hint: `use one of ${METRICS.join(', ')}` });
  }
  return metric as Metric;
}

/** Throws DimensionMismatchError unless `vector` has `dim` finite numbers. */
export function checkVector(vector: ArrayLike<number>, dim: number, what = 'vector'): void {
  if (vector === null || typeof vector !== 'object' || typeof vector.length !== 'number') {
    throw new InvalidArgumentError(`${what} must be an array of numbers`);
  }
  if (vector.length !== dim) {
    throw new DimensionMismatchError(dim, vector.length, { what, hint: `this index holds ${dim}-dimensional vectors` });
  }
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(vector[i])) throw new InvalidArgumentError(`${what} has a non-finite value at position ${i}`);
  }
}

/** True when every value of `v[start..end)` is 0. */
export function isZeroVector(v: ArrayLike<number>, start = 0, end = v.length): boolean {
  for (let i = start; i < end; i++) if (v[i] !== 0) return false;
  return true;
}

/** The error for a zero query under cosine, where the similarity is undefined. */
export function zeroQueryError(what = 'query vector'): InvalidArgumentError {
  return new InvalidArgumentError(`${what} is all zeros: a zero vector has no direction; cosine similarity is undefined`, {
    hint: "query with a vector that has at least one non-zero value, or use an index built with metric 'l2' or 'ip'",
  });
}

/**
 * Refuse zero queries under cosine (they would return arbitrary items with score 0).
 * `flat` holds `count` rows of `dim`. Stored zero rows stay legal: only queries are checked.
 */
export function checkQueryDirections(metric: Metric, flat: ArrayLike<number>, count: number, dim: number, what = (i: number) => (count === 1 ? 'query vector' : `query ${i}`)): void {
  if (metric !== 'cosine') return;
  for (let i = 0; i < count; i++) if (isZeroVector(flat, i * dim, (i + 1) * dim)) throw zeroQueryError(what(i));
}

/** Queries as one flat row-major Float32Array (count × dim), validated. */
export function flattenQueries(vectors: Float32Array | ArrayLike<number>[], dim: number): { flat: Float32Array; count: number } {
  if (vectors instanceof Float32Array) {
    if (vectors.length % dim !== 0) {
      throw new DimensionMismatchError(dim, vectors.length % dim, {
        what: `flat query matrix of length ${vectors.length}: last row`,
        hint: `a flat query matrix must hold a whole number of ${dim}-dimensional rows`,
      });
    }
    const count = vectors.length / dim;
    for (let i = 0; i < vectors.length; i++) {
      if (!Number.isFinite(vectors[i])) throw new InvalidArgumentError(`query ${Math.floor(i / dim)} has a non-finite value`);
    }
    return { flat: vectors, count };
  }
  const flat = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => {
    checkVector(v, dim, `query ${i}`);
    for (let d = 0; d < dim; d++) flat[i * dim + d] = v[d]!;
  });
  return { flat, count: vectors.length };
}

/** Convert a score (larger is closer) to the matching distance (smaller is closer). */
export function scoreToDistance(metric: Metric, score: number): number {
  return metric === 'l2' ? -score : 1 - score;
}

export function distanceToScore(metric: Metric, distance: number): number {
  return metric === 'l2' ? -distance : 1 - distance;
}
