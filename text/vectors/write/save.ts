/**
 * `saveVectors(wv, path, format)`: write GloVe text, word2vec text, fastText .vec
 * or word2vec binary, atomically (a temp file renamed into place). Text numbers
 * are the shortest decimals that read back as the same float32, so a text
 * round trip is exact.
 */
import { InvalidArgumentError } from '../../../src/errors.js';
import { streamFileAtomic, writeChunk as write } from '../../../src/io/atomic.js';
import { silentProgress, type Progress } from '../../../src/progress.js';
import { WRITABLE_FORMATS, type WritableFormat } from '../formats.js';
import { MAX_FLOAT32_CHARS, writeFloat32 } from './format-float.js';

/** What `saveVectors` needs: any object with words, a row-major matrix and a dimension. */
export interface VectorsLike {
  readonly words: readonly string[];
  readonly matrix: Float32Array;
  readonly dim: number;
}

export interface SaveVectorsOptions {
  /** Progress over rows written. Default silent. */
  progress?: Progress;
}

/** Flush text/bytes in blocks of about this size. */
const BLOCK = 1 << 20;


export async function saveVectors(wv: VectorsLike, path: string, format: WritableFormat, options: SaveVectorsOptions = {}): Promise<void> {
  if (!WRITABLE_FORMATS.includes(format)) {
    throw new InvalidArgumentError(`cannot write format '${format as string}'`, { hint: `use one of ${WRITABLE_FORMATS.join(', ')}` });
  }
  const { words, matrix, dim } = wv;
  for (const w of words) {
    if (/[\s]/.test(w) || w.length === 0) {
      throw new InvalidArgumentError(`the word ${JSON.stringify(w)} is empty or contains whitespace; ${format} files cannot represent it`);
    }
  }
  const progress = options.progress ?? silentProgress;
  const n = words.length;
  progress.start(`writing ${format}`, n);
  try {
    await streamFileAtomic(path, async (out) => {
      if (format !== 'glove') await write(out, `${n} ${dim}\n`);
      if (format === 'word2vec-bin') {
        const bytes = new Uint8Array(matrix.buffer, matrix.byteOffset, n * dim * 4);
        const parts: Uint8Array[] = [];
        let size = 0;
        for (let r = 0; r < n; r++) {
          const head = Buffer.from(words[r] + ' ', 'utf8');
          parts.push(head, bytes.subarray(r * dim * 4, (r + 1) * dim * 4), NEWLINE);
          size += head.length + dim * 4 + 1;
          if (size >= BLOCK || r === n - 1) {
            await write(out, Buffer.concat(parts, size));
            parts.length = 0;
            size = 0;
            progress.update(r + 1);
          }
        }
        return;
      }
      // Text rows are formatted as bytes into a block (no per-value strings), handed to the
      // stream when full; a fresh block follows, as the stream may still hold the last one.
      const lineMax = (w: string) => w.length * 3 + dim * (MAX_FLOAT32_CHARS + 1) + 1;
      let block = Buffer.allocUnsafe(Math.max(BLOCK, lineMax(words[0] ?? '')) + BLOCK / 4);
      let pos = 0;
      for (let r = 0; r < n; r++) {
        const word = words[r]!;
        if (pos + lineMax(word) > block.length) {
          await write(out, block.subarray(0, pos));
          progress.update(r);
          block = Buffer.allocUnsafe(Math.max(BLOCK, lineMax(word)) + BLOCK / 4);
          pos = 0;
        }
        pos += block.write(word, pos, 'utf8');
        for (let o = r * dim, e = o + dim; o < e; o++) {
          block[pos++] = 32;
          pos = writeFloat32(block, pos, matrix[o]!);
        }
        block[pos++] = 10;
      }
      if (pos > 0) await write(out, block.subarray(0, pos));
      progress.update(n);
    });
  } finally {
    progress.stop();
  }
}

const NEWLINE = new Uint8Array([10]);
