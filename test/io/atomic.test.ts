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
