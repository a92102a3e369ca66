/**
 * vitest globalSetup: every temp folder the tests (and the CLIs they spawn) make goes into one
 * folder of this run, removed at the end — so a run leaves nothing in the system temp folder,
 * whatever a test forgets to clean up. Workers inherit TMPDIR, and os.tmpdir() reads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'transferkit-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
