/**
 * Atomic writes: content goes to a temporary sibling first and is renamed into
 * place only when complete, so readers never see a half-written file or folder.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { checkOutputDir, checkOutputFile, type OutputOwner } from './output.js';

function tempSibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Write a whole file atomically (temp file + rename). Creates parent folders. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await checkOutputFile(path);
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Write one chunk, waiting for the stream to drain when its buffer is full.
 * Rejects (instead of crashing the process) when the stream fails, e.g. ENOSPC.
 */
export async function writeChunk(out: WriteStream, chunk: string | Uint8Array): Promise<void> {
  if (out.errored) throw out.errored;
  if (out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (e?: Error) => {
      out.off('drain', done);
      out.off('error', done);
      if (e) reject(e);
      else resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
}

/**
 * Stream a file atomically: `fill` writes into the stream (use `writeChunk`); on
 * success the temp file is renamed to `path`, on failure it is removed and `path`
 * is untouched.
 */
export async function streamFileAtomic(path: string, fill: (out: WriteStream) => Promise<void>): Promise<void> {
  await checkOutputFile(path);
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  const out = createWriteStream(tmp);
  // Keep a stream error from becoming an unhandled 'error' event; it is rethrown below.
  let failure: Error | undefined;
  out.on('error', (e) => (failure ??= e));
  try {
    await fill(out);
    if (failure) throw failure;
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
    await rename(tmp, path);
  } catch (e) {
    // Wait until the stream has really closed: its lazy open may otherwise create the
    // temp file again after we removed it.
    await new Promise<void>((resolve) => {
      if (out.closed) return resolve();
      out.once('close', () => resolve());
      out.destroy();
    });
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Build a directory atomically: `fill` writes into a fresh temp folder, which then
 * replaces `dir` (an existing `dir` is moved aside and removed only after the swap).
 * `owner` says who writes it: an existing `dir` is replaced only when it is empty
 * or holds an earlier output of the same owner (see `checkOutputDir`).
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>, owner: OutputOwner): Promise<void> {
  await checkOutputDir(dir, owner);
  await mkdir(dirname(dir), { recursive: true });
  const tmp = tempSibling(dir);
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const exists = await stat(dir).then(() => true, () => false);
  if (!exists) {
    await rename(tmp, dir);
    return;
  }
  const old = tempSibling(dir) + '.old';
  await rename(dir, old);
  try {
    await rename(tmp, dir);
  } catch (e) {
    await rename(old, dir);
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}
