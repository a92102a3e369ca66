import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/io/hash.js';
import { verifyListedFile, type FileEntry, type ListedFileProblem } from '../../src/io/listed-file.js';

/** The caller's own error class: verifyListedFile throws whatever the caller builds. */
class ProblemError extends Error {
  constructor(readonly problem: ListedFileProblem) {
    super(`${problem.kind}: ${problem.path}`);
  }
}
const error = (p: ListedFileProblem) => new ProblemError(p);

async function problemOf(promise: Promise<unknown>): Promise<ListedFileProblem> {
  const e = await promise.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProblemError);
  return (e as ProblemError).problem;
}

let dir: string;
const content = Buffer.from('hello, listed file\n'.repeat(5000)); // > one 64 KiB stream chunk
const entry: FileEntry = { bytes: content.length, sha256: sha256(content) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tk-listed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifyListedFile', () => {
  it('accepts a file matching its entry, and returns the verified content when asked', async () => {
    const path = join(dir, 'ok.txt');
    await writeFile(path, content);
    await expect(verifyListedFile(path, entry, { error })).resolves.toBeUndefined();
    const kept = await verifyListedFile(path, entry, { error, keepContents: true });
    expect(Buffer.compare(kept, content)).toBe(0);
  });

  it('a missing file, or a folder in its place, is a "missing" problem with the path', async () => {
    const absent = join(dir, 'absent.bin');
    const p = await problemOf(verifyListedFile(absent, entry, { error }));
    expect(p).toMatchObject({ kind: 'missing', path: absent });
    expect((p as { cause?: NodeJS.ErrnoException }).cause?.code).toBe('ENOENT');
    const folder = join(dir, 'folder');
    await mkdir(folder);
    expect(await problemOf(verifyListedFile(folder, entry, { error }))).toMatchObject({ kind: 'missing', path: folder });
  });

  it('a truncated or grown file is a "size" problem, even without the checksum', async () => {
    const path = join(dir, 'short.txt');
    await writeFile(path, content.subarray(0, 100));
    for (const checksum of [true, false]) {
      expect(await problemOf(verifyListedFile(path, entry, { error, checksum }))).toEqual({ kind: 'size', path, expected: entry.bytes, actual: 100 });
    }
    await writeFile(path, Buffer.concat([content, Buffer.from('x')]));
    expect(await problemOf(verifyListedFile(path, entry, { error }))).toMatchObject({ kind: 'size', actual: entry.bytes + 1 });
  });

  it('other content of the same size is a "checksum" problem; checksum: false skips the hash', async () => {
    const path = join(dir, 'altered.txt');
    const altered = Buffer.from(content);
    altered[70_000] ^= 1; // in the second stream chunk
    await writeFile(path, altered);
    expect(await problemOf(verifyListedFile(path, entry, { error }))).toEqual({ kind: 'checksum', path, expected: entry.sha256, actual: sha256(altered) });
    await expect(verifyListedFile(path, entry, { error, checksum: false })).resolves.toBeUndefined();
  });

  it.skipIf(process.getuid?.() === 0)('a file that exists but cannot be read is not "missing": the file-system error is rethrown', async () => {
    const path = join(dir, 'locked.txt');
    await writeFile(path, content);
    await chmod(path, 0o000);
    const e = await verifyListedFile(path, entry, { error }).then(() => null, (x: unknown) => x);
    await chmod(path, 0o600);
    expect(e).not.toBeInstanceOf(ProblemError);
    expect((e as NodeJS.ErrnoException).code).toBe('EACCES');
  });
});
