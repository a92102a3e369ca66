/** Checks shared by the indexes' addBatch: a batch is validated whole before anything is added. */
import { InvalidArgumentError } from '../src/errors.js';
import { ownMetadata } from './metadata.js';
import type { JsonValue } from './types.js';
import { checkVector } from './vectors.js';

/**
 * The rows of a batch given as a flat row-major matrix (keys.length × dim) or an array of vectors,
 * as an accessor, after checking their count against the keys.
 */
export function batchRows(keys: readonly string[], vectors: Float32Array | Float64Array | ArrayLike<number>[], dim: number): (i: number) => ArrayLike<number> {
  // A Float64Array is a flat matrix too (it was read as a list of one-number "vectors": "8 vectors for 1 keys").
  if (vectors instanceof Float32Array || vectors instanceof Float64Array) {
    if (vectors.length !== keys.length * dim) throw new InvalidArgumentError(`matrix has ${vectors.length} values, need ${keys.length} × ${dim}`);
    return (i) => vectors.subarray(i * dim, (i + 1) * dim);
  }
  if (vectors.length !== keys.length) throw new InvalidArgumentError(`${vectors.length} vectors for ${keys.length} keys`);
  return (i) => vectors[i]!;
}

/**
 * Validate a whole batch before anything is added: sizes, values, keys (new, and once each) and
 * metadata (JSON). Returns the metadata as the index stores it (`ownMetadata` copies), or undefined.
 */
export function checkBatch(
  keys: readonly string[],
  rowOf: (i: number) => ArrayLike<number>,
  dim: number,
  present: (key: string) => boolean,
  metadata: readonly unknown[] | undefined,
): (JsonValue | undefined)[] | undefined {
  if (metadata !== undefined && metadata.length !== keys.length) {
    throw new InvalidArgumentError(`metadata has ${metadata.length} entries for ${keys.length} keys`);
  }
  const seen = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (typeof key !== 'string') throw new InvalidArgumentError(`keys must be strings, got ${typeof key} at position ${i}`);
    if (present(key)) throw new InvalidArgumentError(`key '${key}' (batch item ${i}) is already in the index; nothing was added`, { hint: 'use update() to replace its vector, or leave it out of the batch' });
    if (seen.has(key)) throw new InvalidArgumentError(`key '${key}' appears twice in the batch (item ${i}); nothing was added`, { hint: 'keys must be unique' });
    seen.add(key);
    checkVector(rowOf(i), dim, `the vector of '${key}' (batch item ${i})`);
  }
  if (metadata === undefined) return undefined;
  return keys.map((key, i) => {
    const m = metadata[i];
    return m === undefined ? undefined : ownMetadata(m, `the metadata of '${key}' (batch item ${i})`);
  });
}
