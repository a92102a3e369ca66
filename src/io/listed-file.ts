/**
 * Files listed in a manifest with their size and sha256 (model bundles, saved indexes):
 * checking one against its entry. The core knows no domain, so it does not choose the
 * error: the caller turns a `ListedFileProblem` into its own error class and wording.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** A file as a manifest lists it. */
export interface FileEntry {
  /** Size in bytes. */
  bytes: number;
  /** sha256 of the content, lowercase hex. */
  sha256: string;
}

/** Why a listed file does not match its entry. */
export type ListedFileProblem =
  /** Absent (or not a regular file); `cause` is the file-system error, when there is one. */
  | { kind: 'missing'; path: string; cause?: unknown }
  /** A different size than listed: truncated (`actual < expected`) or replaced. */
  | { kind: 'size'; path: string; expected: number; actual: number }
  /** The right size, other content. */
  | { kind: 'checksum'; path: string; expected: string; actual: string };

export interface VerifyListedFileOptions {
  /** Build the error thrown for a problem (the caller's class, code and message). */
  error: (problem: ListedFileProblem) => Error;
  /** Compare the sha256 too (one streamed read of the file). Default true; sizes are always checked. */
  checksum?: boolean;
  /** Return the content that was hashed (read once, so what is returned is what was verified). */
  keepContents?: boolean;
}

/** Not there at all, as opposed to there but unreadable (permissions, I/O), which is rethrown as is. */
const isAbsent = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException)?.code ?? '');

/**
 * Check the file at `path` against its manifest entry: it exists, has `entry.bytes` bytes and
 * (unless `checksum: false`) the sha256 `entry.sha256`, hashed while streaming. A mismatch throws
 * `options.error(problem)`; other file-system errors (e.g. EACCES) are rethrown unchanged.
 * With `keepContents: true` the verified content is returned.
 */
export function verifyListedFile(path: string, entry: FileEntry, options: VerifyListedFileOptions & { keepContents: true }): Promise<Buffer>;
export function verifyListedFile(path: string, entry: FileEntry, options: VerifyListedFileOptions): Promise<Buffer | undefined>;
export async function verifyListedFile(path: string, entry: FileEntry, options: VerifyListedFileOptions): Promise<Buffer | undefined> {
  const checksum = options.checksum ?? true;
  const keep = options.keepContents ?? false;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    if (isAbsent(e)) throw options.error({ kind: 'missing', path, cause: e });
    throw e;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw options.error({ kind: 'missing', path });
    if (st.size !== entry.bytes) throw options.error({ kind: 'size', path, expected: entry.bytes, actual: st.size });
    if (!checksum && !keep) return undefined;
    const hash = createHash('sha256');
    let read = 0;
    // Kept contents are read in one buffer (not chunks then a copy of them all): one file's size in memory.
    const contents = keep ? await handle.readFile() : undefined;
    if (contents) {
      hash.update(contents);
      read = contents.length;
    } else {
      for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        read += chunk.length;
      }
    }
    // The file changed size while being read: report what was actually read.
    if (read !== entry.bytes) throw options.error({ kind: 'size', path, expected: entry.bytes, actual: read });
    if (checksum) {
      const actual = hash.digest('hex');
      if (actual !== entry.sha256) throw options.error({ kind: 'checksum', path, expected: entry.sha256, actual });
    }
    return contents;
  } finally {
    await handle.close();
  }
}
