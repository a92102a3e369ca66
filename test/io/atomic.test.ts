import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamFileAtomic, writeChunk, writeDirAtomic, writeFileAtomic } from '../../src/io/atomic.js';

describe('atomic writes', () => {
  it('writeFileAtomic replaces content and leaves no temp files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-at-'));
    const p = join(dir, 'a', 'f.txt');
    await writeFileAtomic(p, 'one');
    await writeFileAtomic(p, 'two');
    expect(readFileSync(p, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'a'))).toEqual(['f.txt']);
  });

  it('an error flushing the last bytes fails the write (was: the partial file was renamed into place)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-at-'));
    const p = join(dir, 'f.txt');
    await expect(
      streamFileAtomic(p, async (out) => {
        // The file system refuses the bytes still buffered when fill returns (say ENOSPC).
        out._write = (_chunk, _encoding, callback) => callback(new Error('no space left on device'));
        out.write('the last bytes');
      }),
    ).rejects.toThrow('no space left on device');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('Ctrl-C during a write removes the temp output, and the process still dies of the signal', async () => {
    const child = new URL('./interrupted-write.ts', import.meta.url).pathname;
    for (const kind of ['file', 'dir', 'temp']) {
      const dir = mkdtempSync(join(tmpdir(), 'tk-at-'));
      const proc = spawn(process.execPath, ['--import', 'tsx', child, join(dir, 'out'), kind], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => proc.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve()));
      expect(readdirSync(dir)).toHaveLength(1); // the temp output
      proc.kill('SIGINT');
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => proc.on('exit', (c, s) => resolve([c, s])));
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('a failing stream write keeps the old file intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-at-'));
    const p = join(dir, 'f.txt');
    writeFileSync(p, 'old');
    await expect(
      streamFileAtomic(p, async (out) => {
        out.write('partial');
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    expect(readFileSync(p, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['f.txt']);
  });

  it('writeDirAtomic swaps whole folders and keeps the old one on failure', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-at-'));
    const d = join(root, 'bundle');
    mkdirSync(d);
    writeFileSync(join(d, 'old.txt'), 'x');
    const owner = { format: 'transferkit-test', what: 'test output' };
    writeFileSync(join(d, 'manifest.json'), JSON.stringify({ format: owner.format }));
    await expect(
      writeDirAtomic(d, async (tmp) => {
        writeFileSync(join(tmp, 'new.txt'), 'y');
        throw new Error('failed halfway');
      }, owner),
    ).rejects.toThrow('failed halfway');
    expect(readdirSync(d).sort()).toEqual(['manifest.json', 'old.txt']);
    await writeDirAtomic(d, async (tmp) => writeFileSync(join(tmp, 'new.txt'), 'y'), owner);
    expect(readdirSync(d)).toEqual(['new.txt']);
    expect(readdirSync(root)).toEqual(['bundle']);
  });
});

describe('stream failures', () => {
  it('a write error (here: the target folder is a file) rejects instead of crashing, and leaves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-at-'));
    writeFileSync(join(dir, 'blocker'), 'x');
    const target = join(dir, 'blocker', 'sub', 'f.txt');
    await expect(streamFileAtomic(target, async (out) => void (await writeChunk(out, 'data')))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['blocker']);
  });

  it('writeChunk rejects once the stream has failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-at-'));
    const p = join(dir, 'f.txt');
    await expect(
      streamFileAtomic(p, async (out) => {
        out.destroy(new Error('device full'));
        await new Promise((r) => setImmediate(r));
        await writeChunk(out, 'more');
      }),
    ).rejects.toThrow('device full');
    expect(readdirSync(dir)).toEqual([]);
  });
});
