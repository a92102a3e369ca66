import { describe, expect, it } from 'vitest';
import { InvalidFileError, NotFoundError } from '../../../src/errors.js';
import { FLOAT32_MAX } from '../../../embeddings/vectors.js';
import { detectFormat, loadVectors, saveVectors, WordVectors, type VectorFormat } from '../../../text/vectors/index.js';
import { tempDir, winkJson, word2vecBinary, word2vecText, write } from './helpers.js';

const dir = tempDir();

/** Load `content` and return the InvalidFileError it raises. */
async function failure(name: string, content: string | Buffer, format?: VectorFormat): Promise<InvalidFileError> {
  const path = write(dir, name, content);
  try {
    await loadVectors(path, { format, cache: false });
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidFileError);
    const err = e as InvalidFileError;
    expect(err.file).toBe(path);
    expect(err.message.startsWith(path)).toBe(true);
    expect(err.hint).toBeTruthy();
    return err;
  }
  throw new Error(`loading ${name} did not fail`);
}

describe('bad vector files fail with the file and the line or byte offset', () => {
  it('a line with too few values', async () => {
    const e = await failure('few.txt', 'a 1 2 3\nb 1 2\nc 1 2 3\n');
    expect(e.location).toMatch(/^line 2, byte \d+$/);
    expect(e.message).toMatch(/expected 3 values, found 2/);
  });

  it('a line with too many values', async () => {
    const e = await failure('many.txt', 'a 1 2 3\nb 1 2 3\nc 1 2 3 4\n');
    expect(e.location).toMatch(/^line 3, byte 24$/);
    expect(e.message).toMatch(/expected 3 values, found more/);
  });

  it('a non-numeric value, naming it', async () => {
    const e = await failure('text.txt', 'a 1 2 3\nb 1 x2 3\n');
    expect(e.location).toBe('line 2, byte 12');
    expect(e.message).toMatch(/non-numeric value 'x2'/);
  });

  it('NaN and infinity are rejected', async () => {
    expect((await failure('nan.txt', 'a 1 2\nb nan 2\n')).message).toMatch(/non-numeric value 'nan'/);
    expect((await failure('inf.txt', 'a 1 inf\n')).location).toMatch(/^line 1/);
    expect((await failure('big.txt', 'a 1 1e39\n')).message).toMatch(/float32 range/);
  });

  it('the wink (JSON) reader refuses values past the float32 range too (it stored them as Infinity)', async () => {
    const wink = (value: string) => winkJson(['a', 'b'], [[1, 2], [7, 4]]).replace('[7,', `[${value},`);
    const e = await failure('big.json', wink('1e39'));
    expect(e.message).toMatch(/value 1e\+39 in the vector of 'b' is outside the float32 range$/);
    expect((await failure('big-negative.json', wink('-1e999'))).message).toMatch(/value -Infinity in the vector of 'b' is outside the float32 range/);
    // The norm and index columns are not stored: only the vector's values are checked.
    const ok = write(dir, 'max.json', wink('3.4e38'));
    expect((await loadVectors(ok, { cache: false })).get('b')[0]).toBeCloseTo(3.4e38, -32);
  });

  it('the largest float32, written as its shortest decimal 3.4028235e38 (a little above it as a double), is read, by both text readers', async () => {
    expect(Math.fround(3.4028235e38)).toBe(FLOAT32_MAX);
    expect(3.4028235e38).toBeGreaterThan(FLOAT32_MAX);
    const glove = await loadVectors(write(dir, 'f32max.txt', 'a 3.4028235e38 -3.4028235e38\n'), { cache: false });
    expect(Array.from(glove.get('a'))).toEqual([FLOAT32_MAX, -FLOAT32_MAX]);
    const wink = winkJson(['a', 'b'], [[1, 2], [7, 4]]).replace('[7,4', '[3.4028235e38,-3.4028235e38');
    expect(Array.from((await loadVectors(write(dir, 'f32max.json', wink), { cache: false })).get('b'))).toEqual([FLOAT32_MAX, -FLOAT32_MAX]);
    // The next decimal up rounds to Infinity as a float32: still refused.
    expect((await failure('f32over.txt', 'a 3.4028236e38 1\n')).message).toMatch(/'3.4028236e38' is outside the float32 range/);
    expect((await failure('f32over.json', winkJson(['a', 'b'], [[1, 2], [7, 4]]).replace('[7,', '[-3.4028236e38,'))).message).toMatch(/outside the float32 range/);
  });

  it('vectors holding ±FLOAT32_MAX round-trip through every text format (saveVectors writes 3.4028235e38)', async () => {
    const wv = WordVectors.fromArrays({ words: ['big', 'small'], matrix: Float32Array.from([FLOAT32_MAX, -FLOAT32_MAX, 1, 0]), dim: 2 });
    for (const format of ['glove', 'word2vec', 'fasttext', 'word2vec-bin'] as const) {
      const out = `${dir}/f32max-round.${format}`;
      await saveVectors(wv, out, format);
      const back = await loadVectors(out, { format, cache: false });
      expect(Array.from(back.matrix), format).toEqual(Array.from(wv.matrix));
    }
  });

  it('a number glued to garbage', async () => {
    expect((await failure('glued.txt', 'a 1 2.5.1\n')).message).toMatch(/non-numeric value '2.5.1'/);
  });

  it('header count larger than the rows (truncated text)', async () => {
    const e = await failure('short.w2v', '3 2\na 1 2\nb 3 4\n');
    expect(e.message).toMatch(/header declares 3 vectors but the file has 2/);
    expect(e.location).toMatch(/^line 3, byte 16$/);
  });

  it('an absurd header count fails as truncated instead of allocating for it', async () => {
    const text = await failure('huge.w2v', '900000000000 300\na ' + '1 '.repeat(300) + '\n');
    expect(text.message).toMatch(/header declares 900000000000 vectors but the file has 1/);
    const bin = await failure('huge.bin', Buffer.concat([Buffer.from('900000000000 2\n'), word2vecBinary(['a'], [[1, 2]]).subarray(4)]));
    expect(bin.message).toMatch(/ends inside|truncated/);
    const wink = await failure('huge.json', winkJson(['a'], [[1, 2]]).replace('"size":1', '"size":900000000000'));
    expect(wink.message).toMatch(/declares 900000000000 vectors but the file has 1/);
  });

  it('header count smaller than the rows', async () => {
    const e = await failure('long.w2v', '1 2\na 1 2\nb 3 4\n');
    expect(e.message).toMatch(/more rows than the header's count 1/);
    expect(e.location).toMatch(/^line 3/);
  });

  it('a word2vec header that is not one', async () => {
    const e = await failure('nohead.w2v', 'a 1 2\n', 'word2vec');
    expect(e.location).toMatch(/^line 1/);
    expect(e.message).toMatch(/expected a header/);
  });

  it('an empty file', async () => {
    for (const format of [undefined, 'glove', 'word2vec', 'word2vec-bin', 'wink'] as const) {
      const e = await failure(`empty-${format}.txt`, '', format);
      expect(e.message).toMatch(/empty/);
      expect(e.location).toBe('byte 0');
    }
  });

  it('a file with only blank lines', async () => {
    expect((await failure('blank.txt', '\n\n\n', 'glove')).message).toMatch(/no vectors/);
  });

  it('truncated word2vec binary: inside the values, and inside a word', async () => {
    const full = word2vecBinary();
    const inValues = await failure('cut-values.bin', full.subarray(0, full.length - 7));
    expect(inValues.message).toMatch(/ends inside the values of 'fruit'/);
    expect(inValues.location).toMatch(/^byte \d+$/);
    const header = word2vecBinary(['a', 'b'], [[1, 2], [3, 4]]);
    const e = await failure('cut-word.bin', Buffer.concat([Buffer.from('3 2\n'), header.subarray(4), Buffer.from('c')]));
    expect(e.message).toMatch(/ends inside the word of vector 3/);
  });

  it('word2vec binary with more rows than its header says', async () => {
    const two = word2vecBinary(['a', 'b'], [[1, 2], [3, 4]]);
    const e = await failure('extra.bin', Buffer.concat([Buffer.from('1 2\n'), two.subarray(4)]));
    expect(e.message).toMatch(/more data after the 1 vectors/);
    expect(e.location).toBe(`byte ${4 + 2 + 8 + 1}`);
  });

  it('NaN inside word2vec binary', async () => {
    const e = await failure('nan.bin', word2vecBinary(['a', 'b'], [[1, 2], [NaN, 4]]));
    expect(e.message).toMatch(/NaN or infinite value in the vector of 'b'/);
    expect(e.location).toBe(`byte ${4 + 2 + 8 + 1 + 2}`);
  });

  it('UTF-16 text (byte-order mark) is refused with a conversion hint', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a 1 2\n', 'utf16le')]);
    const e = await failure('utf16.txt', utf16, 'glove');
    expect(e.message).toMatch(/UTF-16/);
    expect(e.hint).toMatch(/iconv/);
  });

  it('invalid UTF-8 in a word', async () => {
    const bytes = Buffer.concat([Buffer.from('ok 1 2\nb'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from(' 3 4\n')]);
    const e = await failure('latin1.txt', bytes, 'glove');
    expect(e.message).toMatch(/invalid UTF-8/);
    expect(e.location).toMatch(/^line 2, byte 7$/);
    const wv = await loadVectors(write(dir, 'latin1-replace.txt', bytes), { format: 'glove', cache: false, unicodeErrors: 'replace' });
    expect(wv.words[1]).toBe('b\ufffd\ufffdA');
  });

  it('headered word2vec text with one non-UTF-8 byte is text with invalid UTF-8, not word2vec binary — detected or --format word2vec', async () => {
    const bytes = Buffer.concat([Buffer.from('3 2\nking 0.5 -1\nqueen 1 2\ncaf'), Buffer.from([0xe9]), Buffer.from(' 3 4\n')]);
    const path = write(dir, 'latin1w2v.txt', bytes);
    expect(await detectFormat(path)).toBe('word2vec');
    for (const format of [undefined, 'word2vec'] as const) {
      const e = (await loadVectors(path, { format, cache: false }).catch((x: unknown) => x)) as InvalidFileError;
      expect(e).toBeInstanceOf(InvalidFileError);
      expect(e.message).toMatch(/invalid UTF-8 in a word/);
      expect(e.message).not.toMatch(/binary/);
      expect(e.location).toMatch(/^line 4, byte \d+$/);
      expect(e.hint).toMatch(/iconv -f LATIN1 -t UTF-8/);
      expect(e.hint).toMatch(/--unicode-errors replace/);
    }
    const wv = await loadVectors(path, { format: 'word2vec', cache: false, unicodeErrors: 'replace' });
    expect(wv.words).toEqual(['king', 'queen', 'caf\ufffd']);
    // A first word with the bad byte reads as text too; real word2vec binary is still detected.
    const first = write(dir, 'latin1first.txt', Buffer.concat([Buffer.from('1 2\ncaf'), Buffer.from([0xe9]), Buffer.from(' 3 4\n')]));
    expect(await detectFormat(first)).toBe('word2vec');
    const bin = Buffer.concat([Buffer.from('1 1\nw '), Buffer.from(Float32Array.from([0.1]).buffer), Buffer.from('\n')]);
    expect(await detectFormat(write(dir, 'nocontrol.bin', bin))).toBe('word2vec-bin');
  });

  it('NUL bytes (UTF-16 without a byte-order mark)', async () => {
    const e = await failure('utf16-nobom.txt', Buffer.from('ab 1 2\n', 'utf16le'), 'glove');
    expect(e.message).toMatch(/NUL byte/);
  });

  it('wink layout: a vector with the wrong number of columns', async () => {
    const good = winkJson(['a', 'b'], [[1, 2], [3, 4]]);
    const bad = good.replace('"b":[3,4,5,1]', '"b":[3,4,5]');
    expect(bad).not.toBe(good);
    const e = await failure('bad-wink.json', bad);
    expect(e.message).toMatch(/'b' has 3 columns, expected 4/);
    expect(e.location).toMatch(/^byte \d+$/);
  });

  it('wink layout: truncated file and wrong size', async () => {
    const good = winkJson(['a', 'b'], [[1, 2], [3, 4]]);
    expect((await failure('cut-words.json', good.slice(0, good.indexOf('"b"') + 2))).message).toMatch(/truncated/);
    const cut = await failure('cut-wink.json', good.slice(0, good.lastIndexOf('"b"') + 8));
    expect(cut.message).toMatch(/expected ',' or '\]' in the vector of 'b'/);
    expect(cut.hint).toMatch(/truncated/);
    expect((await failure('size-wink.json', good.replace('"size":2', '"size":3'))).message).toMatch(/declares 3 vectors but the file has 2/);
  });

  it('a missing file or unknown bundled name is NotFoundError naming the bundled sets', async () => {
    await expect(loadVectors(`${dir}/nope.txt`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(loadVectors('glove-nope-50d')).rejects.toThrow(/glove-nope-50d/);
    await expect(loadVectors('glove-nope-50d')).rejects.toMatchObject({ hint: expect.stringMatching(/glove-wink-100d/) });
  });

  it('binary data given as text is refused', async () => {
    const e = await failure('bin-as-text.txt', word2vecBinary(), 'word2vec');
    expect(e.message).toMatch(/this looks like a word2vec binary file, not word2vec text/);
    expect(e.hint).toMatch(/word2vec-bin/);
  });

  it('a text file given as word2vec binary is refused', async () => {
    const e = await failure('text-as-bin.txt', word2vecText(), 'word2vec-bin');
    expect(e.location).toMatch(/^byte \d+$/);
  });
});

describe('loadVectors options', () => {
  it('refuses an unknown unicodeErrors policy or a non-boolean cache (they were read as strict / a cache key of their own)', async () => {
    const { InvalidArgumentError } = await import('../../../src/errors.js');
    const path = write(dir, 'opts.txt', 'a 1 2\nb 3 4\n');
    await expect(loadVectors(path, { unicodeErrors: 'ignore' as 'strict' })).rejects.toThrow(InvalidArgumentError);
    await expect(loadVectors(path, { unicodeErrors: 'ignore' as 'strict' })).rejects.toThrow(/unicodeErrors must be 'strict' or 'replace', got 'ignore'/);
    await expect(loadVectors(path, { cache: 'no' as unknown as boolean })).rejects.toThrow(/cache must be true or false/);
    expect((await loadVectors(path, { cache: false, unicodeErrors: undefined })).size).toBe(2);
  });

  it('fromArrays: an origin field given as undefined keeps its default', async () => {
    const { WordVectors } = await import('../../../text/vectors/index.js');
    const wv = WordVectors.fromArrays({ words: ['a'], matrix: Float32Array.from([1]), dim: 1, origin: { source: 'x', duplicates: undefined, warnings: undefined } });
    expect(wv.origin).toMatchObject({ source: 'x', duplicates: 0, warnings: [], fromCache: false });
  });
});
