/**
 * Read labelled texts from CSV/TSV (header row; quoting handled by csv-parse),
 * JSONL (`{"text": …, "label": …}` per line) or fastText (`__label__x some text`).
 * Records with an empty text are skipped and counted, with a warning.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InvalidArgumentError, InvalidFileError, NotFoundError } from '../../../src/errors.js';
import type { DatasetFormat, ReadDatasetOptions, TextDataset, TextExample } from './types.js';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['csv', 'tsv', 'jsonl', 'fasttext'];

const EXTENSIONS: Record<string, DatasetFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.ft': 'fasttext',
  '.fasttext': 'fasttext',
  '.txt': 'fasttext',
};

/**
 * How the lines of a file end. 'lf': LF or CRLF, and a lone CR is a character of its line — as
 * csv-parse is told to parse it (record delimiters CRLF and LF: outside quotes a lone CR stays in
 * its field), and as `grep -n`, `sed -n Np` and vim count lines, so a line number in a message is
 * the line those show.
 * 'cr': a classic Mac OS file, whose lines end with a lone CR, and where CR, LF and CRLF all end
 * lines. Only a file without any LF is one — in CSV, without any LF outside quoted fields (Excel's
 * Mac CSV ends records with CR and writes a cell's line breaks as LF) — and only when it has two
 * lone CRs or more, or ends with one: a single stray CR in a one-line file without a final line
 * break ('some text\rmore') is a character of that line. A file with an LF (outside quotes) anywhere
 * is never a CR file, however many stray CRs its lines hold; a two-line CR file without a final CR
 * reads as one line.
 */
type LineEnding = 'lf' | 'cr';

/** `quoted`: the file is CSV, whose double-quoted fields may hold line breaks that end no record. */
function lineEndingOf(content: string | Uint8Array, quoted = false): LineEnding {
  const at = typeof content === 'string' ? (i: number) => content.charCodeAt(i) : (i: number) => content[i]!;
  let cr = 0;
  let inQuotes = false;
  for (let i = 0; i < content.length; i++) {
    const c = at(i);
    // A quote inside a quoted field is written twice: it toggles twice.
    if (quoted && c === 0x22) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === 0x0a) return 'lf';
    else if (c === 0x0d) cr++;
  }
  return cr >= 2 || (content.length > 0 && at(content.length - 1) === 0x0d) ? 'cr' : 'lf';
}

/** True when the character (byte) at `i` ends a line: LF (CRLF counts once, at its LF), or in a CR file a lone CR. */
function endsLine(at: (i: number) => number | undefined, i: number, ending: LineEnding): boolean {
  const c = at(i);
  return c === 0x0a || (ending === 'cr' && c === 0x0d && at(i + 1) !== 0x0a);
}

/** The lines of a file's text, split where its line ending says (see LineEnding). */
function splitLines(content: string): string[] {
  return content.split(lineEndingOf(content) === 'cr' ? /\r\n|\n|\r/ : /\r?\n/);
}

/**
 * The file line (see LineEnding) of csv-parse's line `line`, which counts every lone CR as a line
 * break: the same outside a CR file's text; past lone CRs of an LF/CRLF file, fewer.
 */
function fileLineOfCsvLine(content: string, line: number, quoted: boolean): number {
  if (lineEndingOf(content, quoted) === 'cr' || !/\r(?!\n)/.test(content)) return line;
  let csvLine = 1;
  let fileLine = 1;
  for (let i = 0; i < content.length && csvLine < line; i++) {
    const c = content.charCodeAt(i);
    if (c === 0x0a) {
      csvLine++;
      fileLine++;
    } else if (c === 0x0d && content.charCodeAt(i + 1) !== 0x0a) {
      csvLine++;
    }
  }
  return fileLine;
}

/** The format of `file`: from its extension, else from its first non-empty line. */
export function detectFormat(file: string, content: string, labelPrefix = '__label__'): DatasetFormat {
  const byExt = EXTENSIONS[extname(file).toLowerCase()];
  if (byExt) return byExt;
  const first = splitLines(content).find((l) => l.trim() !== '') ?? '';
  if (first.startsWith(labelPrefix)) return 'fasttext';
  if (first.trimStart().startsWith('{')) return 'jsonl';
  if (first.includes('\t')) return 'tsv';
  return 'csv';
}

/** Throw NotFoundError when `file` does not exist, InvalidArgumentError when it is a folder. */
async function requireFile(file: string, what: string): Promise<void> {
  const st = await stat(file).catch(() => null);
  if (st?.isDirectory()) {
    throw new InvalidArgumentError(`'${file}' is a folder, not a ${what === 'file' ? 'text' : 'data'} file`, {
      file,
      hint: 'give one CSV/TSV/JSONL/fastText file (text classifiers read a file, not a folder of files)',
    });
  }
  if (!st?.isFile()) throw new NotFoundError(`${what} '${file}' does not exist`, { file, hint: 'check the path' });
}

/**
 * The text of a data file as UTF-8, BOM removed. A UTF-16 file (Excel's "Unicode text" export: a
 * UTF-16 byte-order mark, or NUL bytes between ASCII letters) is named as such rather than parsed
 * into nonsense.
 */
async function readUtf8Text(file: string, onInvalid?: (warning: string) => void): Promise<string> {
  const bytes = await readFile(file);
  const utf16Bom = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (utf16Bom || bytes.subarray(0, 4096).includes(0)) {
    throw new InvalidFileError(utf16Bom ? 'the file is UTF-16 text; texts are read as UTF-8' : 'the file holds NUL bytes: it is UTF-16 text or binary, not UTF-8 text', {
      file,
      hint: "save it as UTF-8 (Excel: 'CSV UTF-8'; or iconv -f UTF-16 -t UTF-8 in > out)",
    });
  }
  const text = bytes.toString('utf8');
  if (onInvalid && text.includes('\uFFFD')) {
    const warning = invalidUtf8Warning(file, bytes, text);
    if (warning) onInvalid(warning);
  }
  return text.replace(/^\uFEFF/, '');
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629: no overlong forms, surrogates or values past U+10FFFF), or −1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) return i;
    for (let k = 1; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    const d = b[i + 1]!;
    if ((c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f) || (c === 0xf0 && d < 0x90) || (c === 0xf4 && d > 0x8f)) return i;
    i += n + 1;
  }
  return -1;
}

/** The 1-based line of byte `offset` (lines end as the file's do: see LineEnding). */
function lineAt(b: Uint8Array, offset: number, quoted: boolean): number {
  const ending = lineEndingOf(b, quoted);
  const at = (i: number) => b[i];
  let line = 1;
  for (let i = 0; i < offset; i++) if (endsLine(at, i, ending)) line++;
  return line;
}

/** U+FFFD written in the file itself (bytes EF BF BD), as opposed to one standing for invalid bytes. */
function literalReplacementChars(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0xef); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) n++;
  return n;
}

/**
 * The warning for bytes that are not valid UTF-8 (a Latin-1 or Windows-1252 file: 'café' written as
 * 63 61 66 E9), which decoding turned into U+FFFD: how many, and the first line that has one. Texts are
 * still read (the vector loaders refuse such words; a dataset keeps the rest of each text), but the
 * words with those characters match nothing, so the user should know. Undefined when every U+FFFD was
 * in the file as such.
 */
function invalidUtf8Warning(file: string, bytes: Buffer, text: string): string | undefined {
  let replaced = 0;
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) replaced++;
  const invalid = replaced - literalReplacementChars(bytes);
  if (invalid <= 0) return undefined;
  return `${file}: ${invalid} byte sequence${invalid === 1 ? ' is' : 's are'} not valid UTF-8 (first on line ${lineAt(bytes, firstInvalidUtf8(bytes), detectFormat(file, text) === 'csv')}) and ${invalid === 1 ? 'was' : 'were'} read as U+FFFD (\uFFFD): the file looks like Latin-1 or Windows-1252 text; words with those characters match nothing — convert it first (iconv -f WINDOWS-1252 -t UTF-8 in > out)`;
}

/** A whole-file JSON array (a .json export) given where JSONL or text lines are read: say so. */
function refuseJsonArray(content: string, file: string): void {
  const t = content.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return;
  }
  if (Array.isArray(value)) {
    throw new InvalidFileError('the file is one JSON array, not JSONL (one JSON object per line)', {
      file,
      hint: "write one object per line, e.g. jq -c '.[]' file.json > file.jsonl",
    });
  }
}

/** Read a dataset file. Throws NotFoundError, InvalidFileError (empty file, missing column, bad record). */
export async function readDataset(file: string, options: ReadDatasetOptions = {}): Promise<TextDataset> {
  await requireFile(file, 'dataset file');
  const encoding: string[] = [];
  const content = await readUtf8Text(file, (w) => encoding.push(w));
  return parseDatasetWith(content, { ...options, file }, encoding);
}

/** Parse dataset text already in memory; `file` only names it in messages and picks the format by extension. */
export function parseDataset(content: string, options: ReadDatasetOptions & { file?: string } = {}): TextDataset {
  return parseDatasetWith(content, options, []);
}

/** `parseDataset`, with warnings found while reading the file (invalid UTF-8) put first. */
function parseDatasetWith(content: string, options: ReadDatasetOptions & { file?: string }, readWarnings: readonly string[]): TextDataset {
  const file = options.file ?? '<memory>';
  if (content.trim() === '') {
    throw new InvalidFileError('the file is empty', { file, hint: 'a dataset needs a header (CSV/TSV) or at least one labelled line' });
  }
  refuseJsonArray(content, file);
  const format = !options.format || options.format === 'auto' ? detectFormat(file, content, options.labelPrefix) : options.format;
  if (!DATASET_FORMATS.includes(format)) {
    throw new InvalidArgumentError(`unknown dataset format '${format as string}'`, { hint: `use one of ${DATASET_FORMATS.join(', ')}` });
  }
  const records =
    format === 'jsonl' ? readJsonl(content, file, options) : format === 'fasttext' ? readFastText(content, file, options) : readDelimited(content, file, format, options);
  const warnings: string[] = [...readWarnings, ...records.warnings];
  const examples: TextExample[] = [];
  const emptyLines: number[] = [];
  for (const r of records.rows) {
    if (r.text.trim() === '') emptyLines.push(records.lineOf ? records.lineOf(r.line) : r.line);
    else examples.push({ text: r.text, label: r.label });
  }
  if (emptyLines.length > 0) {
    warnings.push(
      `${file}: skipped ${emptyLines.length} record(s) with an empty text (line${emptyLines.length > 1 ? 's' : ''} ${emptyLines.slice(0, 10).join(', ')}${emptyLines.length > 10 ? ', …' : ''})`,
    );
  }
  if (examples.length === 0) {
    throw new InvalidFileError(records.rows.length === 0 ? 'no records (only a header?)' : `all ${records.rows.length} records have an empty text`, {
      file,
      hint: 'a dataset needs at least one labelled, non-empty text',
    });
  }
  for (const w of warnings) options.onWarning?.(w);
  return { examples, file: options.file, format, skippedEmpty: { count: emptyLines.length, lines: emptyLines.slice(0, 20) }, warnings };
}

interface RawRecords {
  /** `line` is the file line, or, with `lineOf`, what to pass it (working lines out costs, for CSV/TSV). */
  rows: Array<{ text: string; label: string; line: number }>;
  lineOf?: (line: number) => number;
  warnings: string[];
}

function checkLabel(label: unknown, file: string, line: number): string {
  if (label === undefined || label === null || String(label).trim() === '') {
    throw new InvalidFileError('empty label', { file, location: `line ${line}`, hint: 'every record needs a label' });
  }
  if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') {
    throw new InvalidFileError(`the label is ${Array.isArray(label) ? 'an array' : typeof label === 'object' ? 'an object' : `a ${typeof label}`}, not a string, number or boolean`, {
      file,
      location: `line ${line}`,
      hint: 'a label is one string, number or boolean (single-label classification)',
    });
  }
  return String(label).trim();
}

/** CSV/TSV records, and the file line each starts on (worked out only when asked: most reads never need one). */
interface DelimitedRecords {
  records: string[][];
  lineOf(index: number): number;
}

/**
 * csv-parse's options. The record delimiter is given, not left to csv-parse, which would take the
 * first line break it meets — a stray CR in the header made CR the delimiter of an LF file
 * ('Invalid Record Length'): it follows the file's line ending (see LineEnding), as line numbers do.
 */
const csvOptions = (format: 'csv' | 'tsv', content: string) => ({
  delimiter: format === 'tsv' ? '\t' : ',',
  bom: true,
  quote: format === 'tsv' ? false : ('"' as const),
  record_delimiter: lineEndingOf(content, format === 'csv') === 'cr' ? ['\r'] : ['\r\n', '\n'],
  skip_empty_lines: true,
});

/**
 * Parse CSV/TSV (csv-parse; blank lines skipped). A parse error says whether the file looks like the
 * other format. `lineOf(i)` gives the line record i starts on in the file — counted from the bytes, so
 * blank lines and line breaks inside quoted fields count as the file has them (a lone CR only in a
 * file whose lines end with CR: see LineEnding). That needs
 * csv-parse's per-record info, which costs about as much as the parse itself: with `lines: 'eager'`
 * the one parse collects it; by default a second parse runs on the first call to `lineOf`.
 */
function parseDelimitedRecords(content: string, file: string, format: 'csv' | 'tsv', lines: 'eager' | 'lazy' = 'lazy'): DelimitedRecords {
  let records: string[][];
  let ends: number[] | undefined;
  try {
    if (lines === 'eager') {
      const parsed = parseCsv(content, { ...csvOptions(format, content), info: true }) as unknown as Array<{ record: string[]; info: { bytes: number } }>;
      records = parsed.map((r) => r.record);
      ends = parsed.map((r) => r.info.bytes);
    } else {
      records = parseCsv(content, csvOptions(format, content)) as string[][];
    }
  } catch (e) {
    const err = e as Error & { lines?: number };
    const firstLine = splitLines(content)[0] ?? '';
    // csv-parse counts a lone CR as a line break, in its message too: give the file's line (see LineEnding).
    const line = typeof err.lines === 'number' && err.lines > 0 ? fileLineOfCsvLine(content, err.lines, format === 'csv') : undefined;
    const message = line !== undefined && line !== err.lines ? err.message.replace(new RegExp(`\\bline ${err.lines}\\b`), `line ${line}`) : err.message;
    const other = format === 'csv' ? (firstLine.includes('\t') && !firstLine.includes(',') ? 'tsv' : undefined) : firstLine.includes(',') && !firstLine.includes('\t') ? 'csv' : undefined;
    throw new InvalidFileError(`not valid ${format.toUpperCase()}: ${message}`, {
      file,
      location: line ? `near line ${line}` : undefined,
      hint: other
        ? `the header line has ${other === 'tsv' ? 'tabs and no commas' : 'commas and no tabs'}: the file looks like ${other.toUpperCase()}; give --format ${other} (format: '${other}' in the library)`
        : format === 'csv'
          ? 'texts with commas, quotes or newlines must be double-quoted ("" for a quote inside)'
          : 'every row needs the same number of tab-separated fields',
      cause: e,
    });
  }
  let starts: Int32Array | undefined;
  const lineOf = (index: number): number => {
    ends ??= (parseCsv(content, { ...csvOptions(format, content), info: true }) as unknown as Array<{ info: { bytes: number } }>).map((r) => r.info.bytes);
    starts ??= recordStartLines(content, ends, format === 'csv');
    return starts[index]!;
  };
  return { records, lineOf };
}

/** The line each record starts on, from the byte offsets just past each record (csv-parse's info.bytes, UTF-8 bytes also for string input). */
function recordStartLines(content: string, ends: readonly number[], quoted: boolean): Int32Array {
  const bytes = Buffer.from(content, 'utf8');
  const out = new Int32Array(ends.length);
  const ending = lineEndingOf(bytes, quoted);
  const at = (i: number) => bytes[i];
  let offset = 0;
  let line = 1;
  const step = () => {
    if (endsLine(at, offset++, ending)) line++;
  };
  for (let i = 0; i < ends.length; i++) {
    // A record starts after the previous one's end and any blank lines.
    while (offset < bytes.length && (bytes[offset] === 0x0a || bytes[offset] === 0x0d)) step();
    out[i] = line;
    while (offset < ends[i]! && offset < bytes.length) step();
  }
  return out;
}

function readDelimited(content: string, file: string, format: 'csv' | 'tsv', options: ReadDatasetOptions): RawRecords {
  const textColumn = options.textColumn ?? 'text';
  const labelColumn = options.labelColumn ?? 'label';
  const { records, lineOf } = parseDelimitedRecords(content, file, format);
  if (records.length === 0) throw new InvalidFileError('the file is empty', { file });
  const header = records[0]!.map((h) => h.trim());
  const ti = headerColumn(header, textColumn, 'text', file, format, () => lineOf(0));
  const li = headerColumn(header, labelColumn, 'label', file, format, () => lineOf(0));
  const rows: RawRecords['rows'] = [];
  for (let r = 1; r < records.length; r++) {
    const record = records[r]!;
    // Lines are worked out only for the records a message names (see parseDelimitedRecords).
    const label = String(record[li] ?? '').trim() === '' ? checkLabel(record[li], file, lineOf(r)) : record[li]!.trim();
    rows.push({ text: record[ti] ?? '', label, line: r });
  }
  return { rows, warnings: [], lineOf };
}

/** Header names as hints show them, a tab written as \\t. */
function showHeader(header: readonly string[]): string {
  return header.map((h) => `'${h.replace(/\t/g, '\\t')}'`).join(', ');
}

/** How to choose a column (or JSONL field), in the CLI's and the library's spelling. */
function chooseColumn(what: 'text' | 'label' | 'key', kind: 'column' | 'field' = 'column'): string {
  return `choose the ${kind} with --${what}-column (the ${what}Column option in the library)`;
}

/** Index of the `what` column named `name` in a CSV/TSV header; a clear error naming the columns present when absent. */
function headerColumn(header: readonly string[], name: string, what: 'text' | 'label' | 'key', file: string, format: 'csv' | 'tsv', headerLine: () => number = () => 1): number {
  const i = header.indexOf(name);
  if (i < 0) {
    throw new InvalidFileError(`no ${what} column '${name}' in the header`, {
      file,
      location: `line ${headerLine()}`,
      hint: otherDelimiterHint(header, format) ?? `the header has: ${showHeader(header)}; ${chooseColumn(what)}`,
    });
  }
  return i;
}

/**
 * A header read as one column that holds the other delimiter — a TSV file read as CSV (e.g. named
 * .csv) or a CSV file read as TSV: the fix is the format, not a column name.
 */
function otherDelimiterHint(header: readonly string[], format: 'csv' | 'tsv'): string | undefined {
  const [other, sep, what] = format === 'csv' ? (['tsv', '\t', 'tabs'] as const) : (['csv', ',', 'commas'] as const);
  if (header.length !== 1 || !header[0]!.includes(sep)) return undefined;
  return `the header ${showHeader(header)} is one ${format.toUpperCase()} column with ${what} in it: the file looks like ${other.toUpperCase()}; give --format ${other} (format: '${other}' in the library)`;
}

/** The parsed value of every non-blank line of a JSONL file, with its 1-based line number. */
function* jsonlValues(content: string, file: string): Generator<{ value: unknown; line: number }> {
  const lines = splitLines(content);
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new InvalidFileError(`not valid JSON: ${(e as Error).message}`, { file, location: `line ${i + 1}`, hint: 'JSONL needs one JSON object per line', cause: e });
    }
    yield { value, line: i + 1 };
  }
}

function readJsonl(content: string, file: string, options: ReadDatasetOptions): RawRecords {
  const textField = options.textColumn ?? 'text';
  const labelField = options.labelColumn ?? 'label';
  const rows: RawRecords['rows'] = [];
  for (const { value, line } of jsonlValues(content, file)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidFileError('expected a JSON object', { file, location: `line ${line}`, hint: `write {"${textField}": "…", "${labelField}": "…"}` });
    }
    const obj = value as Record<string, unknown>;
    if (!(textField in obj)) {
      throw new InvalidFileError(`no field '${textField}'`, { file, location: `line ${line}`, hint: `fields present: ${Object.keys(obj).join(', ') || 'none'}; ${chooseColumn('text', 'field')}` });
    }
    if (!(labelField in obj)) {
      throw new InvalidFileError(`no field '${labelField}'`, { file, location: `line ${line}`, hint: `fields present: ${Object.keys(obj).join(', ') || 'none'}; ${chooseColumn('label', 'field')}` });
    }
    const text = obj[textField];
    if (text !== null && typeof text !== 'string') {
      throw new InvalidFileError(`field '${textField}' is ${Array.isArray(text) ? 'an array' : typeof text === 'object' ? 'an object' : `a ${typeof text}`}, not a string`, {
        file,
        location: `line ${line}`,
        hint: 'a text is a JSON string',
      });
    }
    rows.push({ text: text ?? '', label: checkLabel(obj[labelField], file, line), line });
  }
  return { rows, warnings: [] };
}

function readFastText(content: string, file: string, options: ReadDatasetOptions): RawRecords {
  const prefix = options.labelPrefix ?? '__label__';
  const rows: RawRecords['rows'] = [];
  let multi = 0;
  const lines = splitLines(content);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const labels: string[] = [];
    let k = 0;
    while (k < parts.length && parts[k].startsWith(prefix)) labels.push(parts[k++].slice(prefix.length));
    if (labels.length === 0 || labels[0] === '') {
      throw new InvalidFileError(`line does not start with a label ('${prefix}name')`, {
        file,
        location: `line ${i + 1}`,
        hint: `fastText format is '${prefix}spam some text' per line`,
      });
    }
    if (labels.length > 1) multi++;
    rows.push({ text: parts.slice(k).join(' '), label: labels[0], line: i + 1 });
  }
  const warnings = multi > 0 ? [`${file}: ${multi} line(s) have several labels; only the first is used (single-label classification)`] : [];
  return { rows, warnings };
}

/** A text to classify and the line of the file it was read from (for CSV/TSV: the line its record starts on). */
export interface TextRecord {
  text: string;
  line: number;
  /** The record's key, when a key column (JSONL field) was asked for. */
  key?: string;
  /** Its label when the file has one (the label column / field, or a fastText `__label__` prefix); texts to classify need none. */
  label?: string;
}

export interface ReadTextRecordsOptions extends Pick<ReadDatasetOptions, 'format' | 'textColumn' | 'labelColumn' | 'labelPrefix' | 'onWarning'> {
  /** CSV/TSV column (or JSONL field) naming each record; it must exist when given. Default: none. */
  keyColumn?: string;
}

/**
 * Texts to classify, labels optional: CSV/TSV/JSONL as for datasets (only the text
 * column is needed); any other file is one text per line (fastText labels stripped).
 * Empty texts (an empty CSV cell or JSONL field, a line holding only labels) are kept,
 * so callers can report them; blank lines of a one-text-per-line file are not texts.
 */
export async function readTextRecords(file: string, options: ReadTextRecordsOptions = {}): Promise<TextRecord[]> {
  await requireFile(file, 'file');
  const content = await readUtf8Text(file, options.onWarning);
  if (content.trim() === '') throw new InvalidFileError('the file is empty', { file, hint: 'give one text per line, or a CSV/TSV/JSONL file with a text column' });
  if (!options.format || options.format === 'auto' || options.format === 'jsonl') refuseJsonArray(content, file);
  const auto = !options.format || options.format === 'auto';
  let format = auto ? detectFormat(file, content, options.labelPrefix) : options.format!;
  const textColumn = options.textColumn ?? 'text';
  // A file whose extension says nothing and whose first line names no text column is one text per line
  // (as the CLI's help says of "other files"), not a CSV with a missing column.
  if (auto && !EXTENSIONS[extname(file).toLowerCase()] && (format === 'csv' || format === 'tsv') && options.textColumn === undefined && options.keyColumn === undefined) {
    const first = splitLines(content).find((l) => l.trim() !== '') ?? '';
    const names = first.split(format === 'tsv' ? '\t' : ',').map((h) => h.trim().replace(/^"|"$/g, ''));
    if (!names.includes(textColumn)) format = 'fasttext';
  }
  if (format === 'csv' || format === 'tsv') {
    return readDelimitedLoose(content, file, format, textColumn, options);
  }
  if (format !== 'jsonl') {
    // One text per line (fastText labels stripped): there are no columns to choose.
    const given = (['keyColumn', 'textColumn', 'labelColumn'] as const).filter((k) => options[k] !== undefined);
    if (given.length > 0) {
      const names = given.map((k) => `${k.replace('Column', '')} column ('${options[k]}')`).join(', ');
      throw new InvalidArgumentError(`${names}: ${file} reads as ${format} (one text per line), which has no columns`, {
        hint: 'drop the column option(s) — records are named by their position (1 = first text), fastText labels come from their __label__ prefix — or give the texts as CSV/TSV/JSONL',
      });
    }
  }
  const lines = splitLines(content);
  const out: TextRecord[] = [];
  if (format === 'jsonl') {
    const labelField = options.labelColumn ?? 'label';
    for (const { value, line } of jsonlValues(content, file)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new InvalidFileError('expected a JSON object', { file, location: `line ${line}`, hint: `write {"${textColumn}": "…"} per line` });
      }
      const fields = value as Record<string, unknown>;
      const t = fields[textColumn];
      if (!(textColumn in fields)) {
        throw new InvalidFileError(`no field '${textColumn}'`, { file, location: `line ${line}`, hint: `fields present: ${Object.keys(fields).join(', ') || 'none'}; ${chooseColumn('text', 'field')}` });
      }
      // null is an empty text (kept, so callers report it), as the dataset reader treats it.
      if (t !== null && typeof t !== 'string') {
        throw new InvalidFileError(`field '${textColumn}' is ${Array.isArray(t) ? 'an array' : typeof t === 'object' ? 'an object' : `a ${typeof t}`}, not a string`, { file, location: `line ${line}`, hint: 'a text is a JSON string' });
      }
      const record: TextRecord = { text: t ?? '', line };
      if (options.keyColumn !== undefined) {
        const key = fields[options.keyColumn];
        if (typeof key !== 'string' && typeof key !== 'number') {
          throw new InvalidFileError(`no string or number field '${options.keyColumn}' (the key)`, { file, location: `line ${line}`, hint: 'give every record a key, or choose another key field' });
        }
        if (typeof key === 'number' && !Number.isSafeInteger(key) && Number.isInteger(key)) {
          throw new InvalidFileError(`key ${key} is too large to be read exactly as a JSON number`, {
            file,
            location: `line ${line}`,
            hint: `write such keys as strings ("${options.keyColumn}": "…")`,
          });
        }
        record.key = checkedKey(String(key).trim(), options.keyColumn, file, line);
      }
      const label = fields[labelField];
      if (typeof label === 'string' || typeof label === 'number' || typeof label === 'boolean') record.label = String(label);
      else if (options.labelColumn !== undefined && label !== undefined) throw new InvalidFileError(`field '${labelField}' is not a string, number or boolean`, { file, location: `line ${line}` });
      out.push(record);
    }
    return out;
  }
  const prefix = options.labelPrefix ?? '__label__';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '') continue;
    const words = l.split(/\s+/);
    let k = 0;
    while (k < words.length && words[k].startsWith(prefix)) k++;
    out.push(k > 0 ? { text: words.slice(k).join(' '), line: i + 1, label: words[0].slice(prefix.length) } : { text: words.join(' '), line: i + 1 });
  }
  return out;
}

/** The texts of {@link readTextRecords}, empty ones included. */
export async function readTexts(file: string, options: Pick<ReadDatasetOptions, 'format' | 'textColumn' | 'labelPrefix'> = {}): Promise<string[]> {
  return (await readTextRecords(file, options)).map((r) => r.text);
}

/** A record's key: never empty (the index needs one per item). */
function checkedKey(key: string, column: string, file: string, line: number): string {
  if (key === '') throw new InvalidFileError(`empty key in column '${column}'`, { file, location: `line ${line}`, hint: 'give every record a key, or choose another key column' });
  return key;
}

function readDelimitedLoose(content: string, file: string, format: 'csv' | 'tsv', textColumn: string, options: ReadTextRecordsOptions): TextRecord[] {
  const { records, lineOf } = parseDelimitedRecords(content, file, format, 'eager');
  const header = records[0]!.map((h) => h.trim());
  const at = () => lineOf(0);
  const ti = headerColumn(header, textColumn, 'text', file, format, at);
  const ki = options.keyColumn === undefined ? -1 : headerColumn(header, options.keyColumn, 'key', file, format, at);
  // An explicit label column must exist; the default 'label' is used when present.
  const li = options.labelColumn !== undefined ? headerColumn(header, options.labelColumn, 'label', file, format, at) : header.indexOf('label');
  return records.slice(1).map((fields, i) => {
    const line = lineOf(i + 1);
    const record: TextRecord = { text: fields[ti] ?? '', line };
    if (ki >= 0) record.key = checkedKey((fields[ki] ?? '').trim(), options.keyColumn!, file, line);
    if (li >= 0 && (fields[li] ?? '').trim() !== '') record.label = fields[li]!.trim();
    return record;
  });
}
