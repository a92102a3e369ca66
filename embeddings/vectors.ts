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

/** Largest finite float32 (values are stored as float32: anything larger in magnitude becomes ±Infinity). */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Why `x` cannot be stored as a float32 value, or undefined when it can: not a number, NaN, ±Infinity,
 * or a finite double beyond float32's range (e.g. 1e39), which float32 would turn into ±Infinity.
 */
export function float32Problem(x: unknown): string | undefined {
  if (typeof x !== 'number') return `is not a number (got ${typeof x === 'string' ? JSON.stringify(x.slice(0, 30)) : x === null ? 'null' : typeof x})`;
  if (Number.isNaN(x)) return 'is NaN';
  if (!Number.isFinite(x)) return `is ${x > 0 ? 'Infinity' : '-Infinity'}`;
  if (!Number.isFinite(Math.fround(x))) return `is ${x} (out of float32 range: at most ±${FLOAT32_MAX.toPrecision(3)})`;
  return undefined;
}

/** The error for a value that is not storable as float32 (see float32Problem). */
function valueError(what: string, position: number, problem: string): InvalidArgumentError {
  return new InvalidArgumentError(`${what}: the value at position ${position} ${problem}`, {
    hint: `vectors are stored as float32: every value must be a finite number of magnitude at most ${FLOAT32_MAX.toPrecision(3)}`,
  });
}

/**
 * Throws DimensionMismatchError unless `vector` has `dim` values, and InvalidArgumentError
 * (naming the position) unless each is finite as a float32 (NaN, ±Infinity and values beyond
 * ±3.4e38 are refused: they would be stored as NaN or ±Infinity and break every distance).
 */
export function checkVector(vector: ArrayLike<number>, dim: number, what = 'vector'): void {
  if (vector === null || typeof vector !== 'object' || typeof vector.length !== 'number') {
    throw new InvalidArgumentError(`${what} must be an array of numbers`);
  }
  if (vector.length !== dim) {
    throw new DimensionMismatchError(dim, vector.length, { what, hint: `this index holds ${dim}-dimensional vectors` });
  }
  for (let i = 0; i < dim; i++) {
    const x = vector[i];
    // Fast path: a finite float32 (the common case) needs no message.
    if (typeof x === 'number' && Number.isFinite(Math.fround(x))) continue;
    throw valueError(what, i, float32Problem(x) ?? 'is not a finite float32');
  }
}

/** Throws unless every value of the row-major `matrix` (rows × dim) is a finite float32; names the row and position. */
export function checkMatrix(matrix: ArrayLike<number>, dim: number, rowName: (row: number) => string = (r) => `row ${r}`): void {
  if (matrix instanceof Float32Array) {
    const i = firstNonFinite(matrix);
    if (i >= 0) throw valueError(rowName(Math.floor(i / dim)), i % dim, float32Problem(matrix[i]) ?? 'is not a finite float32');
    return;
  }
  for (let i = 0; i < matrix.length; i++) {
    const x = matrix[i]!;
    if (Number.isFinite(Math.fround(x))) continue;
    throw valueError(rowName(Math.floor(i / dim)), i % dim, float32Problem(x) ?? 'is not a finite float32');
  }
}

/**
 * Position of the first NaN or ±Infinity in a float32 matrix, or -1 (its values are float32 already, so
 * nothing else can be out of range). One monomorphic loop: 34 million values in a few tens of ms.
 */
export function firstNonFinite(m: Float32Array): number {
  for (let i = 0; i < m.length; i++) {
    const x = m[i]!;
    if (x - x !== 0) return i;
  }
  return -1;
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
    checkMatrix(vectors, dim, (r) => `query ${r}`);
    return { flat: vectors, count };
  }
  const flat = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => {
    checkVector(v, dim, `query ${i}`);
    for (let d = 0; d < dim; d++) flat[i * dim + d] = v[d]!;
  });
  return { flat, count: vectors.length };
}

/**
 * The keys of `QueryOptions.exclude`, checked: an array or Set of strings. A string is refused — as an
 * iterable it would exclude its characters ('ab' → 'a' and 'b') — and so is anything else.
 */
export function excludedKeys(exclude: unknown): Iterable<string> {
  if (exclude === undefined) return [];
  if (typeof exclude === 'string') {
    throw new InvalidArgumentError(`exclude must be an array or a Set of keys, got the string ${JSON.stringify(exclude.length > 40 ? exclude.slice(0, 40) + '…' : exclude)}`, {
      hint: `write exclude: [${JSON.stringify(exclude.length > 40 ? exclude.slice(0, 40) + '…' : exclude)}] to leave out that key`,
    });
  }
  if (!Array.isArray(exclude) && !(exclude instanceof Set)) {
    throw new InvalidArgumentError(`exclude must be an array or a Set of keys, got ${exclude === null ? 'null' : typeof exclude === 'object' ? `a${/^[AEIOU]/.test(exclude.constructor?.name ?? '') ? 'n' : ''} ${exclude.constructor?.name ?? 'object'}` : typeof exclude}`);
  }
  for (const key of exclude as Iterable<unknown>) {
    if (typeof key !== 'string') throw new InvalidArgumentError(`exclude must hold keys (strings), got ${key === null ? 'null' : typeof key}`);
  }
  return exclude as Iterable<string>;
}

/** Convert a score (larger is closer) to the matching distance (smaller is closer). */
export function scoreToDistance(metric: Metric, score: number): number {
  return metric === 'l2' ? -score : 1 - score;
}

export function distanceToScore(metric: Metric, distance: number): number {
  return metric === 'l2' ? -distance : 1 - distance;
}
