import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidFileError } from '../../../src/errors.js';
import { stampOf } from '../../../text/vectors/cache.js';
import { CACHE_VERSION, cacheFileFor, loadVectors, OutdatedCacheError, readCache, readCacheHeader, writeCache } from '../../../text/vectors/index.js';
import { gloveText, tempDir, TINY, tinyMatrix, winkJson, write } from './helpers.js';

describe('binary vector cache', () => {
  it('the first load writes the cache, the next one reads it', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'v.txt', gloveText());
    const first = await loadVectors(path, { cacheDir });
    expect(first.origin.fromCache).toBe(false);
    expect(first.origin.cacheFile).toBe(cacheFileFor(path, 'glove', { cacheDir }));
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tkv'))).toHaveLength(1);
    expect(readdirSync(cacheDir).filter((f) => f.includes('.tmp-'))).toHaveLength(0);
    const second = await loadVectors(path, { cacheDir });
    expect(second.origin.fromCache).toBe(true);
    expect(second.words).toEqual(TINY.words);
    expect(Array.from(second.matrix)).toEqual(Array.from(tinyMatrix()));
    expect(second.indexOf('queen')).toBe(3);
  });

  it('a limit load reports the duplicates in its own rows, not the whole file\'s, whether or not a cache exists', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    // 'a' repeats in row 2 (inside the first 2 distinct words' rows), 'b' in row 4 (past them).
    const path = write(dir, 'dup.txt', 'a 1 0\nb 0 1\nc 1 1\nb 2 2\na 3 3\nd 1 2\n');
    const whole = await loadVectors(path, { cacheDir });
    expect(whole.origin.duplicates).toBe(2);
    expect(whole.origin.fromCache).toBe(false);
    for (const [limit, dups] of [[2, 0], [3, 0], [4, 2]] as const) {
      const cached = await loadVectors(path, { cacheDir, limit });
      const parsed = await loadVectors(path, { cache: false, limit });
      expect(parsed.origin.duplicates).toBe(dups);
      expect(cached.origin.duplicates).toBe(dups);
      expect(cached.words).toEqual(parsed.words);
    }
    // A file without duplicates still serves limit loads from its cache.
    const clean = write(dir, 'clean.txt', gloveText());
    await loadVectors(clean, { cacheDir });
    const fromCache = await loadVectors(clean, { cacheDir, limit: 3 });
    expect(fromCache.origin.fromCache).toBe(true);
    expect(fromCache.size).toBe(3);
  });

  it('is invalidated when the source changes size or mtime', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'v.txt', gloveText());
    await loadVectors(path, { cacheDir });
    // Same size, new content and mtime.
    writeFileSync(path, gloveText().replace('man 0 1 0 0', 'man 0 2 0 0'));
    const later = new Date(statSync(path).mtimeMs + 5000);
    utimesSync(path, later, later);
    const changed = await loadVectors(path, { cacheDir });
    expect(changed.origin.fromCache).toBe(false);
    expect(Array.from(changed.get('man'))).toEqual([0, 2, 0, 0]);
    // Different size.
    writeFileSync(path, gloveText() + 'extra 1 1 1 1\n');
    const grown = await loadVectors(path, { cacheDir });
    expect(grown.origin.fromCache).toBe(false);
    expect(grown.size).toBe(9);
    expect((await loadVectors(path, { cacheDir })).origin.fromCache).toBe(true);
  });

  it('is invalidated when the source is rewritten with the same size and its old mtime put back (ctime and inode are checked)', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'v.txt', gloveText());
    const old = new Date('2024-01-01T00:00:00Z');
    utimesSync(path, old, old);
    expect((await loadVectors(path, { cacheDir })).origin.fromCache).toBe(false);
    expect((await loadVectors(path, { cacheDir })).origin.fromCache).toBe(true);
    const before = statSync(path);
    // Same length, other values, old mtime restored (as touch -d / cp -p / rsync -t would).
    await new Promise((r) => setTimeout(r, 15)); // past the file system's timestamp granularity
    writeFileSync(path, gloveText().replace('man 0 1 0 0', 'man 0 3 0 0'));
    utimesSync(path, old, old);
    const after = statSync(path);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(after.ctimeMs).not.toBe(before.ctimeMs);
    const rewritten = await loadVectors(path, { cacheDir });
    expect(rewritten.origin.fromCache).toBe(false);
    expect(Array.from(rewritten.get('man'))).toEqual([0, 3, 0, 0]);
    expect((await loadVectors(path, { cacheDir })).origin.fromCache).toBe(true);
  });

  it('a cache written without ctime and inode (older transferkit) is rebuilt once', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'v.txt', gloveText());
    const s = statSync(path);
    const cacheFile = cacheFileFor(path, 'glove', { cacheDir });
    await writeCache(cacheFile, { words: TINY.words, matrix: tinyMatrix(), dim: 4, duplicates: 0, source: { file: path, size: s.size, mtimeMs: s.mtimeMs, format: 'glove' } });
    expect((await loadVectors(path, { cacheDir })).origin.fromCache).toBe(false);
    expect((await readCacheHeader(cacheFile))!.source).toMatchObject({ ctimeMs: s.ctimeMs, ino: s.ino });
    expect((await loadVectors(path, { cacheDir })).origin.fromCache).toBe(true);
  });

  it('an unwritable cache folder does not fail the load: it is reported as a warning', async () => {
    const dir = tempDir();
    const path = write(dir, 'v.txt', gloveText());
    const notADir = write(dir, 'a-file', 'x');
    const wv = await loadVectors(path, { cacheDir: `${notADir}/sub` });
    expect(wv.size).toBe(8);
    expect(wv.origin.cacheFile).toBeUndefined();
    expect(wv.origin.warnings.join()).toMatch(/could not write the cache/);
  });

  it('cache: false neither reads nor writes it', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'v.json', winkJson());
    const wv = await loadVectors(path, { cacheDir, cache: false });
    expect(wv.origin.fromCache).toBe(false);
    expect(readdirSync(cacheDir)).toHaveLength(0);
  });

  it('a limit load reads the first rows of an existing cache and never writes one', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'v.txt', gloveText());
    const limited = await loadVectors(path, { cacheDir, limit: 2 });
    expect(limited.origin.fromCache).toBe(false);
    expect(readdirSync(cacheDir)).toHaveLength(0);
    await loadVectors(path, { cacheDir });
    const fromCache = await loadVectors(path, { cacheDir, limit: 3 });
    expect(fromCache.origin.fromCache).toBe(true);
    expect(fromCache.words).toEqual(TINY.words.slice(0, 3));
    expect(Array.from(fromCache.matrix)).toEqual(Array.from(tinyMatrix().subarray(0, 12)));
  });

  it('a corrupt cache is detected by its checksum and rebuilt from the source', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'v.txt', gloveText());
    const wv = await loadVectors(path, { cacheDir });
    const cacheFile = wv.origin.cacheFile!;
    const bytes = readFileSync(cacheFile);
    bytes[bytes.length - 5] ^= 0x40;
    writeFileSync(cacheFile, bytes);
    await expect(readCache(cacheFile)).rejects.toThrow(/checksum mismatch/);
    const rebuilt = await loadVectors(path, { cacheDir });
    expect(rebuilt.origin.fromCache).toBe(false);
    expect(rebuilt.origin.warnings.join()).toMatch(/corrupt cache/);
    expect(Array.from(rebuilt.matrix)).toEqual(Array.from(tinyMatrix()));
    expect((await loadVectors(path, { cacheDir })).origin.fromCache).toBe(true);
  });

  it('a cache holding ±Infinity (written before the readers refused 1e39) is not used: the source decides, as without a cache', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'big.json', winkJson(['a', 'b'], [[1, 2], [7, 4]]).replace('[7,', '[1e39,'));
    const refused = await loadVectors(path, { cache: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidFileError);
    // The cache an older wink reader wrote for this file: 1e39 stored as Infinity, with the file's stamp.
    const cacheFile = cacheFileFor(path, 'wink', { cacheDir });
    await writeCache(cacheFile, { words: ['a', 'b'], matrix: Float32Array.from([1, 2, Infinity, 4]), dim: 2, duplicates: 0, source: await stampOf(path, 'wink') });
    await expect(readCache(cacheFile)).rejects.toMatchObject({ code: 'E_INVALID_FILE', message: expect.stringMatching(/the cache holds Infinity in the vector of 'b' \(row 1, dimension 0\)/) });
    await expect(readCache(cacheFile, { limit: 2 })).rejects.toThrow(/holds Infinity/);
    await expect(loadVectors(path, { cacheDir })).rejects.toThrow((refused as Error).message);
    // A file that loads is rebuilt over such a cache, saying so.
    const fine = write(dir, 'fine.json', winkJson(['a', 'b'], [[1, 2], [7, 4]]));
    const fineCache = cacheFileFor(fine, 'wink', { cacheDir });
    await writeCache(fineCache, { words: ['a', 'b'], matrix: Float32Array.from([1, 2, -Infinity, 4]), dim: 2, duplicates: 0, source: await stampOf(fine, 'wink') });
    const rebuilt = await loadVectors(fine, { cacheDir });
    expect(rebuilt.origin.fromCache).toBe(false);
    expect(rebuilt.origin.warnings.join()).toMatch(/holds -Infinity/);
    expect(Array.from(rebuilt.get('b'))).toEqual([7, 4]);
    expect((await loadVectors(fine, { cacheDir })).origin.fromCache).toBe(true);
  });

  it('a cache of an older version (2: possibly holding ±Infinity) is rebuilt from its source, without a warning (outdated, not corrupt)', async () => {
    expect(CACHE_VERSION).toBe(3);
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const path = write(dir, 'v.txt', gloveText());
    const cacheFile = (await loadVectors(path, { cacheDir })).origin.cacheFile!;
    const bytes = readFileSync(cacheFile);
    const at = bytes.indexOf(`"version":${CACHE_VERSION},`);
    expect(at).toBeGreaterThan(0);
    bytes.write('"version":2,', at, 'latin1');
    writeFileSync(cacheFile, bytes);
    await expect(readCache(cacheFile)).rejects.toThrow(OutdatedCacheError);
    await expect(readCache(cacheFile)).rejects.toThrow(/cache version 2, this transferkit reads version 3/);
    const rebuilt = await loadVectors(path, { cacheDir });
    expect(rebuilt.origin.fromCache).toBe(false);
    expect(rebuilt.origin.warnings).toEqual([]);
    expect((await readCacheHeader(cacheFile))!.version).toBe(CACHE_VERSION);
    expect((await loadVectors(path, { cacheDir })).origin.fromCache).toBe(true);
  });

  it('a truncated cache or a foreign file is an InvalidFileError naming the offset', async () => {
    const dir = tempDir();
    const file = `${dir}/c.tkv`;
    await writeCache(file, { words: TINY.words, matrix: tinyMatrix(), dim: 4, duplicates: 0, source: { file: 'x', size: 1, mtimeMs: 1, format: 'glove' } });
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    await expect(readCache(file)).rejects.toMatchObject({ code: 'E_INVALID_FILE', location: `byte ${bytes.length - 10}` });
    writeFileSync(file, 'hello world, not a cache');
    await expect(readCache(file)).rejects.toBeInstanceOf(InvalidFileError);
    await expect(readCache(file)).rejects.toThrow(/bad magic/);
  });

  it('header records version, shape, checksum and source; words with newlines survive', async () => {
    const dir = tempDir();
    const file = `${dir}/c.tkv`;
    const words = ['plain', 'two\nlines', 'ünï'];
    const matrix = Float32Array.from([1, 2, 3, 4, 5, 6]);
    await writeCache(file, { words, matrix, dim: 2, duplicates: 1, source: { file: '/src', size: 10, mtimeMs: 20, format: 'glove' } });
    const header = (await readCacheHeader(file))!;
    expect(header).toMatchObject({ version: CACHE_VERSION, size: 3, dim: 2, dtype: 'float32', vocabEncoding: 'json', duplicates: 1, source: { file: '/src', size: 10 } });
    expect(header.checksum).toMatch(/^[0-9a-f]{8}$/);
    expect(header.matrixOffset % 64).toBe(0);
    expect(header.indexOffset % 64).toBe(0);
    const back = await readCache(file);
    expect(back.words).toEqual(words);
    expect(Array.from(back.matrix)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.index.get('two\nlines')).toBe(1);
  });
});
