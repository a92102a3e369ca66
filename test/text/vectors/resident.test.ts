import { describe, expect, it } from 'vitest';
import { exactTopK } from '../../../embeddings/index.js';
import { isResident } from '../../../embeddings/rowstore.js';
import { kernelOwning } from '../../../embeddings/wasm-dots.js';
import { loadVectors, readCache, saveVectors, WordVectors, writeCache } from '../../../text/vectors/index.js';
import { gloveText, tempDir, TINY, tinyMatrix, winkJson, word2vecBinary, word2vecText, write } from './helpers.js';

/** Seeded pseudo-random rows (−1, 1). */
function randomRows(rows: number, dim: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const m = new Float32Array(rows * dim);
  for (let i = 0; i < m.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    m[i] = s / 2 ** 31 - 1;
  }
  return m;
}

/** Top-k words by cosine, the slow obvious way. */
function bruteForce(words: readonly string[], m: Float32Array, dim: number, word: string, k: number): string[] {
  const q = words.indexOf(word);
  const dot = (a: number, b: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += m[a * dim + d]! * m[b * dim + d]!;
    return s;
  };
  const scored = words.map((w, r) => ({ w, s: dot(r, q) / Math.sqrt(dot(r, r) * dot(q, q)) }));
  return scored
    .filter((x) => x.w !== word)
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.w);
}

describe('the WordVectors matrix in WebAssembly memory', () => {
  it('every loader and the cache reader put the rows where exact queries scan them in place', async () => {
    const dir = tempDir();
    const cacheDir = tempDir('tk-vcache-');
    const files = {
      glove: write(dir, 'v.txt', gloveText()),
      word2vec: write(dir, 'v.vec', word2vecText()),
      'word2vec-bin': write(dir, 'v.bin', word2vecBinary()),
      wink: write(dir, 'v.json', winkJson()),
    };
    for (const [format, path] of Object.entries(files)) {
      const parsed = await loadVectors(path, { cacheDir });
      const cached = await loadVectors(path, { cacheDir });
      expect(cached.origin.fromCache).toBe(true);
      for (const wv of [parsed, cached]) {
        expect(isResident(wv.matrix), format).toBe(true);
        expect(Array.from(wv.matrix)).toEqual(Array.from(tinyMatrix()));
        expect(wv.mostSimilar('king', 2).map((n) => n.word)).toEqual(['prince', 'man']);
      }
    }
  });

  it('fromArrays borrows the caller’s array (same object, not copied); allocateMatrix gives one scanned in place', () => {
    const own = tinyMatrix();
    const borrowed = WordVectors.fromArrays({ words: TINY.words, matrix: own, dim: 4 });
    expect(borrowed.matrix).toBe(own);
    expect(isResident(borrowed.matrix)).toBe(false);

    const m = WordVectors.allocateMatrix(TINY.words.length, 4);
    expect(isResident(m)).toBe(true);
    m.set(tinyMatrix());
    const resident = WordVectors.fromArrays({ words: TINY.words, matrix: m, dim: 4 });
    expect(resident.matrix).toBe(m);
    expect(resident.mostSimilar('queen', 8)).toEqual(borrowed.mostSimilar('queen', 8));
  });

  it('queries never grow the memory: the matrix view (and views taken from it) stay valid', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}`);
    const dim = 40;
    const m = WordVectors.allocateMatrix(words.length, dim);
    m.set(randomRows(words.length, dim, 7));
    const wv = WordVectors.fromArrays({ words, matrix: m, dim });
    const held = wv.matrix;
    const slice = held.subarray(dim * 10, dim * 20);
    wv.mostSimilar('w1', 10);
    wv.mostSimilar({ positive: ['w1', 'w2'], negative: ['w3'], restrictVocab: 1000 });
    wv.searchIndex.queryBatch(randomRows(200, dim, 8), { k: 5 });
    // A batch larger than the reserved scratch: scanned in rounds, not by growing.
    exactTopK({ matrix: wv.matrix, dim, rows: words.length, metric: 'cosine', rowScale: wv.inverseNorm() }, randomRows(300, dim, 9), 300, { k: 3 });
    expect(wv.matrix).toBe(held);
    expect(held.length).toBe(words.length * dim);
    expect(slice.length).toBe(10 * dim);
  });

  it('if the memory ever grows, the matrix getter re-reads it and queries stay correct', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const dim = 24;
    const m = WordVectors.allocateMatrix(words.length, dim);
    const data = randomRows(words.length, dim, 11);
    m.set(data);
    const wv = WordVectors.fromArrays({ words, matrix: m, dim });
    const before = wv.mostSimilar('w42', 10);
    const similarity = wv.similarity('w1', 'w2');
    const dots = kernelOwning(m.buffer)!;
    dots.reserve(dots.memory.buffer.byteLength + 4 * 65536);
    expect(m.length).toBe(0); // the old view is detached
    const live = wv.matrix;
    expect(live.buffer).toBe(dots.memory.buffer);
    expect(Array.from(live)).toEqual(Array.from(data));
    expect(isResident(live)).toBe(true);
    expect(wv.mostSimilar('w42', 10)).toEqual(before);
    expect(Array.from(wv.get('w7'))).toEqual(Array.from(data.subarray(7 * dim, 8 * dim)));
    expect(wv.similarity('w1', 'w2')).toBe(similarity);
    expect(wv.subset(['w3']).matrix.length).toBe(dim);
  });

  it('a larger matrix round-trips through the cache and text, and queries agree with brute force', async () => {
    const dir = tempDir();
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i}`);
    const dim = 64;
    const data = randomRows(words.length, dim, 3);
    const wv = WordVectors.fromArrays({ words, matrix: data, dim });
    const cacheFile = `${dir}/big.tkv`;
    await writeCache(cacheFile, { words, matrix: wv.matrix, dim, duplicates: 0, source: { file: 'synthetic', size: 0, mtimeMs: 0, format: 'glove' } });
    const cached = await readCache(cacheFile);
    expect(isResident(cached.matrix)).toBe(true);
    expect(cached.matrix.length).toBe(words.length * dim);
    expect(Buffer.from(cached.matrix.buffer, cached.matrix.byteOffset, cached.matrix.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
    const back = WordVectors.fromArrays({ words: cached.words, matrix: cached.matrix, dim, wordIndex: cached.index });
    for (const w of ['w0', 'w777', 'w19999']) {
      const got = back.mostSimilar(w, 10).map((n) => n.word);
      expect(got).toEqual(bruteForce(words, data, dim, w, 10));
      expect(got).toEqual(wv.mostSimilar(w, 10).map((n) => n.word));
    }
    // Saved as text and parsed again: the parser also fills resident memory.
    const text = `${dir}/big.txt`;
    await saveVectors(back, text, 'glove');
    const parsed = await loadVectors(text, { cache: false });
    expect(isResident(parsed.matrix)).toBe(true);
    expect(Array.from(parsed.matrix.subarray(0, 5 * dim))).toEqual(Array.from(data.subarray(0, 5 * dim)));
    expect(parsed.mostSimilar('w777', 10)).toEqual(back.mostSimilar('w777', 10));
  });
});
