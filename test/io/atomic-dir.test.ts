/**
 * writeDirAtomic when writes meet: two writes to one folder at once, a snapshot taken at the call,
 * readers waiting for pending writes, and a failed rename (mocked) that leaves nothing behind.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const failRename = vi.hoisted(() => ({ code: undefined as string | undefined }));
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return {
    ...fs,
    renameSync: (from: string, to: string) => {
      // Only the rename that puts the new folder in place fails.
      if (failRename.code !== undefined && from.includes('.tmp-') && !from.endsWith('.old')) {
        throw Object.assign(new Error(`${failRename.code}: directory not empty, rename '${from}' -> '${to}'`), { code: failRename.code });
      }
      return fs.renameSync(from, to);
    },
  };
});

const { dirWritesSettled, writeDirAtomic } = await import('../../src/io/atomic.js');
const owner = { format: 'transferkit-test', what: 'test output' };
const manifest = (v: number) => JSON.stringify({ format: owner.format, v });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

afterEach(() => {
  failRename.code = undefined;
});

describe('writeDirAtomic: writes that meet', () => {
  it('two writes to the same folder at once both succeed, in call order, and leave no temporaries', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-atd-'));
    const dir = join(root, 'out');
    const slowFirst = writeDirAtomic(dir, async (tmp) => {
      await tick();
      writeFileSync(join(tmp, 'manifest.json'), manifest(1));
    }, owner);
    const second = writeDirAtomic(dir, async (tmp) => writeFileSync(join(tmp, 'manifest.json'), manifest(2)), owner);
    await Promise.all([slowFirst, second]);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).v).toBe(2);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('a snapshot is taken when writeDirAtomic is called, not when its turn comes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-atd-'));
    const dir = join(root, 'out');
    let state = 'at the call';
    const first = writeDirAtomic(dir, async (tmp) => writeFileSync(join(tmp, 'manifest.json'), manifest(1)), owner);
    const second = writeDirAtomic(dir, async (tmp) => writeFileSync(join(tmp, 'manifest.json'), manifest(2)), owner, {
      snapshot: (tmp) => writeFileSync(join(tmp, 'state.txt'), state),
    });
    state = 'changed afterwards';
    await Promise.all([first, second]);
    expect(readFileSync(join(dir, 'state.txt'), 'utf8')).toBe('at the call');
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('dirWritesSettled waits for every write to the folder started before it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-atd-'));
    const dir = join(root, 'out');
    const order: string[] = [];
    const write = writeDirAtomic(dir, async (tmp) => {
      await tick();
      writeFileSync(join(tmp, 'manifest.json'), manifest(1));
      order.push('written');
    }, owner);
    const failing = writeDirAtomic(dir, async () => {
      throw new Error('disk on fire');
    }, owner);
    await dirWritesSettled(join(root, '.', 'out')).then(() => order.push('settled'));
    await write;
    await expect(failing).rejects.toThrow('disk on fire');
    expect(order).toEqual(['written', 'settled']);
    await expect(dirWritesSettled(join(root, 'elsewhere'))).resolves.toBeUndefined();
  });

  it('a failed rename removes the temporary, keeps the old folder and is a typed error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-atd-'));
    const dir = join(root, 'out');
    await writeDirAtomic(dir, async (tmp) => writeFileSync(join(tmp, 'manifest.json'), manifest(1)), owner);
    failRename.code = 'ENOTEMPTY';
    const err = await writeDirAtomic(dir, async (tmp) => writeFileSync(join(tmp, 'manifest.json'), manifest(2)), owner).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_IO', file: dir });
    expect(err.message).toMatch(/another process wrote that folder at the same time \(ENOTEMPTY\); nothing of this write was kept/);
    expect(err.hint).toMatch(/one process/);
    expect(readdirSync(root)).toEqual(['out']);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).v).toBe(1);
    // Into a new path too.
    const err2 = await writeDirAtomic(join(root, 'new'), async (tmp) => writeFileSync(join(tmp, 'manifest.json'), manifest(3)), owner).catch((e) => e);
    expect(err2).toMatchObject({ code: 'E_IO' });
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('a refused output path removes the snapshot already written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-atd-'));
    const dir = join(root, 'photos');
    mkdirSync(dir);
    writeFileSync(join(dir, 'cat.jpg'), 'x');
    await expect(
      writeDirAtomic(dir, async () => {}, owner, { snapshot: (tmp) => writeFileSync(join(tmp, 'big.bin'), 'data') }),
    ).rejects.toThrow(/refusing to write the test output .* does not hold a transferkit test output/);
    expect(readdirSync(root)).toEqual(['photos']);
    // A file in the path: the snapshot could not even start; the path's problem is what is reported.
    writeFileSync(join(root, 'blocker'), 'x');
    await expect(
      writeDirAtomic(join(root, 'blocker', 'out'), async () => {}, owner, { snapshot: () => {} }),
    ).rejects.toThrow(/blocker is a file, not a folder/);
    expect(readdirSync(root).sort()).toEqual(['blocker', 'photos']);
  });
});
