import { describe, expect, it } from 'vitest';
import { detectFormat, loadVectors, saveVectors, WordVectors, type VectorFormat } from '../../../text/vectors/index.js';
import { gloveText, tempDir, TINY, tinyMatrix, winkJson, word2vecBinary, word2vecText, write } from './helpers.js';

const dir = tempDir();
const cacheDir = tempDir('tk-vcache-');

const files: [string, string | Buffer, VectorFormat][] = [
  ['tiny.glove.txt', gloveText(), 'glove'],
  ['tiny.w2v.txt', word2vecText(), 'word2vec'],
  ['tiny.vec', word2vecText(), 'fasttext'],
  ['tiny.bin', word2vecBinary(), 'word2vec-bin'],
  ['tiny-nonl.bin', word2vecBinary(undefined, undefined, false), 'word2vec-bin'],
  ['tiny.json', winkJson(), 'wink'],
];

describe('vector file formats', () => {
  for (const [name, content, format] of files) {
    it(`reads ${format} (${name}) exactly, detecting the format from content`, async () => {
      const path = write(dir, name, content);
      expect(await detectFormat(path)).toBe(format);
      const wv = await loadVectors(path, { cacheDir });
      expect(wv.origin.format).toBe(format);
      expect(wv.words).toEqual(TINY.words);
      expect(wv.dim).toBe(4);
      expect(wv.size).toBe(8);
      expect(Array.from(wv.matrix)).toEqual(Array.from(tinyMatrix()));
    });
  }

  it('an explicit format overrides detection', async () => {
    const path = write(dir, 'looks-like-glove.txt', word2vecText());
    await expect(loadVectors(path, { format: 'glove', cache: false })).rejects.toThrow(/line 1.*header/);
    const wv = await loadVectors(path, { format: 'word2vec', cache: false });
    expect(wv.size).toBe(8);
  });

  it('tolerates CRLF line ends, trailing spaces (fastText) and a UTF-8 BOM', async () => {
    const text = '\ufeff' + word2vecText().replace(/\n/g, ' \r\n');
    const wv = await loadVectors(write(dir, 'crlf.vec', text), { cache: false });
    expect(wv.words).toEqual(TINY.words);
    expect(Array.from(wv.matrix)).toEqual(Array.from(tinyMatrix()));
  });

  it('parses exponents, signs and long decimals exactly as float32', async () => {
    const values = ['1e-3', '-2.5E+2', '+0.125', '3.14159265358979323846', '-0', '1234567890123456789', '7.', '.5'];
    const path = write(dir, 'numbers.txt', `w ${values.join(' ')}\n`);
    const wv = await loadVectors(path, { cache: false });
    expect(Array.from(wv.get('w'))).toEqual(values.map((v) => Math.fround(Number(v))));
  });

  it('decodes UTF-8 words', async () => {
    const path = write(dir, 'utf8.txt', 'café 1 2\nnaïve 3 4\n日本 5 6\n');
    const wv = await loadVectors(path, { cache: false });
    expect(wv.words).toEqual(['café', 'naïve', '日本']);
    expect(Array.from(wv.get('日本'))).toEqual([5, 6]);
  });

  for (const [name, content] of files) {
    it(`limit keeps the first N words (${name})`, async () => {
      const path = write(dir, `limit-${name}`, content);
      const wv = await loadVectors(path, { limit: 3, cache: false });
      expect(wv.words).toEqual(TINY.words.slice(0, 3));
      expect(Array.from(wv.matrix)).toEqual(Array.from(tinyMatrix().subarray(0, 12)));
    });
  }

  it('duplicate words: the first occurrence wins and the drops are counted', async () => {
    const words = ['a', 'b', 'a', 'c', 'b'];
    const rows = [[1, 0], [0, 1], [9, 9], [1, 1], [8, 8]];
    for (const [name, content] of [
      ['dup.txt', gloveText(words, rows)],
      ['dup.w2v', word2vecText(words, rows)],
      ['dup.bin', word2vecBinary(words, rows)],
    ] as const) {
      const wv = await loadVectors(write(dir, name, content), { cache: false });
      expect(wv.words).toEqual(['a', 'b', 'c']);
      expect(Array.from(wv.get('a'))).toEqual([1, 0]);
      expect(Array.from(wv.get('b'))).toEqual([0, 1]);
      expect(wv.origin.duplicates).toBe(2);
    }
  });

  for (const format of ['glove', 'word2vec', 'fasttext', 'word2vec-bin'] as const) {
    it(`saveVectors → load round-trips ${format} exactly`, async () => {
      const matrix = Float32Array.from({ length: 6 * 3 }, (_, i) => Math.fround(Math.sin(i + 1) * 10 ** ((i % 7) - 3)));
      const words = ['alpha', 'beta', 'gamma', 'δέλτα', 'e', 'f'];
      const wv = WordVectors.fromArrays({ words, matrix, dim: 3 });
      const out = `${dir}/out-${format}`;
      await saveVectors(wv, out, format);
      const back = await loadVectors(out, { format, cache: false });
      expect(back.words).toEqual(words);
      expect(Array.from(back.matrix)).toEqual(Array.from(matrix));
    });
  }

  it('saveVectors refuses words a text format cannot hold', async () => {
    const wv = WordVectors.fromArrays({ words: ['two words'], matrix: new Float32Array([1]), dim: 1 });
    await expect(saveVectors(wv, `${dir}/bad.txt`, 'glove')).rejects.toThrow(/whitespace/);
  });

  it('reports progress over the bytes of the file', async () => {
    const path = write(dir, 'progress.txt', gloveText());
    const events: string[] = [];
    await loadVectors(path, {
      cache: false,
      progress: { start: (l, t) => events.push(`start ${t}`), update: (d) => events.push(`update ${d}`), stop: () => events.push('stop') },
    });
    const size = Buffer.byteLength(gloveText());
    expect(events[0]).toBe(`start ${size}`);
    expect(events).toContain(`update ${size}`);
    expect(events.at(-1)).toBe('stop');
  });
});
