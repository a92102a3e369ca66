/** `loadIndex(dir)`: open any saved index, whichever kind it is. */
import { readFile } from 'node:fs/promises';
import { ExactIndex } from './exact.js';
import { HnswIndex } from './hnsw.js';
import { readIndexDir, type ReadOptions } from './persist.js';

export type LoadOptions = ReadOptions;

/** Load an index saved with `save(dir)`; typed errors name the bad file. */
export async function loadIndex(dir: string, options: LoadOptions = {}): Promise<ExactIndex | HnswIndex> {
  const parts = await readIndexDir(dir, options);
  const { manifest, table, payloadPath } = parts;
  if (manifest.kind === 'exact') {
    const buf = await readFile(payloadPath);
    // Copy into an aligned buffer we own.
    const matrix = new Float32Array(buf.byteLength / 4);
    new Uint8Array(matrix.buffer).set(buf);
    return ExactIndex.fromParts({
      dim: manifest.dim,
      metric: manifest.metric,
      table,
      matrix,
      unitRows: manifest.params.unitRows === true,
    });
  }
  return HnswIndex.fromSaved(parts);
}
