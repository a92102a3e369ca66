/** Small vector files written by the tests themselves. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'tk-vectors-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Words and rows of a tiny hand-made set (dim 4): man:king :: woman:queen holds exactly. */
export const TINY: { words: string[]; rows: number[][] } = {
  words: ['man', 'woman', 'king', 'queen', 'apple', 'banana', 'prince', 'fruit'],
  rows: [
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [1, 1, 0, 0],
    [1, 0, 1, 0],
    [0, 0, 0, 1],
    [0, 0.1, 0, 1],
    [0.9, 1, 0.2, 0],
    [0.1, 0, 0.1, 1],
  ],
};

export function tinyMatrix(): Float32Array {
  return Float32Array.from(TINY.rows.flat());
}

export function gloveText(words = TINY.words, rows = TINY.rows): string {
  return words.map((w, i) => `${w} ${rows[i]!.join(' ')}\n`).join('');
}

export function word2vecText(words = TINY.words, rows = TINY.rows): string {
  return `${words.length} ${rows[0]!.length}\n` + gloveText(words, rows);
}

export function word2vecBinary(words = TINY.words, rows = TINY.rows, newline = true): Buffer {
  const parts: Buffer[] = [Buffer.from(`${words.length} ${rows[0]!.length}\n`)];
  words.forEach((w, i) => {
    parts.push(Buffer.from(w + ' ', 'utf8'));
    parts.push(Buffer.from(Float32Array.from(rows[i]!).buffer));
    if (newline) parts.push(Buffer.from('\n'));
  });
  return Buffer.concat(parts);
}

/** The wink-embeddings JSON layout: each vector followed by its norm and its index. */
export function winkJson(words = TINY.words, rows = TINY.rows): string {
  const dim = rows[0]!.length;
  const vectors: Record<string, number[]> = {};
  words.forEach((w, i) => {
    const norm = Math.hypot(...rows[i]!);
    vectors[w] = [...rows[i]!, norm, i];
  });
  return JSON.stringify({ precision: 8, l2NormIndex: dim, wordIndex: dim + 1, size: words.length, dimensions: dim, words, vectors, unkVector: [...new Array(dim).fill(0), 0, -1] });
}

export function write(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Cosine similarity, computed independently of the library. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return d / Math.sqrt(na * nb);
}
