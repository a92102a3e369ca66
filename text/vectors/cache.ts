/**
 * The binary vector cache: one file per source, written atomically.
 *
 *   bytes 0–7     magic "TKVECTOR"
 *   bytes 8–11    header length H (uint32 LE)
 *   bytes 12…     header JSON (CacheHeader), space-padded
 *   vocabOffset   the words, UTF-8, joined by '\n' (or a JSON array if a word contains '\n')
 *   indexOffset   the word → row hash table (WordIndex), int32 (hash, row) pairs, 64-byte aligned
 *   matrixOffset  size × dim float32 little-endian, row-major (64-byte aligned)
 *
 * The reader allocates the matrix once — in the exact kernel's WebAssembly memory
 * when it fits (see `allocateRows`), so queries scan it in place — and reads the
 * file straight into it (no intermediate buffer), so a 2,000,000 × 300 (2.4 GB)
 * cache is never held twice.
 * The writer streams views of the matrix, never copying it.
 */
import { open, stat } from 'node:fs/promises';
import { allocateRows } from '../../embeddings/rowstore.js';
import { firstNonFinite } from '../../embeddings/vectors.js';
import { InvalidFileError } from '../../src/errors.js';
import { streamFileAtomic, writeChunk as write } from '../../src/io/atomic.js';
import { Checksum } from './checksum.js';
import { WordIndex } from './word-index.js';

export const CACHE_MAGIC = 'TKVECTOR';
/**
 * 3: caches written before the readers refused values past the float32 range could hold ±Infinity
 * (the wink reader stored 1e39 as Infinity); a version-2 cache is rebuilt from its source, which
 * decides. Every cache's matrix is also checked for NaN/±Infinity as it is read.
 */
export const CACHE_VERSION = 3;
const PREFIX = 12;
/** Largest single read (fs.read is limited to 2 GiB per call). */
const READ_CHUNK = 1 << 30;
/** Matrix reads are pipelined in chunks of this size (checksummed while the next one reads). */
const MATRIX_CHUNK = 8 << 20;
/** Matrix chunks read concurrently (libuv's pool has 4 threads). */
const READ_AHEAD = 4;
/** Largest single write (views, not copies). */
const WRITE_CHUNK = 16 << 20;

/** Identity of the source file: the cache is stale when any of these changes. */
export interface SourceStamp {
  file: string;
  size: number;
  mtimeMs: number;
  /**
   * Status-change time: set by the kernel on every write, rename or chmod, and — unlike the
   * mtime — not settable by touch, cp -p, tar or rsync, so a file rewritten with the same size
   * and its old mtime put back still differs. Absent in caches written before it was recorded
   * (they are rebuilt once).
   */
  ctimeMs?: number;
  /** Inode number: a file replaced by another (atomic rename, restore from backup) differs. */
  ino?: number;
  format: string;
}

export interface CacheHeader {
  version: number;
  size: number;
  dim: number;
  dtype: 'float32';
  vocabEncoding: 'lines' | 'json';
  vocabOffset: number;
  vocabBytes: number;
  indexOffset: number;
  /** Int32 values in the word-index table (2 per slot). */
  indexLength: number;
  matrixOffset: number;
  /** Checksum of the vocabulary, index and matrix bytes, in that order (see checksum.ts). */
  checksum: string;
  duplicates: number;
  source: SourceStamp;
}

export interface CachedVectors {
  header: CacheHeader;
  words: string[];
  matrix: Float32Array;
  index: WordIndex;
}


/** Write `words` + `matrix` as a cache file at `path` (atomically). */
export async function writeCache(
  path: string,
  data: { words: readonly string[]; matrix: Float32Array; dim: number; duplicates: number; source: SourceStamp; index?: WordIndex },
): Promise<CacheHeader> {
  const { words, matrix, dim } = data;
  const lines = !words.some((w) => w.includes('\n'));
  const vocab = Buffer.from(lines ? words.join('\n') : JSON.stringify(words), 'utf8');
  const index = data.index && data.index.size === words.length ? data.index : WordIndex.fromWords(words);
  const table = index.tableData;
  const tableBytes = new Uint8Array(table.buffer, table.byteOffset, table.byteLength);
  const matrixBytes = new Uint8Array(matrix.buffer, matrix.byteOffset, words.length * dim * 4);
  const checksum = new Checksum().update(vocab).update(tableBytes).update(matrixBytes).digest();
  const partial: Omit<CacheHeader, 'vocabOffset' | 'indexOffset' | 'matrixOffset'> = {
    version: CACHE_VERSION,
    size: words.length,
    dim,
    dtype: 'float32',
    vocabEncoding: lines ? 'lines' : 'json',
    vocabBytes: vocab.length,
    indexLength: table.length,
    checksum,
    duplicates: data.duplicates,
    source: data.source,
  };
  // Offsets depend on the header length, which depends on the offsets: reserve room.
  const draft = Buffer.byteLength(JSON.stringify({ ...partial, vocabOffset: 1e15, indexOffset: 1e15, matrixOffset: 1e15 }));
  const headerBytes = Math.ceil((PREFIX + draft) / 8) * 8 - PREFIX;
  const vocabOffset = PREFIX + headerBytes;
  const indexOffset = Math.ceil((vocabOffset + vocab.length) / 64) * 64;
  const matrixOffset = Math.ceil((indexOffset + tableBytes.length) / 64) * 64;
  const header: CacheHeader = { ...partial, vocabOffset, indexOffset, matrixOffset };
  const head = Buffer.alloc(vocabOffset, 0x20);
  head.write(CACHE_MAGIC, 0, 'latin1');
  head.writeUInt32LE(headerBytes, 8);
  head.write(JSON.stringify(header), PREFIX, 'utf8');
  await streamFileAtomic(path, async (out) => {
    await write(out, head);
    await write(out, vocab);
    await write(out, Buffer.alloc(indexOffset - vocabOffset - vocab.length));
    await write(out, tableBytes);
    await write(out, Buffer.alloc(matrixOffset - indexOffset - tableBytes.length));
    for (let i = 0; i < matrixBytes.length; i += WRITE_CHUNK) {
      await write(out, matrixBytes.subarray(i, Math.min(matrixBytes.length, i + WRITE_CHUNK)));
    }
  });
  return header;
}

/** Read only the header (null when the file does not exist). */
export async function readCacheHeader(path: string): Promise<CacheHeader | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    return await readHeader(fh, path);
  } finally {
    await fh.close();
  }
}

/** A cache written by another version of transferkit: not damaged, just outdated; it is rebuilt without a warning. */
export class OutdatedCacheError extends InvalidFileError {}

async function readHeader(fh: import('node:fs/promises').FileHandle, path: string): Promise<CacheHeader> {
  const bad = (message: string, location: string) =>
    new InvalidFileError(message, { file: path, location, hint: 'delete the cache file; it will be rebuilt from the source' });
  const prefix = Buffer.alloc(PREFIX);
  const { bytesRead } = await fh.read(prefix, 0, PREFIX, 0);
  if (bytesRead < PREFIX || prefix.toString('latin1', 0, 8) !== CACHE_MAGIC) throw bad('not a transferkit vector cache (bad magic)', 'byte 0');
  const length = prefix.readUInt32LE(8);
  if (length > 1 << 20) throw bad(`header length ${length} is implausible`, 'byte 8');
  const raw = Buffer.alloc(length);
  const got = await fh.read(raw, 0, length, PREFIX);
  if (got.bytesRead < length) throw bad('the file ends inside the header', `byte ${PREFIX + got.bytesRead}`);
  let header: CacheHeader;
  try {
    header = JSON.parse(raw.toString('utf8')) as CacheHeader;
  } catch {
    throw bad('the header is not valid JSON', `byte ${PREFIX}`);
  }
  if (header.version !== CACHE_VERSION) {
    throw new OutdatedCacheError(`cache version ${header.version}, this transferkit reads version ${CACHE_VERSION}`, {
      file: path,
      location: `byte ${PREFIX}`,
      hint: 'it is rebuilt from the source on the next load (or delete the cache file)',
    });
  }
  if (header.dtype !== 'float32' || !(header.dim > 0) || !(header.size >= 0)) throw bad('the header has an unsupported dtype or shape', `byte ${PREFIX}`);
  return header;
}

/**
 * Read a cache file: the first `limit` words (default all). The checksum is
 * verified when all rows are read.
 */
export async function readCache(path: string, options: { limit?: number } = {}): Promise<CachedVectors> {
  const fh = await open(path, 'r');
  try {
    const header = await readHeader(fh, path);
    const { size: fileSize } = await fh.stat();
    const need = header.matrixOffset + header.size * header.dim * 4;
    if (fileSize < need) {
      throw new InvalidFileError(`the cache is truncated: ${fileSize} bytes, expected ${need}`, {
        file: path,
        location: `byte ${fileSize}`,
        hint: 'delete the cache file; it will be rebuilt from the source',
      });
    }
    const rows = Math.min(options.limit ?? header.size, header.size);
    const verify = rows === header.size;
    const matrix = allocateRows(rows, header.dim);
    const bytes = new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
    // The matrix streams in (libuv threads, READ_AHEAD chunks at a time) while this
    // thread decodes the vocabulary, builds the word index and checksums each chunk
    // as it lands: load time ≈ the read alone.
    const chunks = Math.ceil(bytes.length / MATRIX_CHUNK);
    const pending: (Promise<void> | undefined)[] = [];
    const issue = (c: number) => {
      if (c >= chunks || pending[c]) return;
      const p = readFully(fh, bytes.subarray(c * MATRIX_CHUNK, Math.min(bytes.length, (c + 1) * MATRIX_CHUNK)), header.matrixOffset + c * MATRIX_CHUNK, path);
      p.catch(() => {}); // awaited below, in order
      pending[c] = p;
    };
    const vocab = Buffer.allocUnsafe(header.vocabBytes);
    const table = new Int32Array(header.indexLength);
    const tableBytes = new Uint8Array(table.buffer);
    const tableRead = readFully(fh, tableBytes, header.indexOffset, path);
    tableRead.catch(() => {});
    // Small parts first, so they do not queue behind the matrix chunks in the thread pool.
    const vocabRead = readFully(fh, vocab, header.vocabOffset, path);
    for (let c = 0; c < READ_AHEAD; c++) issue(c);
    await vocabRead;
    const text = vocab.toString('utf8');
    let words = header.vocabEncoding === 'json' ? (JSON.parse(text) as string[]) : header.size === 0 ? [] : text.split('\n');
    if (words.length !== header.size) {
      throw new InvalidFileError(`the cache vocabulary has ${words.length} words, the header says ${header.size}`, {
        file: path,
        location: `byte ${header.vocabOffset}`,
        hint: 'delete the cache file; it will be rebuilt from the source',
      });
    }
    await tableRead;
    let index: WordIndex;
    if (rows < words.length) {
      words = words.slice(0, rows);
      index = WordIndex.fromWords(words);
    } else {
      try {
        index = WordIndex.fromTable(words, table);
      } catch (e) {
        throw new InvalidFileError(`the word index is damaged: ${(e as Error).message}`, {
          file: path,
          location: `byte ${header.indexOffset}`,
          hint: 'delete the cache file; it will be rebuilt from the source',
        });
      }
    }
    const sum = new Checksum().update(vocab).update(tableBytes);
    for (let c = 0; c < chunks; c++) {
      await pending[c];
      issue(c + READ_AHEAD);
      if (verify) sum.update(bytes.subarray(c * MATRIX_CHUNK, Math.min(bytes.length, (c + 1) * MATRIX_CHUNK)));
    }
    if (verify && sum.digest() !== header.checksum) {
      throw new InvalidFileError(`checksum mismatch (${sum.digest()}, header says ${header.checksum}): the cache is corrupt`, {
        file: path,
        location: `byte ${header.vocabOffset}`,
        hint: 'delete the cache file; it will be rebuilt from the source',
      });
    }
    // A loaded matrix is trusted to be finite (WordVectors checks values only in fromArrays): a cache
    // must not load what its source would be refused for. One pass, ~30 ms on the bundled set.
    const at = firstNonFinite(matrix);
    if (at >= 0) {
      const row = Math.floor(at / header.dim);
      throw new InvalidFileError(`the cache holds ${String(matrix[at])} in the vector of '${words[row]}' (row ${row}, dimension ${at % header.dim}): word vectors must be finite`, {
        file: path,
        location: `byte ${header.matrixOffset + at * 4}`,
        hint: 'delete the cache file; it will be rebuilt from the source',
      });
    }
    return { header, words, matrix, index };
  } finally {
    await fh.close();
  }
}

async function readFully(fh: import('node:fs/promises').FileHandle, into: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, Math.min(READ_CHUNK, into.length - done), position + done);
    if (bytesRead === 0) throw new InvalidFileError('unexpected end of the cache file', { file, location: `byte ${position + done}`, hint: 'delete the cache file; it will be rebuilt from the source' });
    done += bytesRead;
  }
}

/** The source's current stamp (size, mtime, ctime, inode). */
export async function stampOf(file: string, format: string): Promise<SourceStamp> {
  const s = await stat(file);
  return { file, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino, format };
}

/** Same source file, unchanged since the cache was written (a stamp without ctime or inode never matches one with them). */
export function sameStamp(a: SourceStamp, b: SourceStamp): boolean {
  return a.file === b.file && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.format === b.format;
}
