/**
 * Embeddings as JSON Lines: one object per line, `{"key": "…", "vector": [...], …}`;
 * every other field is kept as that item's metadata. Blank lines are skipped.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DimensionMismatchError, InvalidArgumentError, InvalidFileError, NotFoundError } from '../src/errors.js';
import { silentProgress, type Progress } from '../src/progress.js';
import type { JsonValue } from './types.js';
import { FLOAT32_MAX } from './vectors.js';

export interface ReadJsonlOptions {
  /** Stop after this many items. Default: all. */
  limit?: number;
  /** Progress over the bytes of the file. Default: silent. */
  progress?: Progress;
}

export interface EmbeddingsTable {
  keys: string[];
  /** Row-major keys.length × dim. */
  matrix: Float32Array;
  dim: number;
  /** Per item: the line's other fields, or undefined when there were none. */
  metadata: (JsonValue | undefined)[];
  /** Per item: its line in the file (1-based), for messages. */
  lines?: number[];
}

const LINE_SHAPE = 'each line must be one JSON object: {"key": "name", "vector": [0.1, …], …other fields kept as metadata}';

/** Read a JSONL embeddings file; errors name the file and line. */
export async function readEmbeddingsJsonl(file: string, options: ReadJsonlOptions = {}): Promise<EmbeddingsTable> {
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    throw new InvalidArgumentError(`${file} is a folder, not an embeddings file`, { file, hint: 'give a JSONL file with one {"key": ..., "vector": [...]} object per line' });
  }
  if (info === null || !info.isFile()) {
    throw new NotFoundError(`embeddings file ${file} does not exist`, { file, hint: 'check the path; a JSONL embeddings file has one {"key": ..., "vector": [...]} object per line (vision embed writes one)' });
  }
  const limit = options.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) throw new InvalidArgumentError(`limit must be a positive integer, got ${limit}`);
  const progress = options.progress ?? silentProgress;
  progress.start('reading embeddings', info.size);
  const keys: string[] = [];
  const metadata: (JsonValue | undefined)[] = [];
  const lines: number[] = [];
  const seen = new Set<string>();
  let dim = 0;
  let matrix = new Float32Array(0);
  let lineNo = 0;
  let bytes = 0;
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lineReader = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lineReader) {
      lineNo++;
      bytes += Buffer.byteLength(line) + 1;
      if (lineNo % 1000 === 0) progress.update(Math.min(bytes, info.size));
      if (line.trim() === '') continue;
      const where = { file, location: `line ${lineNo}` };
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        throw new InvalidFileError('not valid JSON (truncated line?)', { ...where, cause: e, hint: 'each line must be one JSON object: {"key": ..., "vector": [...]}' });
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new InvalidFileError('expected a JSON object', { ...where, hint: LINE_SHAPE });
      const { key, vector, ...rest } = obj as { key?: unknown; vector?: unknown } & Record<string, JsonValue>;
      if (typeof key !== 'string' || key === '') {
        throw new InvalidFileError(key === undefined ? 'no "key" field' : '"key" must be a non-empty string', { ...where, hint: LINE_SHAPE });
      }
      if (!Array.isArray(vector) || vector.length === 0) {
        throw new InvalidFileError(vector === undefined ? 'no "vector" field' : '"vector" must be a non-empty array of numbers', { ...where, hint: LINE_SHAPE });
      }
      if (seen.has(key)) throw new InvalidFileError(`duplicate key '${key}'`, { ...where, hint: 'keys must be unique' });
      if (dim === 0) {
        dim = vector.length;
        matrix = new Float32Array(1024 * dim);
      } else if (vector.length !== dim) {
        throw new DimensionMismatchError(dim, vector.length, { what: `${file} (line ${lineNo}): vector`, file, location: `line ${lineNo}`, hint: 'every vector in the file must have the dimension of the first one' });
      }
      const r = keys.length;
      if ((r + 1) * dim > matrix.length) {
        const grown = new Float32Array(matrix.length * 2);
        grown.set(matrix);
        matrix = grown;
      }
      for (let d = 0; d < dim; d++) {
        const x = vector[d];
        if (typeof x !== 'number' || !Number.isFinite(Math.fround(x))) {
          // JSON.parse reads 1e400 as Infinity, which JSON.stringify would print as null: say what it is.
          const got =
            typeof x !== 'number'
              ? `got ${JSON.stringify(x)?.slice(0, 30)}`
              : `got ${Number.isFinite(x) ? x : `a number too large even for a double, read as ${x}`}: out of float32 range, at most ±${FLOAT32_MAX.toPrecision(3)}`;
          throw new InvalidFileError(`"vector"[${d}] is not a finite float32 number (${got})`, {
            ...where,
            hint: `vector entries must be JSON numbers, not strings, null, NaN or Infinity, of magnitude at most ${FLOAT32_MAX.toPrecision(3)} (vectors are stored as float32)`,
          });
        }
        matrix[r * dim + d] = x;
      }
      keys.push(key);
      lines.push(lineNo);
      seen.add(key);
      metadata.push(Object.keys(rest).length > 0 ? (rest as JsonValue) : undefined);
      if (keys.length >= limit) break;
    }
  } finally {
    lineReader.close();
    stream.destroy();
    progress.stop();
  }
  if (keys.length === 0) throw new InvalidFileError('no embeddings found (empty file?)', { file, hint: LINE_SHAPE });
  return { keys, matrix: matrix.slice(0, keys.length * dim), dim, metadata, lines };
}
