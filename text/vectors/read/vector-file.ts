/**
 * What every vector-file reader does around its own parsing: open the file in
 * chunks, refuse an empty file, report progress over bytes, buffer the first
 * chunk, and always stop the progress and close the file, whatever the parser
 * throws.
 */
import { InvalidFileError } from '../../../src/errors.js';
import type { Progress } from '../../../src/progress.js';
import { ChunkedReader } from './chunked-reader.js';
import type { MatrixBuilder } from './matrix-builder.js';
import type { RawVectors, ReadOptions } from './raw.js';

/** An open vector file as a parser gets it: the first chunk is already buffered. */
export interface OpenVectorFile {
  r: ChunkedReader;
  progress: Progress;
  unicodeErrors: 'strict' | 'replace';
  /** Distinct words to keep (Infinity: all). */
  limit: number;
}

/**
 * Run `parse` over the file at `path` and return what its builder holds.
 * `emptyHint` tells the user what to do about an empty file (re-download, re-install…).
 */
export async function readVectorFile(
  path: string,
  options: ReadOptions,
  emptyHint: string,
  parse: (file: OpenVectorFile) => Promise<MatrixBuilder>,
): Promise<RawVectors> {
  const r = await ChunkedReader.open(path);
  const progress = options.progress;
  try {
    if (r.fileSize === 0) throw new InvalidFileError('the file is empty', { file: path, location: 'byte 0', hint: emptyHint });
    progress.start(`loading ${path.split('/').pop()}`, r.fileSize);
    await r.refill();
    const b = await parse({ r, progress, unicodeErrors: options.unicodeErrors ?? 'strict', limit: options.limit ?? Infinity });
    progress.update(r.fileSize);
    return b.finish();
  } finally {
    progress.stop();
    await r.close();
  }
}
