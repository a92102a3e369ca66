/**
 * `transferkit … | head -2`: the reader closes the pipe early. The command must neither
 * crash with a stack trace (EPIPE) nor stop its work.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('output into a pipe the reader closes early', () => {
  it('exits normally, with nothing on stderr', async () => {
    // 30,000 words: far more neighbour lines than a pipe buffer holds.
    const dir = mkdtempSync(join(tmpdir(), 'tk-pipe-'));
    const vectors = join(dir, 'many.txt');
    writeFileSync(vectors, Array.from({ length: 30_000 }, (_, i) => `w${i} ${Math.cos(i)} ${Math.sin(i)} ${(i % 7) / 7}\n`).join(''));
    const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/bin-dev.ts'), 'vectors', 'neighbors', vectors, 'w1', '-k', '29000', '--no-cache'], { cwd: root });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read the first chunk, then hang up, as `head` does.
    await new Promise<void>((done) => proc.stdout.once('data', () => done()));
    proc.stdout.destroy();
    const code = await new Promise<number | null>((done) => proc.on('exit', (c) => done(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
