/**
 * Atomic writes: content goes to a temporary sibling first and is renamed into
 * place only when complete, so readers never see a half-written file or folder.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { checkOutputDir, checkOutputFile, type OutputOwner } from './output.js';

function tempSibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Temp files and folders being written right now. Ctrl-C (SIGINT) or SIGTERM during a write
 * removes them before the process dies of the signal as it would have, so an interrupted
 * write leaves neither a half-written output nor a hidden temp file behind.
 */
const pending = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function removePendingAndDie(signal: NodeJS.Signals): void {
  for (const p of pending) rmSync(p, { recursive: true, force: true });
  pending.clear();
  for (const s of SIGNALS) process.off(s, removePendingAndDie);
  process.kill(process.pid, signal); // default action now: exit by the signal (130 for SIGINT)
}

function track(tmp: string): void {
  if (pending.size === 0) for (const s of SIGNALS) process.on(s, removePendingAndDie);
  pending.add(tmp);
}

function untrack(tmp: string): void {
  pending.delete(tmp);
  if (pending.size === 0) for (const s of SIGNALS) process.off(s, removePendingAndDie);
}

/**
 * Remove `path` (a temporary file or folder) if Ctrl-C or SIGTERM arrives before the returned
 * function is called; the process then still dies of the signal. For temporaries outside the
 * atomic writers, e.g. a worker script that only has to exist while workers start.
 */
export function removeOnInterrupt(path: string): () => void {
  track(path);
  return () => untrack(path);
}

/** Write a whole file atomically (temp file + rename). Creates parent folders. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await checkOutputFile(path);
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  track(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    untrack(tmp);
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
  track(tmp);
  const out = createWriteStream(tmp);
  // Keep a stream error from becoming an unhandled 'error' event; it is rethrown below.
  let failure: Error | undefined;
  out.on('error', (e) => (failure ??= e));
  try {
    await fill(out);
    if (failure) throw failure;
    // Renamed only once every byte is written and the file is closed: an error opening
    // (EACCES), writing or flushing the last bytes (ENOSPC) fails the write instead.
    await new Promise<void>((resolve, reject) => {
      out.once('close', () => (failure ? reject(failure) : resolve()));
      out.end();
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
  } finally {
    untrack(tmp);
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
  track(tmp);
  try {
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
  } finally {
    untrack(tmp);
  }
}
