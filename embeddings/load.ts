/** `loadIndex(dir)`: open any saved index, whichever kind it is. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DimensionMismatchError, InvalidArgumentError } from '../src/errors.js';
import { ExactIndex } from './exact.js';
import { HnswIndex } from './hnsw.js';
import { MANIFEST_FILE, readIndexDir, type ReadOptions } from './persist.js';
import type { Metric } from './types.js';

export interface LoadOptions extends ReadOptions {
  /** Fail unless the index has this dimension (e.g. the encoder or vectors it will serve). */
  dim?: number;
  /** Fail unless the index uses this metric. */
  metric?: Metric;
}

/** Load an index saved with `save(dir)`; typed errors name the bad file or the expected dimension. */
export async function loadIndex(dir: string, options: LoadOptions = {}): Promise<ExactIndex | HnswIndex> {
  const parts = await readIndexDir(dir, options);
  const { manifest, table, payloadPath } = parts;
  const manifestPath = join(dir, MANIFEST_FILE);
  if (options.dim !== undefined && manifest.dim !== options.dim) {
    throw new DimensionMismatchError(options.dim, manifest.dim, {
      what: `index ${dir}`,
      file: manifestPath,
      hint: 'the index was built from vectors of another size; rebuild it from the vectors you use now',
    });
  }
  if (options.metric !== undefined && manifest.metric !== options.metric) {
    // The index is fine; it is the wrong one for this use: an argument error, not a file error.
    throw new InvalidArgumentError(`the index at ${dir} uses metric '${manifest.metric}', expected '${options.metric}'`, {
      file: manifestPath,
      hint: `give an index built with --metric ${options.metric}, or rebuild it with --metric ${options.metric}`,
    });
  }
  const index =
    manifest.kind === 'exact'
      ? ExactIndex.fromParts({ dim: manifest.dim, metric: manifest.metric, table, data: await readFile(payloadPath), unitRows: manifest.params.unitRows === true })
      : await HnswIndex.fromSaved(parts);
  if (manifest.recipe !== undefined) index.recipe = manifest.recipe;
  return index;
}
