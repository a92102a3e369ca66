/**
 * `loadVectors(source)`: a bundled short name or a file path → `WordVectors`.
 * Order: the binary cache when it is fresh, otherwise the source (format given or
 * detected from content), after which the cache is written for next time.
 */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InvalidArgumentError, InvalidFileError, NotFoundError } from '../../src/errors.js';
import { sha256 } from '../../src/io/hash.js';
import { silentProgress, type Progress } from '../../src/progress.js';
import { cachePath } from '../../src/settings.js';
import { OutdatedCacheError, readCache, readCacheHeader, sameStamp, stampOf, writeCache } from './cache.js';
import { checkTextContent, detectFormat, VECTOR_FORMATS, type VectorFormat } from './formats.js';
import { readWord2vecBinary } from './read/binary-reader.js';
import type { RawVectors, ReadOptions } from './read/raw.js';
import { readTextVectors } from './read/text-reader.js';
import { readWinkVectors } from './read/wink-reader.js';
import { BUNDLED_VECTORS, bundledPath, findBundled } from './sources.js';
import { fromCheckedArrays, WordVectors } from './word-vectors.js';

export interface LoadVectorsOptions {
  /** File format. Default: detected from the file's content (bundled sets know theirs). */
  format?: VectorFormat;
  /** Keep only the first `limit` distinct words (files are sorted by frequency). Default: all. */
  limit?: number;
  /** Element type of the matrix. Only `float32` (the default). */
  dtype?: 'float32';
  /** Progress over the bytes of the source. Default: silent. */
  progress?: Progress;
  /**
   * Use the binary cache: read it when fresh, write it after parsing a whole
   * source. Default true. A `limit` load reads the first rows of an existing
   * cache but never writes one.
   */
  cache?: boolean;
  /** Cache folder. Default `<settings.cacheDir>/vectors` (env TRANSFERKIT_CACHE). */
  cacheDir?: string;
  /** Invalid UTF-8 in words: `strict` (default) throws, `replace` uses U+FFFD. */
  unicodeErrors?: 'strict' | 'replace';
}

/** Resolve a source to a file and its format. */
export async function resolveSource(source: string, format?: VectorFormat): Promise<{ file: string; format: VectorFormat; name?: string }> {
  if (format !== undefined && !VECTOR_FORMATS.includes(format)) {
    throw new InvalidArgumentError(`unknown format '${format}'`, { hint: `use one of ${VECTOR_FORMATS.join(', ')}` });
  }
  const bundled = findBundled(source);
  if (bundled) return { file: bundledPath(bundled), format: format ?? bundled.format, name: bundled.name };
  const file = resolve(source);
  const st = await stat(file).catch(() => null);
  if (st?.isDirectory()) {
    throw new InvalidArgumentError(`'${source}' is a folder, not a vector file`, {
      file,
      hint: 'give the vector file itself (GloVe/word2vec/fastText text or word2vec binary), not the folder that holds it',
    });
  }
  if (!st || !st.isFile()) {
    throw new NotFoundError(`no vector file or bundled set named '${source}'`, {
      file,
      hint: `give a path to a GloVe/word2vec/fastText file, or one of: ${BUNDLED_VECTORS.map((b) => b.name).join(', ')}`,
    });
  }
  if (format === undefined) return { file, format: await detectFormat(file) };
  if (format !== 'wink') await checkTextContent(file, format);
  return { file, format };
}

/** Parse a vector file in the given format. */
export function readVectorFile(file: string, format: VectorFormat, options: ReadOptions): Promise<RawVectors> {
  switch (format) {
    case 'glove':
      return readTextVectors(file, { ...options, header: false });
    case 'word2vec':
    case 'fasttext':
      return readTextVectors(file, { ...options, header: true });
    case 'word2vec-bin':
      return readWord2vecBinary(file, options);
    case 'wink':
      return readWinkVectors(file, options);
  }
}

/** Where the cache of `file` read as `format` lives. */
export function cacheFileFor(file: string, format: VectorFormat, options: { cacheDir?: string; unicodeErrors?: string } = {}): string {
  const dir = options.cacheDir ?? cachePath('vectors');
  const key = sha256(`${file}\0${format}\0${options.unicodeErrors ?? 'strict'}`).slice(0, 16);
  const stem = basename(file).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return join(dir, `${stem}.${key}.tkv`);
}

export async function loadVectors(source: string, options: LoadVectorsOptions = {}): Promise<WordVectors> {
  if (options.dtype !== undefined && options.dtype !== 'float32') {
    throw new InvalidArgumentError(`dtype '${options.dtype as string}' is not supported`, { hint: "only 'float32' is" });
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new InvalidArgumentError(`limit must be a positive integer, got ${options.limit}`);
  }
  if (options.unicodeErrors !== undefined && options.unicodeErrors !== 'strict' && options.unicodeErrors !== 'replace') {
    throw new InvalidArgumentError(`unicodeErrors must be 'strict' or 'replace', got '${String(options.unicodeErrors)}'`, { hint: "'strict' refuses invalid UTF-8 in a word (the default); 'replace' reads it as U+FFFD" });
  }
  if (options.cache !== undefined && typeof options.cache !== 'boolean') throw new InvalidArgumentError(`cache must be true or false, got ${String(options.cache)}`);
  const { file, format } = await resolveSource(source, options.format);
  const useCache = options.cache ?? true;
  const progress = options.progress ?? silentProgress;
  const stamp = await stampOf(file, format);
  const cacheFile = cacheFileFor(file, format, options);
  const warnings: string[] = [];

  if (useCache) {
    try {
      const header = await readCacheHeader(cacheFile);
      // The cache holds the words after duplicates were dropped, and only the whole file's count of
      // them: a limit load of a file with duplicates cannot say how many fell in its first rows, so
      // it reads the source (only as far as the limit) instead.
      if (header && sameStamp(header.source, stamp) && (options.limit === undefined || header.duplicates === 0)) {
        const cached = await readCache(cacheFile, { limit: options.limit });
        return fromCheckedArrays({
          words: cached.words,
          matrix: cached.matrix,
          dim: cached.header.dim,
          wordIndex: cached.index,
          origin: { source, file, format, duplicates: cached.header.duplicates, fromCache: true, cacheFile, warnings, ...(options.limit !== undefined ? { limit: options.limit } : {}) },
        });
      }
    } catch (e) {
      // A corrupt or unreadable cache is rebuilt from the source; one an older transferkit wrote is
      // rebuilt too, but that is routine after an upgrade, not something to warn about.
      if (!(e instanceof InvalidFileError)) throw e;
      if (!(e instanceof OutdatedCacheError)) warnings.push(`ignored a corrupt cache: ${e.message}`);
    }
  }

  const raw = await readVectorFile(file, format, { limit: options.limit, progress, unicodeErrors: options.unicodeErrors });
  let written: string | undefined;
  if (useCache && options.limit === undefined) {
    try {
      await writeCache(cacheFile, { ...raw, source: stamp, index: raw.index });
      written = cacheFile;
    } catch (e) {
      warnings.push(`could not write the cache ${cacheFile}: ${(e as Error).message}`);
    }
  }
  return fromCheckedArrays({
    words: raw.words,
    matrix: raw.matrix,
    dim: raw.dim,
    wordIndex: raw.index,
    origin: { source, file, format, duplicates: raw.duplicates, fromCache: false, cacheFile: written, warnings, ...(options.limit !== undefined ? { limit: options.limit } : {}) },
  });
}
