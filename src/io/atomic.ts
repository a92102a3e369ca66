/**
 * Atomic writes: content goes to a temporary sibling first and is renamed into
 * place only when complete, so readers never see a half-written file or folder.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import { TransferkitError } from '../errors.js';
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

/** Writes to each folder (by absolute path) that are queued or running in this process, last one last. */
const dirWrites = new Map<string, Promise<void>>();

/**
 * Resolves once every `writeDirAtomic` to `dir` started so far in this process has finished (succeeded
 * or failed); readers of the folder (`loadIndex`) wait for it, so they never look between the two
 * renames that replace an existing folder, nor read a folder that a save already called is about to replace.
 */
export function dirWritesSettled(dir: string): Promise<void> {
  return dirWrites.get(resolve(dir)) ?? Promise.resolve();
}

export interface WriteDirOptions {
  /**
   * Called synchronously — before `writeDirAtomic` returns — with the fresh temporary folder, to write
   * what must be taken at the moment of the call (a snapshot of state that may change while the rest
   * of the write waits or runs). `fill` runs later, in the same folder.
   */
  snapshot?: (tmpDir: string) => void;
}

/** A failure of the renames that put a finished folder in place, as a typed error naming the folder. */
function commitError(dir: string, e: unknown): TransferkitError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const raced = code === 'ENOTEMPTY' || code === 'EEXIST';
  return new TransferkitError(
    'E_IO',
    raced
      ? `could not put the new folder in place at ${dir}: another process wrote that folder at the same time (${code}); nothing of this write was kept`
      : `could not put the new folder in place at ${dir}: ${(e as Error)?.message ?? String(e)}; nothing of this write was kept`,
    {
      file: dir,
      hint: raced ? 'let one process write a folder at a time, then write it again' : 'check that the folder and its parent are writable, then write it again',
      cause: e,
    },
  );
}

/**
 * Build a directory atomically: `fill` writes into a fresh temp folder, which then replaces `dir`.
 * `owner` says who writes it: an existing `dir` is replaced only when it is empty or holds an earlier
 * output of the same owner (see `checkOutputDir`, checked before `fill` and again just before the swap).
 *
 * - All or nothing: on any failure (in `fill`, a refused output path, a failed rename) the temp
 *   folder is removed and `dir` is left as it was. A failed rename is a `TransferkitError` `E_IO`.
 * - Writes to the same `dir` in one process run one after another, in call order (the last one called
 *   is what stays); each takes its `options.snapshot` at the moment it is called.
 * - Replacing an existing `dir` is two renames run back to back, synchronously (the old folder aside,
 *   the new one in): no code of this process runs between them, but another process can look at that
 *   instant and find no folder. The old folder is removed afterwards.
 */
export function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>, owner: OutputOwner, options: WriteDirOptions = {}): Promise<void> {
  const key = resolve(dir);
  let tmp: string | undefined;
  let early: { error: unknown } | undefined;
  if (options.snapshot) {
    try {
      mkdirSync(dirname(dir), { recursive: true });
      tmp = tempSibling(dir);
      mkdirSync(tmp);
      track(tmp);
      options.snapshot(tmp);
    } catch (e) {
      early = { error: e };
    }
  }
  const run = async (): Promise<void> => {
    try {
      // Refusals of the output path come first, also when the snapshot failed (a file in the path, say).
      await checkOutputDir(dir, owner);
      if (early) throw early.error;
      if (tmp === undefined) {
        await mkdir(dirname(dir), { recursive: true });
        tmp = tempSibling(dir);
        track(tmp);
        await mkdir(tmp);
      }
      await fill(tmp);
      // Again just before the swap: what appeared at `dir` while this was written is not replaced blindly.
      await checkOutputDir(dir, owner);
      const old = swapInto(dir, tmp);
      if (old !== undefined) {
        // The new folder is in place: the old one is only garbage now, removed on Ctrl-C too.
        track(old);
        try {
          await rm(old, { recursive: true, force: true });
        } finally {
          untrack(old);
        }
      }
    } catch (e) {
      if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
      throw e;
    } finally {
      if (tmp !== undefined) untrack(tmp);
    }
  };
  const previous = dirWrites.get(key);
  const result = previous ? previous.then(run) : run();
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  dirWrites.set(key, settled);
  void settled.then(() => {
    if (dirWrites.get(key) === settled) dirWrites.delete(key);
  });
  return result;
}

/**
 * Put the finished folder `tmp` at `dir`. An existing `dir` is renamed aside first; its new path is
 * returned for the caller to remove. Synchronous, so nothing of this process runs between the renames.
 */
function swapInto(dir: string, tmp: string): string | undefined {
  let old: string | undefined;
  try {
    if (existsSync(dir)) {
      old = tempSibling(dir) + '.old';
      renameSync(dir, old);
    }
    renameSync(tmp, dir);
    return old;
  } catch (e) {
    const error = commitError(dir, e);
    if (old !== undefined && !existsSync(dir)) {
      try {
        renameSync(old, dir);
      } catch {
        throw new TransferkitError('E_IO', `${error.message}; the folder that was there is now at ${old}`, { file: dir, hint: `rename ${old} back to ${dir}`, cause: e });
      }
    }
    throw error;
  }
}
