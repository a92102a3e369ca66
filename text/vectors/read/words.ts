/** Decoding words from bytes, with an explicit policy for invalid UTF-8. */
import { InvalidFileError } from '../../../src/errors.js';
import { formatHint } from '../formats.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8', { fatal: false });

/**
 * Decode `b[s, e)` as a word. ASCII takes a fast path; otherwise UTF-8 is
 * validated (`strict`) or repaired with U+FFFD (`replace`). NUL bytes are always an
 * error: they mean UTF-16 or binary data read as text.
 */
export function decodeWord(
  b: Buffer,
  s: number,
  e: number,
  unicodeErrors: 'strict' | 'replace',
  where: () => { file: string; location: string },
): string {
  let ascii = true;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c >= 0x80) {
      ascii = false;
    } else if (c === 0) {
      throw new InvalidFileError('NUL byte in a word: the file is not UTF-8 text (UTF-16? binary?)', {
        ...where(),
        hint: `convert it to UTF-8 (e.g. \`iconv -f UTF-16 -t UTF-8\`), or, if it is not text, ${formatHint()}`,
      });
    }
  }
  if (ascii) return b.toString('latin1', s, e);
  const bytes = b.subarray(s, e);
  if (unicodeErrors === 'replace') return lenient.decode(bytes);
  try {
    return strict.decode(bytes);
  } catch {
    throw new InvalidFileError('invalid UTF-8 in a word', {
      ...where(),
      hint: "convert the file to UTF-8 (for Latin-1 text: iconv -f LATIN1 -t UTF-8 FILE > OUT), or read invalid bytes as U+FFFD: --unicode-errors replace on the 'transferkit vectors' commands and index build, unicodeErrors: 'replace' in loadVectors",
    });
  }
}

/** Throw when the file starts with a UTF-16/32 byte-order mark; return the length of a UTF-8 BOM to skip. */
export function checkBom(b: Buffer, end: number, file: string): number {
  if (end >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
    throw new InvalidFileError('the file is UTF-16 encoded; vector files must be UTF-8', {
      file,
      location: 'byte 0',
      hint: 'convert it first, e.g. `iconv -f UTF-16 -t UTF-8 in.txt > out.txt`',
    });
  }
  if (end >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 3;
  return 0;
}
