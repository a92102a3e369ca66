import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HnswIndex } from '../../embeddings/index.js';
import { loadVectors } from '../../text/vectors/index.js';
import { cli } from '../helpers/cli.js';
import { gloveText, TINY } from '../text/vectors/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tk-cli-vectors-'));
const { words, rows } = TINY;
const glove = join(dir, 'tiny.txt');
writeFileSync(glove, gloveText());
const fixtures = new URL('../fixtures/vectors/', import.meta.url).pathname;

describe('transferkit vectors', () => {
  it('neighbors --json prints [{word, score}] without the query word', async () => {
    const r = await cli('vectors', 'neighbors', glove, 'king', '-k', '3', '--json');
    expect(r.code).toBe(0);
    const hits = JSON.parse(r.stdout) as { word: string; score: number }[];
    const wv = await loadVectors(glove, { cache: false });
    expect(hits.map((h) => h.word)).toEqual(wv.mostSimilar('king', 3).map((n) => n.word));
    expect(hits[0]).toEqual({ word: 'prince', score: expect.any(Number) });
    expect(hits.some((h) => h.word === 'king')).toBe(false);
  });

  it('neighbors prints an aligned table by default', async () => {
    const r = await cli('vectors', 'neighbours', glove, 'apple', '-k', '2');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stdout).toMatch(/^banana\s+0\.9\d{3}$/m);
  });

  it('similarity prints the cosine of two words; an unknown word is a clear error', async () => {
    const r = await cli('vectors', 'similarity', glove, 'king', 'queen', '--json');
    expect(r.code).toBe(0);
    const wv = await loadVectors(glove, { cache: false });
    expect(JSON.parse(r.stdout)).toEqual({ word1: 'king', word2: 'queen', similarity: Number(wv.similarity('king', 'queen').toFixed(6)) });
    const plain = await cli('vectors', 'similarity', glove, 'apple', 'banana');
    expect(plain.stdout.trim()).toBe(wv.similarity('apple', 'banana').toFixed(4));
    const oov = await cli('vectors', 'similarity', glove, 'king', 'zebra');
    expect(oov.code).not.toBe(0);
    expect(oov.stderr).toMatch(/E_KEY_NOT_FOUND.*'zebra' is not present/);
  });

  it('doesnt-match names the odd word and notes the unknown ones', async () => {
    const r = await cli('vectors', 'doesnt-match', glove, 'king', 'queen', 'prince', 'apple', 'zebra');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('apple');
    expect(r.stderr).toMatch(/ignored: zebra/);
    const j = await cli('vectors', 'doesnt-match', glove, 'apple', 'banana', 'fruit', 'king', '--json');
    expect(JSON.parse(j.stdout)).toEqual({ odd: 'king', ignored: [] });
    const few = await cli('vectors', 'doesnt-match', glove, 'apple', 'banana');
    expect(few.code).not.toBe(0);
    expect(few.stderr).toMatch(/at least three words, got 2/);
    const two = await cli('vectors', 'doesnt-match', glove, 'zebra', 'apple', 'banana');
    expect(two.code).not.toBe(0);
    expect(two.stderr).toMatch(/at least three words in the vocabulary, got 2 \(not in it: zebra\)/);
    const none = await cli('vectors', 'doesnt-match', glove, 'zebra', 'yak', 'gnu');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/none of the words is in the vocabulary: zebra, yak, gnu/);
  });

  it('analogy with 3CosAdd and 3CosMul', async () => {
    for (const method of ['add', 'mul']) {
      const r = await cli('vectors', 'analogy', glove, 'man', 'king', 'woman', '-k', '2', '--method', method, '--json');
      expect(r.code).toBe(0);
      const hits = JSON.parse(r.stdout) as { word: string }[];
      expect(hits).toHaveLength(2);
      expect(hits[0]!.word).toBe('queen');
    }
    const bad = await cli('vectors', 'analogy', glove, 'man', 'king', 'woman', '--method', 'sub');
    expect(bad.code).not.toBe(0);
  });

  it('info reports shape and format, and the cache on the second run', async () => {
    const path = join(dir, 'info.vec');
    writeFileSync(path, `2 3\na 1 2 3 \nb 4 5 6 \n`);
    const first = JSON.parse((await cli('vectors', 'info', path, '--json')).stdout);
    expect(first).toMatchObject({ words: 2, dim: 3, format: 'fasttext', fromCache: false, first: ['a', 'b'] });
    const second = JSON.parse((await cli('vectors', 'info', path, '--json')).stdout);
    expect(second.fromCache).toBe(true);
    const text = await cli('vectors', 'info', path);
    expect(text.stdout).toMatch(/words:\s+2/);
  });

  it('convert writes every format and the result loads back identically', async () => {
    for (const to of ['glove', 'word2vec', 'fasttext', 'word2vec-bin']) {
      const out = join(dir, `converted.${to}`);
      const r = await cli('vectors', 'convert', glove, out, '--to', to);
      expect(r.code).toBe(0);
      const back = await loadVectors(out, { cache: false });
      expect(back.words).toEqual(words);
      expect(Array.from(back.matrix)).toEqual(rows.flat().map(Math.fround));
    }
    const missing = await cli('vectors', 'convert', glove, join(dir, 'x'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--to/);
  });

  it('evaluate --pairs and --analogies (one of them, not both)', async () => {
    const pairs = join(dir, 'pairs.txt');
    writeFileSync(pairs, 'king prince 9\napple banana 8\nman fruit 1\nking unicorn 2\n');
    const p = JSON.parse((await cli('vectors', 'evaluate', glove, '--pairs', pairs, '--json')).stdout);
    expect(p).toMatchObject({ pairs: 3, oov: 1, spearman: expect.any(Number) });
    const q = join(dir, 'q.txt');
    writeFileSync(q, ': royalty\nman king woman queen\nking man queen woman\nman king woman unicorn\n');
    const a = await cli('vectors', 'evaluate', glove, '--analogies', q);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/royalty\s+100\.0%\s+\(2\/2, 1 OOV\)/);
    expect(a.stdout).toMatch(/OOV questions: 1/);
    // Sections where every question is OOV have no accuracy: n/a, and null in JSON (not 0.0%).
    const qw = join(dir, 'qw-oov.txt');
    writeFileSync(qw, ': capital\nathens greece baghdad iraq\nman king woman unicorn\n: family\nboy girl brother sister\n');
    const oov = await cli('vectors', 'evaluate', glove, '--analogies', qw, '--restrict', '3');
    expect(oov.code).toBe(0);
    expect(oov.stdout).toMatch(/^capital\s+n\/a\s+\(0\/0, 2 OOV\)$/m);
    expect(oov.stdout).toMatch(/^total\s+n\/a\s+\(0\/0, 3 OOV\)$/m);
    expect(oov.stdout).not.toMatch(/%\s+\(0\/0/);
    const mixed = await cli('vectors', 'evaluate', glove, '--analogies', `${q}`, '--json');
    expect(JSON.parse(mixed.stdout).total.accuracy).toBe(1);
    const oovJson = JSON.parse((await cli('vectors', 'evaluate', glove, '--analogies', qw, '--restrict', '3', '--json')).stdout);
    expect(oovJson.total).toEqual({ section: 'total', correct: 0, incorrect: 0, oov: 3, accuracy: null });
    expect(oovJson.sections.map((s: { accuracy: unknown }) => s.accuracy)).toEqual([null, null]);
    const onePair = join(dir, 'one-pair.txt');
    writeFileSync(onePair, 'king prince 9\nunicorn dragon 3\n');
    const pr = await cli('vectors', 'evaluate', glove, '--pairs', onePair);
    expect(pr.code).toBe(0);
    expect(pr.stdout).toMatch(/^spearman: n\/a$/m);
    expect(pr.stdout).toMatch(/^pairs: {4}1 \(1 OOV, 50\.0%\)$/m);
    expect(JSON.parse((await cli('vectors', 'evaluate', glove, '--pairs', onePair, '--json')).stdout)).toMatchObject({ spearman: null, pearson: null, pairs: 1 });
    const both = await cli('vectors', 'evaluate', glove, '--pairs', pairs, '--analogies', q);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of/);
  });

  it('a bad file exits 2 naming the file and line; an unknown word names the word', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'a 1 2\nb 1\n');
    const r = await cli('vectors', 'info', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error[E_INVALID_FILE]: ${bad} (line 2`);
    expect(r.stderr).toMatch(/hint:/);
    const oov = await cli('vectors', 'neighbors', glove, 'unicorn');
    expect(oov.code).toBe(2);
    expect(oov.stderr).toMatch(/E_KEY_NOT_FOUND.*unicorn/);
    const missing = await cli('vectors', 'info', join(dir, 'nope.txt'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/glove-wink-100d/);
  });

  it('--index answers with a saved HNSW index', async () => {
    const wv = await loadVectors(glove, { cache: false });
    const hnsw = new HnswIndex({ dim: 4 });
    wv.words.forEach((w) => hnsw.add(w, wv.get(w)));
    const indexDir = join(dir, 'tiny-hnsw');
    await hnsw.save(indexDir);
    const r = await cli('vectors', 'neighbors', glove, 'king', '-k', '3', '--index', indexDir, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((h: { word: string }) => h.word)).toEqual(wv.mostSimilar('king', 3).map((n) => n.word));
    const a = await cli('vectors', 'analogy', glove, 'man', 'king', 'woman', '-k', '1', '--index', indexDir, '--json');
    expect(JSON.parse(a.stdout)[0].word).toBe('queen');
    const mul = await cli('vectors', 'analogy', glove, 'man', 'king', 'woman', '--index', indexDir, '--method', 'mul');
    expect(mul.code).toBe(2);
    const wrongDim = new HnswIndex({ dim: 3 });
    wrongDim.add('x', [1, 0, 0]);
    await wrongDim.save(join(dir, 'dim3'));
    const bad = await cli('vectors', 'neighbors', glove, 'king', '--index', join(dir, 'dim3'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/dimension 3, expected 4|dimension/);
  });

  it('list shows the bundled sets', async () => {
    const r = await cli('vectors', 'list', '--json');
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ name: 'glove-wink-100d', size: 341479, dim: 100 });
  });

  it('the bundled set by short name: king neighbours and the evaluation fixtures', async () => {
    const r = await cli('vectors', 'neighbors', 'glove-wink-100d', 'king', '-k', '5', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((h: { word: string }) => h.word)).toEqual(['prince', 'queen', 'son', 'brother', 'monarch']);
    const a = await cli('vectors', 'analogy', 'glove-wink-100d', 'france', 'paris', 'italy', '-k', '1', '--json');
    expect(JSON.parse(a.stdout)[0].word).toBe('rome');
    const e = JSON.parse((await cli('vectors', 'evaluate', 'glove-wink-100d', '--analogies', `${fixtures}questions-words-mini.txt`, '--json')).stdout);
    expect(e.total.oov).toBe(1);
  });

  it('convert refuses an output that is a folder or under a file, before loading', async () => {
    const { mkdirSync, readdirSync } = await import('node:fs');
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'keep.txt'), 'mine');
    for (const out of [folder, join(glove, 'x.bin')]) {
      const r = await cli('vectors', 'convert', 'does-not-matter-yet', out, '--to', 'word2vec-bin');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
    }
    expect(readdirSync(folder)).toEqual(['keep.txt']);
  });

  it('argument errors carry specific hints; a missing evaluation file is E_NOT_FOUND', async () => {
    const hint = (r: { stderr: string }) => r.stderr.match(/hint: (.*)/)?.[1] ?? '';
    const mul = await cli('vectors', 'analogy', glove, 'man', 'king', 'woman', '--index', join(dir, 'idx'), '--method', 'mul');
    expect(mul.code).toBe(2);
    expect(mul.stderr).toMatch(/--index serves 3CosAdd only/);
    expect(hint(mul)).toMatch(/drop --index to use --method mul/);
    const neither = await cli('vectors', 'evaluate', glove);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/give exactly one of --analogies <file> or --pairs <file>/);
    expect(hint(neither)).toMatch(/--analogies questions-words\.txt/);
    const nofile = await cli('vectors', 'evaluate', glove, '--analogies', join(dir, 'nofile.txt'));
    expect(nofile.code).toBe(2);
    expect(nofile.stderr).toMatch(/error\[E_NOT_FOUND\]: analogy file .*nofile\.txt does not exist/);
    expect(hint(nofile)).toMatch(/check the path/);
    const folder = await cli('vectors', 'evaluate', glove, '--analogies', dir);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/is a folder, not an analogy file/);
    const pairsFolder = await cli('vectors', 'evaluate', glove, '--pairs', dir);
    expect(pairsFolder.stderr).toMatch(/is a folder, not a word-pairs file/);
    const unknown = await cli('vectors', 'neighbors', glove, 'unicorn');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/word 'unicorn' is not present/);
    expect(hint(unknown)).toBe('the vocabulary has 8 words; check case and spelling');
  });

  it('format hints name the option where it exists, and their convert command works for the text commands', async () => {
    // Read as GloVe, word2vec text fails on its header; the hint says how to read it as word2vec.
    const w2v = join(dir, 'hint.w2v.txt');
    expect((await cli('vectors', 'convert', glove, w2v, '--to', 'word2vec', '--no-cache')).code).toBe(0);
    const r = await cli('vectors', 'info', w2v, '--format', 'glove', '--no-cache');
    expect(r.code).toBe(2);
    const hint = /hint: (.*)/.exec(r.stderr)![1]!;
    expect(hint).toMatch(/loadVectors\(file, \{ format: 'word2vec' \}\), or --format word2vec on the 'transferkit vectors' commands/);
    expect(hint).not.toMatch(/on the CLI/);
    // The conversion the hint gives for the text/index commands (whose --format, if any, is not the vectors') runs as written.
    const command = /'transferkit vectors (convert FILE OUT [^']+)'/.exec(hint)![1]!.split(' ');
    const out = join(dir, 'hint.glove.txt');
    const converted = await cli('vectors', ...command.map((a) => (a === 'FILE' ? w2v : a === 'OUT' ? out : a)), '--no-cache');
    expect(converted.code).toBe(0);
    expect((await loadVectors(out, { cache: false })).words).toEqual([...words]);
    // A damaged file on text embed: the generic hint is true there too.
    const bad = join(dir, 'bad-value.txt');
    writeFileSync(bad, 'king 1 0\nqueen 1 abc\n');
    writeFileSync(join(dir, 'texts.txt'), 'king queen\nqueen king\n');
    const e = await cli('text', 'embed', '--data', join(dir, 'texts.txt'), '--vectors', bad, '--out', join(dir, 'never.jsonl'));
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/non-numeric value 'abc'/);
    expect(e.stderr).toMatch(/hint: fix or remove that line, or give the vectors' format: the format option of loadVectors, or --format on the 'transferkit vectors' commands; the text and index commands detect it, so convert the file for them first \('transferkit vectors convert FILE OUT --format FORMAT --to glove'\)/);
  });

  it('says when a file looks truncated, is binary, is word2vec binary read as text, or is a folder', async () => {
    const cut = join(dir, 'cut.txt');
    writeFileSync(cut, 'man 0 1 0 0\nwoman 0 0 1 0\nking 1 1 0 0.');
    const c = await cli('vectors', 'info', cut, '--no-cache');
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/error\[E_INVALID_FILE\]: .*cut\.txt \(line 3, .*\): the last value '0\.' is cut short \(the file looks truncated\)/);
    expect(c.stderr).toMatch(/hint: .*no final newline.*re-download/);
    const short = join(dir, 'short.txt');
    writeFileSync(short, '2 4\nman 0 1 0 0\nwoman 0 0');
    const s = await cli('vectors', 'info', short, '--no-cache');
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/expected 4 values, found 2 \(the file looks truncated\)/);

    const bin = join(dir, 'tiny.bin');
    expect((await cli('vectors', 'convert', glove, bin, '--to', 'word2vec-bin', '--no-cache')).code).toBe(0);
    const asGlove = await cli('vectors', 'info', bin, '--format', 'glove', '--no-cache');
    expect(asGlove.code).toBe(2);
    expect(asGlove.stderr).toMatch(/this looks like a word2vec binary file, not glove text/);
    expect(asGlove.stderr).toMatch(/hint: .*--format word2vec-bin/);
    const png = join(dir, 'photo.png');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
    const p = await cli('vectors', 'info', png, '--no-cache');
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/this is a PNG image, not a word-vector file/);
    expect(p.stderr).not.toMatch(/word2vec'/);

    const folder = await cli('vectors', 'info', dir);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: .* is a folder, not a vector file/);
  });
});
