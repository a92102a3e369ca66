import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, InvalidFileError, NotFoundError } from '../../../src/errors.js';
import { encodeLabels, parseDataset, readDataset, readTextRecords, readTexts, requireKnownLabels, splitExamples, stratifiedSample, trainingLabels } from '../../../text/classify/index.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

async function write(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('dataset readers', () => {
  it('reads CSV with quoted commas, quotes and newlines', async () => {
    const f = await write('a.csv', 'id,text,label\n1,"hello, world",pos\n2,"she said ""no""\nthen left",neg\n3,plain,pos\n');
    const d = await readDataset(f);
    expect(d.format).toBe('csv');
    expect(d.examples).toEqual([
      { text: 'hello, world', label: 'pos' },
      { text: 'she said "no"\nthen left', label: 'neg' },
      { text: 'plain', label: 'pos' },
    ]);
  });

  it('reads TSV and configurable columns', async () => {
    const f = await write('b.tsv', 'body\tcategory\nfirst text\tx\nsecond "quoted" text\ty\n');
    const d = await readDataset(f, { textColumn: 'body', labelColumn: 'category' });
    expect(d.examples).toEqual([
      { text: 'first text', label: 'x' },
      { text: 'second "quoted" text', label: 'y' },
    ]);
  });

  it('reads JSONL (numeric labels become strings)', async () => {
    const f = await write('c.jsonl', '{"text": "a b", "label": 1}\n\n{"text": "c d", "label": "two"}\n');
    expect((await readDataset(f)).examples).toEqual([
      { text: 'a b', label: '1' },
      { text: 'c d', label: 'two' },
    ]);
  });

  it('reads fastText format and warns about multi-label lines', async () => {
    const f = await write('d.txt', '__label__spam buy now\n__label__ham __label__work see you at 5\n');
    const d = await readDataset(f);
    expect(d.format).toBe('fasttext');
    expect(d.examples).toEqual([
      { text: 'buy now', label: 'spam' },
      { text: 'see you at 5', label: 'ham' },
    ]);
    expect(d.warnings.join()).toMatch(/several labels/);
  });

  it('sniffs the format of files without a known extension', () => {
    expect(parseDataset('__label__a x\n__label__b y\n', { file: 'data' }).format).toBe('fasttext');
    expect(parseDataset('{"text":"x","label":"a"}\n', { file: 'data' }).format).toBe('jsonl');
    expect(parseDataset('text\tlabel\nx\ta\n', { file: 'data' }).format).toBe('tsv');
  });

  it('skips and counts empty texts with a warning', async () => {
    const f = await write('e.csv', 'text,label\nfine,a\n"   ",b\n,a\nalso fine,b\n');
    const warnings: string[] = [];
    const d = await readDataset(f, { onWarning: (w) => warnings.push(w) });
    expect(d.examples.map((e) => e.text)).toEqual(['fine', 'also fine']);
    expect(d.skippedEmpty).toEqual({ count: 2, lines: [3, 4] });
    expect(warnings[0]).toMatch(/skipped 2 record\(s\) with an empty text \(lines 3, 4\)/);
  });

  it('fails clearly on a missing column, naming the columns present', async () => {
    const f = await write('f.csv', 'body,label\nx,a\n');
    const err = await readDataset(f).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidFileError);
    expect(err.message).toMatch(/no text column 'text'/);
    expect(err.hint).toBe("the header has: 'body', 'label'; choose the column with --text-column (the textColumn option in the library)");
    const j = await write('g.jsonl', '{"body": "x", "label": "a"}\n');
    await expect(readDataset(j)).rejects.toThrow(/no field 'text'/);
    await expect(readDataset(j)).rejects.toMatchObject({ hint: 'fields present: body, label; choose the field with --text-column (the textColumn option in the library)' });
    const noLabel = await readDataset(await write('f2.csv', 'text,tag\nx,a\n')).catch((e) => e);
    expect(noLabel.hint).toBe("the header has: 'text', 'tag'; choose the column with --label-column (the labelColumn option in the library)");
  });

  it('a TSV file read as CSV (or the reverse) gets a hint about the format, not the column', async () => {
    const tabbed = await write('tabbed.csv', 'text\tlabel\nfine\ta\nalso fine\tb\n');
    const err = await readDataset(tabbed).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidFileError);
    expect(err.message).toMatch(/no text column 'text' in the header/);
    expect(err.hint).toBe("the header 'text\\tlabel' is one CSV column with tabs in it: the file looks like TSV; give --format tsv (format: 'tsv' in the library)");
    expect((await readDataset(tabbed, { format: 'tsv' })).examples).toHaveLength(2);
    const commas = await write('commas.tsv', 'text,label\nfine,a\n');
    await expect(readDataset(commas)).rejects.toMatchObject({ hint: expect.stringMatching(/one TSV column with commas in it: the file looks like CSV; give --format csv/) });
    await expect(readTextRecords(tabbed)).rejects.toMatchObject({ hint: expect.stringMatching(/give --format tsv/) });
    expect((await readTextRecords(tabbed, { format: 'tsv' })).map((r) => r.text)).toEqual(['fine', 'also fine']);
    // A real CSV with a missing column still names the columns.
    await expect(readDataset(await write('wide.csv', 'body,label\nx\ty,a\n'))).rejects.toMatchObject({ hint: expect.stringMatching(/^the header has: 'body', 'label'/) });
  });

  it('the format hint also comes when the misread file does not parse (texts with commas or quotes)', async () => {
    const tabbed = await write('tabbed2.csv', 'text\tlabel\nhello, world\tx\nsay "hi"\ty\n');
    await expect(readDataset(tabbed)).rejects.toMatchObject({ hint: expect.stringMatching(/looks like TSV; give --format tsv/) });
    await expect(readTextRecords(tabbed)).rejects.toMatchObject({ hint: expect.stringMatching(/looks like TSV; give --format tsv/) });
  });

  it('line numbers are those of the file: blank lines and newlines inside quoted fields (LF, CRLF or CR) count', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const content = ['text,label', '"a', 'b', 'c",x', '', '', 'hello,', 'bye,y', ''].join(eol);
      await expect(readDataset(await write('lines.csv', content))).rejects.toThrow(/line 7\): empty label/);
      const texts = ['text,label', '"multi', 'line",x', '', ',y', '"é, ü",x', ''].join(eol);
      const d = await readDataset(await write('lines2.csv', texts));
      expect(d.skippedEmpty).toEqual({ count: 1, lines: [5] });
      expect((await readTextRecords(await write('lines3.csv', texts))).map((r) => r.line)).toEqual([2, 5, 6]);
    }
  });

  it('a lone CR in an LF or CRLF file is a character, not a line break: it stays in the text, and line numbers are those grep -n and sed show', async () => {
    for (const eol of ['\n', '\r\n']) {
      // A stray CR inside a quoted text (pasted from elsewhere) and one outside quotes: csv-parse keeps
      // both in their field; the lines after them were numbered one too high per CR.
      const rows = ['text,label', '"one\rtext",x', 'two\rtexts,y', 'hello,', 'bye,y', ''];
      const content = rows.join(eol);
      const e = await readDataset(await write('cr.csv', content)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InvalidFileError);
      expect((e as InvalidFileError).location).toBe('line 4');
      const texts = ['text,label', '"a\rb",x', ',y', 'c\rd,x', '"e', 'f",y', ''].join(eol);
      const d = await readDataset(await write('cr2.csv', texts));
      expect(d.examples.map((x) => x.text)).toEqual(['a\rb', 'c\rd', 'e\nf'.replace('\n', eol)]);
      expect(d.skippedEmpty).toEqual({ count: 1, lines: [3] });
      expect((await readTextRecords(await write('cr3.csv', texts))).map((r) => r.line)).toEqual([2, 3, 4, 5]);
      // csv-parse's own errors count the CR as a line too, in their message: the file's line is given.
      const bad = await readDataset(await write('cr4.csv', ['text,label', '"a\rb",x', 'c,y,z', ''].join(eol))).catch((x: unknown) => x);
      expect((bad as InvalidFileError).location).toBe('near line 3');
      expect((bad as Error).message).toMatch(/Invalid Record Length: expect 2, got 3 on line 3$/);
      // Invalid UTF-8 is located the same way.
      const latin1 = Buffer.concat([Buffer.from(['text,label', 'a\rb,x', 'caf'].join(eol)), Buffer.from([0xe9]), Buffer.from(`,y${eol}`)]);
      const warnings: string[] = [];
      await readDataset(await write('cr5.csv', latin1 as unknown as string), { onWarning: (w) => warnings.push(w) });
      expect(warnings.join('\n')).toMatch(/first on line 3\)/);
      // fastText and one-text-per-line files: the CR no longer splits a line into two records.
      const ft = await readDataset(await write('cr.txt', ['__label__a one\rtext', '__label__b two', ''].join(eol)));
      expect(ft.examples).toEqual([{ text: 'one text', label: 'a' }, { text: 'two', label: 'b' }]);
      const lines = await readTextRecords(await write('cr-lines', ['first\rtext', 'second', ''].join(eol)));
      expect(lines.map((r) => [r.text, r.line])).toEqual([['first text', 1], ['second', 2]]);
      const jsonl = await readDataset(await write('cr.jsonl', ['{"text": "a",\r"label": "x"}', '{"text": "b", "label": "y"}', ''].join(eol)));
      expect(jsonl.examples).toEqual([{ text: 'a', label: 'x' }, { text: 'b', label: 'y' }]);
    }
    // In a file whose lines end with CR, CR ends lines (and so do LF and CRLF), as before.
    expect((await readTextRecords(await write('cr-only.csv', 'text,label\r"a\nb",x\rc,y\r'))).map((r) => r.line)).toEqual([2, 4]);
  });

  it('stray CRs never make a file with an LF, or a one-line file, a CR file; csv-parse splits records where line numbers do', async () => {
    // One line, one stray CR, no final line break: one record (it was two, the second 'without a label').
    expect((await readDataset(await write('one-cr.txt', '__label__a one\rtext'))).examples).toEqual([{ text: 'one text', label: 'a' }]);
    expect(await readTextRecords(await write('one-cr-lines', 'just one text\rwith a CR'))).toEqual([{ text: 'just one text with a CR', line: 1 }]);
    // Several stray CRs in one line of an LF file (they outnumbered its LFs).
    expect((await readDataset(await write('many-cr.txt', '__label__a x\r\r\ry\n__label__b two\n'))).examples).toEqual([
      { text: 'x y', label: 'a' },
      { text: 'two', label: 'b' },
    ]);
    const quoted = await readDataset(await write('many-cr.csv', 'text,label\n"a\r\r\r\rb",x\nc,\n')).catch((x: unknown) => x);
    expect(quoted).toBeInstanceOf(InvalidFileError);
    expect((quoted as InvalidFileError).location).toBe('line 3'); // of a 3-line file (it said line 7)
    expect(await readTextRecords(await write('many-cr2.csv', 'text,label\n"a\r\r\r\rb",x\nc,\n'))).toEqual([
      { text: 'a\r\r\r\rb', label: 'x', line: 2 },
      { text: 'c', line: 3 },
    ]);
    // A stray CR before the first LF: csv-parse took CR as the record delimiter ('Invalid Record Length').
    const header = await readDataset(await write('header-cr.csv', 'te\rxt,label\nhello,x\nbye,y\n'), { textColumn: 'te\rxt' });
    expect(header.examples).toEqual([{ text: 'hello', label: 'x' }, { text: 'bye', label: 'y' }]);
    const tsv = await readDataset(await write('header-cr.tsv', 'text\tla\rbel\nhello\tx\nbye\ty\n'), { labelColumn: 'la\rbel' });
    expect(tsv.examples.map((e) => e.label)).toEqual(['x', 'y']);
    // Classic Mac files still break at CR: two CRs or more, or a final one.
    expect(await readTexts(await write('mac-two', 'first\rsecond\rthird'))).toEqual(['first', 'second', 'third']);
    expect(await readTexts(await write('mac-final', 'only line\r'))).toEqual(['only line']);
    expect((await readDataset(await write('mac.csv', 'text,label\r"a\nb",x\rc,y'))).examples).toEqual([{ text: 'a\nb', label: 'x' }, { text: 'c', label: 'y' }]);
  });

  it('a missing column names the header line (after blank lines); CR-only files of one text per line split into texts', async () => {
    await expect(readDataset(await write('late-header.csv', '\n\nbody,label\nx,a\n'))).rejects.toMatchObject({ location: 'line 3' });
    expect(await readTexts(await write('mac-lines', 'first text\rsecond text\r'))).toEqual(['first text', 'second text']);
  });

  it('names a UTF-16 file, a JSON array and JSONL labels or texts that are not strings', async () => {
    const utf16 = await write('u16.tsv', '');
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('text\tlabel\r\nfree money\tspam\r\n', 'utf16le')]));
    await expect(readDataset(utf16)).rejects.toThrow(/the file is UTF-16 text/);
    await expect(readTextRecords(utf16)).rejects.toThrow(/the file is UTF-16 text/);
    const array = await write('arr.json', '[\n {"text": "a", "label": "x"},\n {"text": "b", "label": "y"}\n]\n');
    await expect(readDataset(array)).rejects.toThrow(/one JSON array, not JSONL/);
    await expect(readTextRecords(array)).rejects.toThrow(/one JSON array, not JSONL/);
    // A text line that merely starts with '[' is a text.
    expect(await readTexts(await write('brackets.txt', '[URGENT] buy now\nhello\n'))).toEqual(['[URGENT] buy now', 'hello']);
    await expect(readDataset(await write('obj.jsonl', '{"text":"a","label":"x"}\n{"text":"b","label":{"a":1}}\n'))).rejects.toThrow(/line 2\): the label is an object, not a string, number or boolean/);
    await expect(readDataset(await write('arrl.jsonl', '{"text":"a","label":[0]}\n'))).rejects.toThrow(/the label is an array/);
    // Booleans are labels of binary datasets: "true" / "false".
    expect((await readDataset(await write('bool.jsonl', '{"text":"a","label":true}\n{"text":"b","label":false}\n'))).examples.map((e) => e.label)).toEqual(['true', 'false']);
    await expect(readDataset(await write('numtext.jsonl', '{"text":5,"label":"x"}\n'))).rejects.toMatchObject({ message: expect.stringMatching(/field 'text' is a number, not a string/), hint: 'a text is a JSON string' });
    // Texts to classify: null is an empty text (kept for the caller to report), as in datasets; a missing field lists those present.
    expect(await readTextRecords(await write('null.jsonl', '{"text":"free money"}\n{"text":null}\n'))).toEqual([{ text: 'free money', line: 1 }, { text: '', line: 2 }]);
    await expect(readTextRecords(await write('nofield.jsonl', '{"body":"x"}\n'))).rejects.toMatchObject({ hint: expect.stringMatching(/fields present: body/) });
  });

  it('warns (with a count and the first line) about bytes that are not UTF-8, which decoding turns into U+FFFD', async () => {
    const latin1 = join(dir, 'latin1.csv');
    // 'café' and 'naïve' in Latin-1 (E9, EF), on lines 3 and 4; a U+FFFD written as such (EF BF BD) on line 2 is not counted.
    await writeFile(latin1, Buffer.concat([Buffer.from('text,label\nreal \uFFFD here,a\ncaf', 'utf8'), Buffer.from([0xe9]), Buffer.from(' ok,b\nna', 'utf8'), Buffer.from([0xef]), Buffer.from('ve,a\n', 'utf8')]));
    const seen: string[] = [];
    const d = await readDataset(latin1, { onWarning: (w) => seen.push(w) });
    expect(d.examples).toHaveLength(3);
    expect(d.warnings).toEqual(seen);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/latin1\.csv: 2 byte sequences are not valid UTF-8 \(first on line 3\) and were read as U\+FFFD .*Latin-1 or Windows-1252.*iconv -f WINDOWS-1252 -t UTF-8/);
    const records: string[] = [];
    await readTextRecords(latin1, { onWarning: (w) => records.push(w) });
    expect(records).toEqual(seen);
    // Valid UTF-8, U+FFFD written as such included: no warning.
    expect((await readDataset(await write('utf8.csv', 'text,label\ncafé \uFFFD,a\nnaïve,b\n'))).warnings).toEqual([]);
  });

  it('fails clearly on an empty file, a header-only file and all-empty texts', async () => {
    await expect(readDataset(await write('h.csv', ''))).rejects.toThrow(/the file is empty/);
    await expect(readDataset(await write('i.csv', 'text,label\n'))).rejects.toThrow(/no records/);
    await expect(readDataset(await write('j.csv', 'text,label\n,a\n'))).rejects.toThrow(/all 1 records have an empty text/);
    await expect(readDataset(join(dir, 'missing.csv'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports malformed records with their line', async () => {
    await expect(readDataset(await write('k.jsonl', '{"text":"x","label":"a"}\n{oops\n'))).rejects.toThrow(/line 2/);
    await expect(readDataset(await write('l.txt', '__label__a fine\nno label here\n'))).rejects.toThrow(/line 2.*does not start with a label/);
    await expect(readDataset(await write('m.csv', 'text,label\n"unclosed,a\n'))).rejects.toBeInstanceOf(InvalidFileError);
    await expect(readDataset(await write('n.csv', 'text,label\nx,\n'))).rejects.toThrow(/empty label/);
  });

  it('reads texts to predict from plain lines, CSV and JSONL', async () => {
    expect(await readTexts(await write('p.txt', 'first one\n\n__label__x second\n'))).toEqual(['first one', 'second']);
    expect(await readTexts(await write('q.csv', 'text\n"a, b"\nc\n'))).toEqual(['a, b', 'c']);
    expect(await readTexts(await write('r.jsonl', '{"text":"z"}\n'))).toEqual(['z']);
    // A file whose extension says nothing is one text per line unless its first line names the text column.
    expect(await readTexts(await write('lines', 'Win a FREE cruise, now\nMinutes of the meeting\n'))).toEqual(['Win a FREE cruise, now', 'Minutes of the meeting']);
    expect(await readTexts(await write('lines.dat', 'id,text\n1,"a, b"\n'))).toEqual(['a, b']);
  });
});

describe('readTextRecords keys and labels', () => {
  it('reads a key column and the label where the file has one', async () => {
    const csv = await write('k1.csv', 'id,text,label\nx1,"hello, world",pos\nx2,bye,\n');
    expect(await readTextRecords(csv, { keyColumn: 'id' })).toEqual([
      { text: 'hello, world', line: 2, key: 'x1', label: 'pos' },
      { text: 'bye', line: 3, key: 'x2' },
    ]);
    // Keys are trimmed and never empty (index build needs one per item); JSON numbers only when exact.
    expect((await readTextRecords(await write('k3.csv', 'id,text\n  x1 ,a\n'), { keyColumn: 'id' }))[0]!.key).toBe('x1');
    await expect(readTextRecords(await write('k4.csv', 'id,text\n,a\n7,b\n'), { keyColumn: 'id' })).rejects.toMatchObject({ location: 'line 2', message: expect.stringMatching(/empty key in column 'id'/) });
    await expect(readTextRecords(await write('k4.jsonl', '{"id":9007199254740993,"text":"a"}\n'), { keyColumn: 'id' })).rejects.toMatchObject({ message: expect.stringMatching(/too large to be read exactly/) });
    await expect(readTextRecords(await write('k5.jsonl', '{"id":" ","text":"a"}\n'), { keyColumn: 'id' })).rejects.toMatchObject({ message: expect.stringMatching(/empty key/) });
    await expect(readTextRecords(csv, { keyColumn: 'nope' })).rejects.toMatchObject({ code: 'E_INVALID_FILE', message: expect.stringMatching(/no key column 'nope'/) });
    await expect(readTextRecords(csv, { labelColumn: 'class' })).rejects.toMatchObject({ message: expect.stringMatching(/no label column 'class'/) });
    const jsonl = await write('k1.jsonl', '{"id":7,"text":"a","label":"p"}\n{"id":"b8","text":"b"}\n');
    expect(await readTextRecords(jsonl, { keyColumn: 'id' })).toEqual([
      { text: 'a', line: 1, key: '7', label: 'p' },
      { text: 'b', line: 2, key: 'b8' },
    ]);
    await expect(readTextRecords(await write('k2.jsonl', '{"id":7,"text":"a"}\n{"text":"b"}\n'), { keyColumn: 'id' })).rejects.toMatchObject({ location: 'line 2', message: expect.stringMatching(/'id' \(the key\)/) });
    const ft = await write('k1.txt', '__label__spam win now\nplain text\n');
    expect(await readTextRecords(ft)).toEqual([
      { text: 'win now', line: 1, label: 'spam' },
      { text: 'plain text', line: 2 },
    ]);
    await expect(readTextRecords(ft, { keyColumn: 'id' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    // Column options on a one-text-per-line file are refused, not ignored.
    await expect(readTextRecords(ft, { labelColumn: 'foo', textColumn: 'bar' })).rejects.toMatchObject({
      message: expect.stringMatching(/text column \('bar'\), label column \('foo'\): .* has no columns/),
    });
  });
});

describe('labels and splits', () => {
  const examples = Array.from({ length: 60 }, (_, i) => ({ text: `t${i}`, label: i % 3 === 0 ? 'a' : 'b' }));

  it('rejects a training set with one class', () => {
    expect(() => trainingLabels([{ text: 'x', label: 'a' }, { text: 'y', label: 'a' }])).toThrow(DataError);
    expect(() => trainingLabels([{ text: 'x', label: 'a' }])).toThrow(/only one class/);
    expect(trainingLabels(examples)).toEqual(['a', 'b']);
  });

  it('reports labels never seen in training instead of failing', () => {
    const r = encodeLabels([{ text: 'x', label: 'a' }, { text: 'y', label: 'zzz' }, { text: 'z', label: 'zzz' }], ['a', 'b']);
    expect(Array.from(r.y)).toEqual([0, -1, -1]);
    expect(r.unseen).toEqual([{ label: 'zzz', count: 2 }]);
  });

  it('held-out data with no training label is a DataError naming the labels; some known labels are enough', () => {
    const other = [{ text: 'x', label: 'A' }, { text: 'y', label: 'B' }, { text: 'z', label: 'A' }];
    expect(() => requireKnownLabels(other, ['a', 'b'], 'test')).toThrow(DataError);
    expect(() => requireKnownLabels(other, ['a', 'b'], 'test')).toThrow('none of the 3 test texts has a label seen in training: A (2), B (1); training labels: a, b');
    try {
      requireKnownLabels(other, ['a', 'b'], 'test');
    } catch (e) {
      expect((e as DataError).hint).toMatch(/check the label column of the test data .*or train without test data/);
    }
    expect(Array.from(requireKnownLabels([...other, { text: 'w', label: 'a' }], ['a', 'b'], 'test').y)).toEqual([-1, -1, -1, 0]);
  });

  it('a sample size must be a whole number ≥ 1', () => {
    const ex = [...Array(10)].map((_, i) => ({ text: `t${i}`, label: i < 9 ? 'a' : 'b' }));
    for (const n of [0, -2, 2.5]) expect(() => stratifiedSample(ex, n)).toThrow(/whole number n ≥ 1/);
    expect(stratifiedSample(ex, 5, 1).filter((e) => e.label === 'b')).toHaveLength(1);
  });

  it('splits seeded and stratified', () => {
    const s1 = splitExamples(examples, { validation: 0.25, seed: 7 });
    const s2 = splitExamples(examples, { validation: 0.25, seed: 7 });
    const s3 = splitExamples(examples, { validation: 0.25, seed: 8 });
    expect(s1).toEqual(s2);
    expect(s1.validation).not.toEqual(s3.validation);
    expect(s1.validation.length).toBe(15);
    expect(s1.validation.filter((e) => e.label === 'a').length).toBe(5);
    expect(s1.train.length + s1.validation.length).toBe(60);
    const sample = stratifiedSample(examples, 12, 1);
    expect(sample.length).toBe(12);
    expect(sample.filter((e) => e.label === 'a').length).toBe(4);
  });
});
