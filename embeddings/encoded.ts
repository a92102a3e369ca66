/**
 * Index the outputs of any `Encoder` (image backbones, document encoders, …):
 * inputs are encoded in batches and added under their keys; queries are encoded
 * the same way. The index only ever sees vectors.
 */
import type { Encoder } from '../src/encoder.js';
import { DimensionMismatchError, InvalidArgumentError } from '../src/errors.js';
import { silentProgress, type Progress } from '../src/progress.js';
import { ownMetadata } from './metadata.js';
import type { JsonValue, QueryOptions, SearchHit, VectorIndex } from './types.js';
import { checkVector } from './vectors.js';

export interface AddEncodedOptions {
  /** Inputs per `encode` call. Default 32. */
  batchSize?: number;
  /** Optional metadata per input. */
  metadata?: readonly (JsonValue | undefined)[];
  /** Replace existing keys instead of failing. Default false. */
  upsert?: boolean;
  progress?: Progress;
}

function checkDims(index: VectorIndex, encoder: Encoder<unknown>): void {
  if (index.dim !== encoder.dim) {
    throw new DimensionMismatchError(index.dim, encoder.dim, {
      what: `encoder '${encoder.name}' output`,
      hint: 'build the index with dim equal to the encoder output size',
    });
  }
}

/** Refuse keys that are not strings, twice in the input, or (without upsert) already in the index. */
function checkKeys(index: VectorIndex, keys: readonly string[], upsert: boolean): void {
  const first = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (typeof key !== 'string') throw new InvalidArgumentError(`keys must be strings, got ${typeof key} at position ${i}; nothing was added`);
    const earlier = first.get(key);
    if (earlier !== undefined) {
      throw new InvalidArgumentError(`key '${key}' appears twice in the input (items ${earlier} and ${i}); nothing was added`, { hint: 'keys must be unique' });
    }
    first.set(key, i);
    if (!upsert && index.has(key)) {
      throw new InvalidArgumentError(`key '${key}' (item ${i}) is already in the index; nothing was added`, {
        hint: 'pass upsert: true to replace its vector, or leave it out of the input',
      });
    }
  }
}

/**
 * Encode `inputs` in batches and add them to `index` under `keys`. All or nothing: keys (strings,
 * distinct, new unless `upsert`) and metadata (JSON) are checked before anything is encoded, and the
 * vectors are added only once every batch is encoded and checked — an encoder that fails halfway,
 * or a vector that is not finite, leaves the index as it was. The encoded vectors are held until
 * then (inputs × dim × 4 bytes).
 */
export async function addEncoded<Input>(
  index: VectorIndex,
  encoder: Encoder<Input>,
  keys: readonly string[],
  inputs: readonly Input[],
  options: AddEncodedOptions = {},
): Promise<void> {
  checkDims(index, encoder as Encoder<unknown>);
  if (keys.length !== inputs.length) throw new InvalidArgumentError(`${keys.length} keys for ${inputs.length} inputs`);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
  const upsert = options.upsert === true;
  const metadata = options.metadata;
  if (metadata !== undefined && metadata.length !== keys.length) {
    throw new InvalidArgumentError(`metadata has ${metadata.length} entries for ${keys.length} keys`);
  }
  checkKeys(index, keys, upsert);
  metadata?.forEach((m, i) => m !== undefined && ownMetadata(m, `the metadata of '${keys[i]}' (item ${i})`));
  const progress = options.progress ?? silentProgress;
  const dim = index.dim;
  const vectors = new Float32Array(inputs.length * dim);
  progress.start(`encoding with ${encoder.name}`, inputs.length);
  try {
    for (let start = 0; start < inputs.length; start += batchSize) {
      const batch = inputs.slice(start, start + batchSize);
      const out = await encoder.encode(batch);
      if (out.length !== batch.length * dim) {
        throw new DimensionMismatchError(batch.length * dim, out.length, { what: `encoder '${encoder.name}' batch output`, hint: 'nothing was added' });
      }
      vectors.set(out, start * dim);
      progress.update(Math.min(inputs.length, start + batchSize));
    }
  } finally {
    progress.stop();
  }
  // The index may have changed while the batches were encoded.
  checkKeys(index, keys, upsert);
  const rowOf = (i: number) => vectors.subarray(i * dim, (i + 1) * dim);
  const fresh: number[] = [];
  const existing: number[] = [];
  keys.forEach((key, i) => (upsert && index.has(key) ? existing : fresh).push(i));
  // Checked before the first change: the new items' batch checks itself (all or nothing), the replaced ones here.
  for (const i of existing) checkVector(rowOf(i), dim, `the encoded vector of '${keys[i]}' (item ${i})`);
  if (fresh.length === keys.length) {
    index.addBatch(keys, vectors, { metadata });
  } else if (fresh.length > 0) {
    const freshVectors = new Float32Array(fresh.length * dim);
    fresh.forEach((i, j) => freshVectors.set(rowOf(i), j * dim));
    index.addBatch(fresh.map((i) => keys[i]!), freshVectors, { metadata: metadata && fresh.map((i) => metadata[i]) });
  }
  for (const i of existing) index.update(keys[i]!, rowOf(i), metadata?.[i]);
}

/** Encode one input and return its nearest neighbours in `index`. */
export async function queryEncoded<Input>(index: VectorIndex, encoder: Encoder<Input>, input: Input, options: QueryOptions = {}): Promise<SearchHit[]> {
  checkDims(index, encoder as Encoder<unknown>);
  const v = await encoder.encode([input]);
  return index.query(v, options);
}
