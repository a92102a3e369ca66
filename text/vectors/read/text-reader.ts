/**
 * Text formats: GloVe (no header: `word v1 … vD` per line), word2vec text and
 * fastText `.vec` (first line `count dim`, then the same rows). Streams the file
 * in chunks and parses numbers from bytes straight into the matrix.
 *
 * Allocation: with a header the matrix is sized from its count; without one the
 * file's lines are counted first (a fast `indexOf('\n')` pass), so the matrix is
 * allocated exactly once at its final size and never copied (2M × 300 = 2.4 GB
 * stays one buffer).
 */
import { InvalidFileError } from '../../../src/errors.js';
import { formatHint } from '../formats.js';
import { countLines } from './chunked-reader.js';
import { MatrixBuilder } from './matrix-builder.js';
import { parseNumberAt, parsedEnd } from './parse-number.js';
import type { RawVectors, ReadOptions } from './raw.js';
import { readVectorFile } from './vector-file.js';
import { checkBom, decodeWord } from './words.js';

export interface TextReadOptions extends ReadOptions {
  /** First line is `count dim` (word2vec text, fastText .vec). */
  header: boolean;
}

const isBlank = (c: number) => c === 32 || c === 9;

/** Show at most 40 characters of a bad token. */
function token(b: Buffer, s: number, e: number): string {
  let t = s;
  while (t < e && !isBlank(b[t]!)) t++;
  const text = b.toString('utf8', s, Math.min(t, s + 40));
  return t - s > 40 ? text + '…' : text;
}

export async function readTextVectors(path: string, options: TextReadOptions): Promise<RawVectors> {
  return readVectorFile(path, options, 'check the path or re-download the file', async ({ r, progress, unicodeErrors, limit }) => {
    r.start = checkBom(r.buf, r.end, path);

    let lineNo = 0;
    const where = (i?: number) => ({
      file: path,
      location: i === undefined ? `line ${lineNo}` : `line ${lineNo}, byte ${r.offset(i)}`,
    });
    /** True once the last line has been returned and it had no final newline. */
    let unterminated = false;
    const TRUNCATED = 'its last line is cut short and has no final newline (an interrupted download or copy?); re-download it';
    const fail = (message: string, i?: number, hint?: string): never => {
      if (unterminated && hint === undefined) {
        throw new InvalidFileError(`${message} (the file looks truncated)`, { ...where(i), hint: TRUNCATED });
      }
      throw new InvalidFileError(message, { ...where(i), hint: hint ?? `fix or remove that line, or ${formatHint()}` });
    };

    /** Next line as [s, e) in r.buf (without '\n' / '\r'), or null at end of file. */
    const nextLine = async (): Promise<[number, number] | null> => {
      for (;;) {
        const nl = r.buf.indexOf(10, r.start);
        if (nl !== -1 && nl < r.end) {
          const s = r.start;
          r.start = nl + 1;
          lineNo++;
          return [s, nl > s && r.buf[nl - 1] === 13 ? nl - 1 : nl];
        }
        if (r.eof) {
          if (r.start >= r.end) return null;
          const s = r.start;
          const e = r.end;
          r.start = r.end;
          lineNo++;
          unterminated = true;
          return [s, e > s && r.buf[e - 1] === 13 ? e - 1 : e];
        }
        await r.refill();
        progress.update(r.bytesRead);
      }
    };

    // Header or first row decides the dimension and the capacity.
    let declared = -1;
    let dim: number;
    let first = await nextLine();
    while (first && first[0] === first[1]) first = await nextLine();
    if (!first) throw new InvalidFileError('the file has no vectors (only blank lines)', { file: path, location: 'byte 0', hint: 'check the path or re-download the file' });
    if (options.header) {
      const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(r.buf.toString('latin1', first[0], first[1]));
      if (!m) {
        fail(`expected a header 'count dim', found '${token(r.buf, first[0], first[1])}…'`, first[0], `this looks like GloVe text (no header): ${formatHint('glove')}`);
      }
      declared = Number(m![1]);
      dim = Number(m![2]);
      if (dim < 1) fail('the header declares dimension 0', first[0]);
      if (declared < 1) fail('the header declares 0 vectors', first[0]);
      first = null;
    } else {
      if (/^\s*\d+\s+\d+\s*$/.test(r.buf.toString('latin1', first[0], first[1]))) {
        fail("the first line looks like a header 'count dim', which GloVe files do not have", first[0], `this is word2vec text or fastText .vec: ${formatHint('word2vec')}`);
      }
      let fields = 0;
      let i = first[0];
      while (i < first[1]) {
        while (i < first[1] && isBlank(r.buf[i]!)) i++;
        if (i >= first[1]) break;
        fields++;
        while (i < first[1] && !isBlank(r.buf[i]!)) i++;
      }
      dim = fields - 1;
      if (dim < 1) fail('the first line has a word but no values', first[0], `a word2vec/fastText header? ${formatHint('word2vec')}`);
    }
    const rowsAvailable = declared >= 0 ? declared : await countLines(path);
    // A row takes at least a word byte and two bytes per value: never allocate for
    // more rows than the file can hold, whatever its header claims.
    const rowsPossible = Math.floor(r.fileSize / (2 * dim + 1)) + 1;
    const b = new MatrixBuilder(Math.min(rowsAvailable, limit, rowsPossible), dim);
    let rows = 0;

    const parseRow = (s: number, e: number) => {
      const buf = r.buf;
      let i = s;
      while (i < e && !isBlank(buf[i]!)) i++;
      if (i === s) fail('the line starts with a space: empty word', s);
      const word = decodeWord(buf, s, i, unicodeErrors, () => where(s));
      rows++;
      if (declared >= 0 && rows > declared) {
        fail(`more rows than the header's count ${declared}`, s, 'fix the count in the first line');
      }
      const at = b.add(word);
      const target = at < 0 ? b.scratch : b.matrix;
      let o = at < 0 ? 0 : at;
      const stop = o + dim;
      for (;;) {
        while (i < e && isBlank(buf[i]!)) i++;
        if (i >= e) break;
        if (o === stop) fail(`expected ${dim} values, found more`, i);
        const v = parseNumberAt(buf, i, e);
        const after = parsedEnd;
        if (v !== v || (after < e && !isBlank(buf[after]!))) fail(`non-numeric value '${token(buf, i, e)}'`, i);
        if (!Number.isFinite(Math.fround(v))) fail(`value '${token(buf, i, e)}' is outside the float32 range`, i);
        target[o++] = v;
        i = after;
      }
      if (o !== stop) fail(`expected ${dim} values, found ${dim - (stop - o)}`, e);
      // A number cut after its '.', 'e' or sign still parses ('0.' is 0): on an unterminated last line that is truncation.
      if (unterminated) {
        const c = buf[e - 1]!;
        if (c === 46 || c === 101 || c === 69 || c === 43 || c === 45) {
          let t = e;
          while (t > s && !isBlank(buf[t - 1]!)) t--;
          fail(`the last value '${token(buf, t, e)}' is cut short`, t);
        }
      }
    };

    if (first) parseRow(first[0], first[1]);
    while (!b.full) {
      const line = await nextLine();
      if (!line) break;
      if (line[0] === line[1]) continue;
      parseRow(line[0], line[1]);
    }
    if (declared >= 0 && rows === declared && limit >= declared) {
      let extra = await nextLine();
      while (extra && extra[0] === extra[1]) extra = await nextLine();
      if (extra) fail(`more rows than the header's count ${declared}`, extra[0], 'fix the count in the first line');
    }
    if (declared >= 0 && b.size < Math.min(declared, limit) && rows < declared) {
      throw new InvalidFileError(`the header declares ${declared} vectors but the file has ${rows}`, {
        file: path,
        location: `line ${lineNo}, byte ${r.fileSize}`,
        hint: 'the file looks truncated (re-download it) or its count is wrong',
      });
    }
    return b;
  });
}
