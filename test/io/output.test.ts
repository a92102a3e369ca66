import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputDir, checkOutputFile, isInside, refuseInputAsOutput } from '../../src/io/output.js';
import { streamFileAtomic, writeDirAtomic, writeFileAtomic } from '../../src/io/atomic.js';

const owner = { format: 'transferkit-thing', kind: 'a', what: 'thing' };

describe('output guards', () => {
  it('a directory output may go to a new path, an empty folder, or over its own earlier output', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-out-'));
    await checkOutputDir(join(root, 'new', 'deeper'), owner);
    mkdirSync(join(root, 'empty'));
    await checkOutputDir(join(root, 'empty'), owner);
    await writeDirAtomic(join(root, 'mine'), async (tmp) => writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ format: owner.format, kind: 'a' })), owner);
    await writeDirAtomic(join(root, 'mine'), async (tmp) => writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ format: owner.format, kind: 'a', v: 2 })), owner);
    expect(JSON.parse(readFileSync(join(root, 'mine', 'manifest.json'), 'utf8')).v).toBe(2);
  });

  it('never replaces user data, a file, another format or another kind', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-out-'));
    mkdirSync(join(root, 'photos'));
    writeFileSync(join(root, 'photos', 'cat.jpg'), 'x');
    await expect(writeDirAtomic(join(root, 'photos'), async () => {}, owner)).rejects.toThrow(/refusing .* does not hold a transferkit thing/);
    expect(readdirSync(join(root, 'photos'))).toEqual(['cat.jpg']);
    writeFileSync(join(root, 'train.csv'), 'text,label');
    await expect(checkOutputDir(join(root, 'train.csv'), owner)).rejects.toThrow(/a file with that name exists/);
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'manifest.json'), JSON.stringify({ format: owner.format, kind: 'b' }));
    await expect(checkOutputDir(join(root, 'other'), owner)).rejects.toThrow(/holds a transferkit output of kind 'b', not 'a'/);
    await expect(checkOutputDir(join(root, 'train.csv', 'model'), owner)).rejects.toThrow(/train\.csv is a file, not a folder/);
  });

  it('a file output may replace a file but not a folder, and its folder must be a folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-out-'));
    await writeFileAtomic(join(root, 'f.txt'), 'one');
    await writeFileAtomic(join(root, 'f.txt'), 'two');
    mkdirSync(join(root, 'dir'));
    await expect(streamFileAtomic(join(root, 'dir'), async () => {})).rejects.toThrow(/exists and is not a regular file/);
    await expect(checkOutputFile(join(root, 'f.txt', 'x.txt'))).rejects.toThrow(/is a file, not a folder/);
    expect(readFileSync(join(root, 'f.txt'), 'utf8')).toBe('two');
  });

  it('an output that is one of the inputs (or holds one) is refused, through symbolic links too', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tk-out-'));
    writeFileSync(join(root, 'data.csv'), 'text\nx\n');
    symlinkSync(join(root, 'data.csv'), join(root, 'link.csv'));
    mkdirSync(join(root, 'model'));
    const out = (path: string, kind: 'folder' | 'file' = 'folder', readExtensions?: string[]) => ({ flag: '--out', path, kind, data: readExtensions ? { flag: '--data', readExtensions } : undefined });
    await expect(refuseInputAsOutput(out(join(root, 'data.csv')), { '--data': join(root, 'data.csv') })).rejects.toThrow(/--out .*data\.csv is the --data input: writing it would destroy/);
    await expect(refuseInputAsOutput(out(join(root, 'link.csv')), { '--data': join(root, 'data.csv') })).rejects.toThrow(/is the --data input/);
    await expect(refuseInputAsOutput(out(root), { '--backbone': join(root, 'model') })).rejects.toThrow(/is the --backbone input's folder/);
    await refuseInputAsOutput(out(join(root, 'other.jsonl')), { '--data': join(root, 'data.csv'), '--vectors': undefined });
    // An output inside an input folder would overwrite an input or be read as data by the next run.
    await expect(refuseInputAsOutput(out(join(root, 'model', 'sub'), 'folder', []), { '--data': join(root, 'model') })).rejects.toThrow(/is inside the --data folder .*: a folder there is read as data/);
    await expect(refuseInputAsOutput(out(join(root, 'model', 'x.PNG'), 'file', ['.png']), { '--data': join(root, 'model') })).rejects.toThrow(/a \.png file there is read as data/);
    // A file the folder reader skips may go inside.
    await refuseInputAsOutput(out(join(root, 'model', 'emb.jsonl'), 'file', ['.png']), { '--data': join(root, 'model') });
    // …but not inside a model folder (it could overwrite the model's own files), whatever its name.
    await expect(refuseInputAsOutput(out(join(root, 'model', 'config.json'), 'file', ['.png']), { '--data': join(root, 'imgs'), '--encoder': join(root, 'model') })).rejects.toThrow(/inside the --encoder folder .*: writing there could overwrite its files/);
    await expect(refuseInputAsOutput(out(join(root, 'model', 'config.json'), 'file'), { '--backbone': join(root, 'model') })).rejects.toThrow(/inside the --backbone folder/);
    // The file system root as an input holds everything.
    expect(isInside('/a/b', '/')).toBe(true);
    expect(isInside('/', '/')).toBe(false);
    expect(isInside('/ab', '/a')).toBe(false);
    await expect(refuseInputAsOutput(out(join(root, 'model', 'new', 'deeper')), { '--data': join(root, 'model') })).rejects.toThrow(/is inside the --data folder/);
    // …also through a symbolic link to the folder, for an output that does not exist yet.
    symlinkSync(join(root, 'model'), join(root, 'model-link'));
    await expect(refuseInputAsOutput(out(join(root, 'model-link', 'new', 'deeper')), { '--data': join(root, 'model') })).rejects.toThrow(/is inside the --data folder/);
    await refuseInputAsOutput(out(join(root, 'model-2')), { '--backbone': join(root, 'model') });
  });
});
