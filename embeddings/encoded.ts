/**
 * Index the outputs of any `Encoder` (image backbones, document encoders, …):
 * inputs are encoded in batches and added under their keys; queries are encoded
 * the same way. The index only ever sees vectors.
 */
import type { Encoder } from '../src/encoder.js';
import { DimensionMismatchError, InvalidArgumentError } from '../src/errors.js';
import { silentProgress, type Progress } from '../src/progress.js';
import type { JsonValue, QueryOptions, SearchHit, VectorIndex } from './types.js';

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

/** Encode `inputs` in batches and add them to `index` under `keys`. */
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
  const progress = options.progress ?? silentProgress;
  const dim = index.dim;
  progress.start(`encoding with ${encoder.name}`, inputs.length);
  try {
    for (let start = 0; start < inputs.length; start += batchSize) {
      const batch = inputs.slice(start, start + batchSize);
      const out = await encoder.encode(batch);
      if (out.length !== batch.length * dim) {
        throw new DimensionMismatchError(batch.length * dim, out.length, { what: `encoder '${encoder.name}' batch output` });
      }
      for (let i = 0; i < batch.length; i++) {
        const key = keys[start + i]!;
        const vector = out.subarray(i * dim, (i + 1) * dim);
        const metadata = options.metadata?.[start + i];
        if (options.upsert && index.has(key)) index.update(key, vector, metadata);
        else index.add(key, vector, metadata);
      }
      progress.update(Math.min(inputs.length, start + batchSize));
    }
  } finally {
    progress.stop();
  }
}

/** Encode one input and return its nearest neighbours in `index`. */
export async function queryEncoded<Input>(index: VectorIndex, encoder: Encoder<Input>, input: Input, options: QueryOptions = {}): Promise<SearchHit[]> {
  checkDims(index, encoder as Encoder<unknown>);
  const v = await encoder.encode([input]);
  return index.query(v, options);
}
