/**
 * Downloads into the cache: offline switch, sha256 verification, progress,
 * atomic placement (a partial download never appears at the destination).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { ChecksumError, OfflineError } from '../errors.js';
import { settings } from '../settings.js';
import { silentProgress, type Progress } from '../progress.js';
import { streamFileAtomic, writeChunk } from './atomic.js';
import { sha256File } from './hash.js';

export interface DownloadOptions {
  /** Expected sha256 (hex). Verified when given; a mismatch deletes the file. */
  sha256?: string;
  progress?: Progress;
  /** Re-download even if the destination exists. Default false. */
  force?: boolean;
}

/** Download `url` to `dest` unless it is already there (and matches `sha256`). */
export async function download(url: string, dest: string, options: DownloadOptions = {}): Promise<string> {
  const present = await stat(dest).then((s) => s.isFile(), () => false);
  if (present && !options.force) {
    if (!options.sha256 || (await sha256File(dest)) === options.sha256) return dest;
  }
  if (settings.offline) {
    throw new OfflineError(`cannot download ${url}: offline mode is on`, {
      hint: `unset TRANSFERKIT_OFFLINE, or place the file at ${dest} yourself`,
    });
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new OfflineError(`cannot download ${url}: ${(e as Error).message}`, {
      hint: 'check the network, or download the file yourself and pass a local path',
      cause: e,
    });
  }
  if (!response.ok || !response.body) {
    throw new OfflineError(`cannot download ${url}: HTTP ${response.status}`, {
      hint: 'check the URL, or download the file yourself and pass a local path',
    });
  }
  const total = Number(response.headers.get('content-length')) || undefined;
  const progress = options.progress ?? silentProgress;
  const hash = createHash('sha256');
  progress.start(`download ${url.split('/').pop()}`, total);
  try {
    await streamFileAtomic(dest, async (out) => {
      let done = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        done += chunk.length;
        progress.update(done);
        await writeChunk(out, chunk);
      }
      const digest = hash.digest('hex');
      if (options.sha256 && digest !== options.sha256) {
        throw new ChecksumError(`download of ${url} has sha256 ${digest}, expected ${options.sha256}`, {
          hint: 'the remote file changed or the transfer was corrupted; retry, or update the pinned checksum',
        });
      }
    });
  } finally {
    progress.stop();
  }
  return dest;
}
