/**
 * word2vec binary (`-binary 1`): an ASCII header `count dim\n`, then per word the
 * word's UTF-8 bytes, a space, and `dim` little-endian float32 values (the
 * original tool also writes a '\n' after each vector; it is skipped). Values are
 * decoded (and checked for NaN/∞) straight into the matrix, which is allocated
 * once from the header.
 */
import { InvalidFileError } from '../../../src/errors.js';
import { formatHint } from '../formats.js';
import { MatrixBuilder } from './matrix-builder.js';
import type { RawVectors, ReadOptions } from './raw.js';
import { readVectorFile } from './vector-file.js';
import { decodeWord } from './words.js';

/** Longest word accepted before deciding the file is not word2vec binary. */
const MAX_WORD_BYTES = 4096;

export async function readWord2vecBinary(path: string, options: ReadOptions): Promise<RawVectors> {
  return readVectorFile(path, options, 'check the path or re-download the file', async ({ r, progress, unicodeErrors, limit }) => {
    const fail = (message: string, i: number, hint?: string): never => {
      throw new InvalidFileError(message, {
        file: path,
        location: `byte ${r.offset(i)}`,
        hint: hint ?? `the file is damaged or not word2vec binary; re-download it, or ${formatHint()}`,
      });
    };
    const nl = r.buf.indexOf(10);
    const m = nl > 0 && nl < 64 ? /^\s*(\d+)\s+(\d+)\s*$/.exec(r.buf.toString('latin1', 0, nl)) : null;
    if (!m) fail("expected a header 'count dim' on the first line", 0, `this is not a word2vec binary file; ${formatHint()}`);
    const declared = Number(m![1]);
    const dim = Number(m![2]);
    if (declared < 1 || dim < 1) fail('the header declares no vectors or dimension 0', 0);
    r.start = nl + 1;
    const rowBytes = dim * 4;
    // Never allocate for more rows than the file can hold, whatever its header claims.
    const rowsPossible = Math.floor(r.fileSize / (rowBytes + 2)) + 1;
    const b = new MatrixBuilder(Math.min(declared, limit, rowsPossible), dim);
    const truncated = (i: number, what: string) =>
      fail(`the file ends inside ${what} (header declares ${declared} vectors of dimension ${dim}, read ${b.size + b.duplicates})`, i, 'the file looks truncated: re-download it');
    let rows = 0;
    let view = new DataView(r.buf.buffer, r.buf.byteOffset, r.buf.byteLength);
    const refill = async () => {
      await r.refill();
      if (view.buffer !== r.buf.buffer || view.byteOffset !== r.buf.byteOffset) view = new DataView(r.buf.buffer, r.buf.byteOffset, r.buf.byteLength);
      progress.update(r.bytesRead);
    };
    while (!b.full && rows < declared) {
      // Word: skip leading newlines, read up to the space (a JS scan: words are short).
      let sp: number;
      for (;;) {
        const buf = r.buf;
        while (r.start < r.end && (buf[r.start] === 10 || buf[r.start] === 13)) r.start++;
        sp = r.start;
        const stop = Math.min(r.end, r.start + MAX_WORD_BYTES + 1);
        while (sp < stop && buf[sp] !== 32) sp++;
        if (sp < stop) break;
        if (sp - r.start > MAX_WORD_BYTES) fail(`no word separator within ${MAX_WORD_BYTES} bytes`, r.start, 'the header count or dimension is wrong, or this is not word2vec binary');
        if (r.eof) truncated(r.start, `the word of vector ${rows + 1}`);
        await refill();
      }
      if (sp === r.start) fail('empty word', r.start);
      const ws = r.start;
      const word = decodeWord(r.buf, ws, sp, unicodeErrors, () => ({ file: path, location: `byte ${r.offset(ws)}` }));
      r.start = sp + 1;
      // Values: little-endian float32, checked and stored in one pass.
      while (r.end - r.start < rowBytes) {
        if (r.eof) truncated(r.start, `the values of '${word}'`);
        await refill();
      }
      rows++;
      const at = b.add(word);
      const values = at < 0 ? b.scratch : b.matrix;
      const o = at < 0 ? 0 : at;
      let p = r.start;
      for (let k = o, e = o + dim; k < e; k++, p += 4) {
        const v = view.getFloat32(p, true);
        if (v - v !== 0) fail(`NaN or infinite value in the vector of '${word}'`, p);
        values[k] = v;
      }
      r.start += rowBytes;
    }
    if (b.size < Math.min(declared, limit) && rows < declared) truncated(r.start, `vector ${rows + 1}`);
    if (rows === declared) {
      // Anything but line ends after the declared rows means the count is wrong.
      for (;;) {
        while (r.start < r.end && (r.buf[r.start] === 10 || r.buf[r.start] === 13)) r.start++;
        if (r.start < r.end) fail(`more data after the ${declared} vectors the header declares`, r.start, 'fix the count in the first line');
        if (r.eof) break;
        await r.refill();
      }
    }
    return b;
  });
}
