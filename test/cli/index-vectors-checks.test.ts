import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { randomMatrix, row } from '../embeddings/helpers.js';

const dim = 6;
const words = ['king', 'queen', 'man', 'woman', 'apple', 'pear', 'car', 'bus', 'train', 'plane', 'zero', 'ship'];
const m = randomMatrix(words.length, dim, 5);
m.fill(0, 10 * dim, 11 * dim); // 'zero' has an all-zero vector
const other = randomMatrix(words.length, dim, 99);
let dir: string;
let glove: string;
let otherJsonl: string;

const fmt = (v: Float32Array) => Array.from(v).map((x) => x.toFixed(6)).join(' ');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tk-idxvec-'));
  process.env.TRANSFERKIT_CACHE = join(dir, 'cache');
  glove = join(dir, 'g.txt');
  await writeFile(glove, words.map((w, i) => `${w} ${fmt(row(m, i, dim))}`).join('\n') + '\n');
  otherJsonl = join(dir, 'other.jsonl');
  await writeFile(otherJsonl, words.map((w, i) => JSON.stringify({ key: w, vector: Array.from(row(other, i, dim)) })).join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('index and vectors commands: values, spaces, zero rows', () => {
  it('index query --vector refuses values beyond float32 range, naming the position', async () => {
    const out = join(dir, 'ig');
    expect((await cli('index', 'build', glove, '--out', out)).code).toBe(0);
    for (const [v, got] of [['[1, 1e39, 0, 0, 0, 0]', /1e\+39/], ['[1, 1e400, 0, 0, 0, 0]', /too large even for a double, read as Infinity/]] as const) {
      const r = await cli('index', 'query', out, '--vector', v);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: --vector: the value at position 1 \(0-based\) is out of float32 range/);
      expect(r.stderr).toMatch(got);
    }
  });

  it('index build refuses --M above 10000 (hnswlib would cap it while the manifest records it)', async () => {
    for (const kind of ['hnsw', 'auto']) {
      const r = await cli('index', 'build', glove, '--out', join(dir, 'im'), '--kind', kind, '--M', '20000');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: --M 20000 is above 10000, the largest M hnswlib uses\n\s*hint: give --M 10000 or less/);
    }
  });

  it('--unicode-errors replace on the vectors commands and index build reads a Latin-1 word as U+FFFD; strict names the place', async () => {
    const f = join(dir, 'latin1w2v.txt');
    await writeFile(f, Buffer.concat([Buffer.from('3 2\nking 0.5 -1\nqueen 1 2\ncaf'), Buffer.from([0xe9]), Buffer.from(' 3 4\n')]));
    const strict = await cli('vectors', 'info', f, '--format', 'word2vec');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/error\[E_INVALID_FILE\]: .*latin1w2v\.txt \(line 4, byte \d+\): invalid UTF-8 in a word\n\s*hint: convert the file to UTF-8 \(for Latin-1 text: iconv -f LATIN1 -t UTF-8 FILE > OUT\), or read invalid bytes as U\+FFFD: --unicode-errors replace/);
    const info = await cli('vectors', 'info', f, '--unicode-errors', 'replace', '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ format: 'word2vec', words: 3, first: ['king', 'queen', 'caf\ufffd'] });
    const out = join(dir, 'ilatin1');
    const b = await cli('index', 'build', f, '--out', out, '--unicode-errors', 'replace', '--json');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ count: 3, recipe: null });
    expect(b.stderr).toMatch(/note: no recipe: .* read with --unicode-errors replace/);
    expect((await cli('index', 'build', f, '--out', out, '--unicode-errors', 'maybe')).stderr).toMatch(/--unicode-errors must be one of strict, replace/);
  });

  it('index build from JSONL refuses 1e400 as out of range, not "(got null)"', async () => {
    const f = join(dir, 'big.jsonl');
    await writeFile(f, '{"key": "a", "vector": [1, 2]}\n{"key": "b", "vector": [1, 1e400]}\n');
    const r = await cli('index', 'build', f, '--out', join(dir, 'ibig'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_INVALID_FILE\]: .*big\.jsonl \(line 2\): "vector"\[1\] is not a finite float32 number \(got a number too large even for a double/);
    expect(r.stderr).not.toMatch(/got null/);
  });

  it('l2 HNSW: --json never prints null scores for a huge query (refused) or a far item (float64 distance)', async () => {
    const f = join(dir, 'l2.jsonl');
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ key: `k${i}`, vector: i === 0 ? [1e20, 0, 0, 0] : [i, 1, 0, 0] }));
    await writeFile(f, lines.join('\n') + '\n');
    const out = join(dir, 'il2');
    expect((await cli('index', 'build', f, '--out', out, '--metric', 'l2', '--kind', 'hnsw')).code).toBe(0);
    const huge = await cli('index', 'query', out, '--vector', '[1e20, 0, 0, 0]', '--json');
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: query vector is too long for an l2 HNSW search[\s\S]*hint: .*exact index/);
    const all = await cli('index', 'query', out, '--vector', '[0, 1, 0, 0]', '-k', '30', '--json');
    expect(all.code).toBe(0);
    const hits = JSON.parse(all.stdout) as { key: string; score: number | null; distance: number | null }[];
    expect(hits).toHaveLength(30);
    expect(hits.every((h) => typeof h.score === 'number' && typeof h.distance === 'number')).toBe(true);
    expect(hits[29]!.key).toBe('k0');
  });

  it('vectors neighbors --index refuses an index built from other vectors (same words, dim and metric)', async () => {
    const out = join(dir, 'iother');
    expect((await cli('index', 'build', otherJsonl, '--out', out)).code).toBe(0);
    const r = await cli('vectors', 'neighbors', glove, 'king', '--index', out);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`error\\[E_INVALID_ARGUMENT\\]: the index at ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was built from other vectors: its vector of 'king' is not the word vector of 'king' \\(cosine -?0\\.\\d{4} between them\\)`));
    expect(r.stderr).toMatch(/hint: rebuild .* from these vectors/);
    const a = await cli('vectors', 'analogy', glove, 'man', 'king', 'woman', '--index', out);
    expect(a.stderr).toMatch(/was built from other vectors/);
    // The index built from these very vectors (exact or HNSW) is accepted.
    for (const kind of ['exact', 'hnsw']) {
      const own = join(dir, `own-${kind}`);
      expect((await cli('index', 'build', glove, '--out', own, '--kind', kind)).code).toBe(0);
      const ok = await cli('vectors', 'neighbors', glove, 'king', '--index', own, '--json');
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
    }
  });

  it('vectors neighbors --index with an index of another metric is E_INVALID_ARGUMENT', async () => {
    const out = join(dir, 'il2-words');
    expect((await cli('index', 'build', glove, '--out', out, '--metric', 'l2')).code).toBe(0);
    const r = await cli('vectors', 'neighbors', glove, 'king', '--index', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: the index at .* uses metric 'l2', expected 'cosine'/);
  });

  it('zero rows never match: vectors neighbors (exact and --index) and index query leave them out', async () => {
    const k = String(words.length);
    const exact = await cli('vectors', 'neighbors', glove, 'king', '-k', k, '--json');
    expect(exact.code).toBe(0);
    const got = (JSON.parse(exact.stdout) as { word: string }[]).map((h) => h.word);
    expect(got).toHaveLength(words.length - 2);
    expect(got).not.toContain('zero');
    for (const kind of ['exact', 'hnsw']) {
      const out = join(dir, `zero-${kind}`);
      expect((await cli('index', 'build', glove, '--out', out, '--kind', kind)).code).toBe(0);
      const viaIndex = await cli('vectors', 'neighbors', glove, 'king', '-k', k, '--index', out, '--json');
      expect((JSON.parse(viaIndex.stdout) as { word: string }[]).map((h) => h.word)).not.toContain('zero');
      const q = await cli('index', 'query', out, '--word', 'king', '-k', k, '--json');
      const keys = (JSON.parse(q.stdout) as { key: string }[]).map((h) => h.key);
      expect(keys).toHaveLength(words.length - 2);
      expect(keys).not.toContain('zero');
    }
  });

  it("index query --text with a word whose vector is all zeros says so (not 'none of its words has a vector' alone)", async () => {
    const out = join(dir, 'zero-text');
    expect((await cli('index', 'build', glove, '--out', out)).code).toBe(0);
    const r = await cli('index', 'query', out, '--text', 'zero');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_DATA\]: the query text has no direction in this index's space: its embedding is all zeros \(none of its words has a vector, or the vectors of those it has are all zeros\)/);
  });
});

describe('index command messages', () => {
  const n = 300;
  const d = 8;
  const mm = randomMatrix(n, d, 3);
  let items: string;
  beforeAll(async () => {
    items = join(dir, 'items.jsonl');
    await writeFile(items, Array.from({ length: n }, (_, i) => JSON.stringify({ key: `i${i}`, vector: Array.from(row(mm, i, d)) })).join('\n') + '\n');
  });

  it('--input vectors on a JSONL embeddings file says it looks like JSONL embeddings', async () => {
    const r = await cli('index', 'build', items, '--out', join(dir, 'iv'), '--input', 'vectors');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: .*items\.jsonl looks like JSONL embeddings .*not word vectors, which --input vectors reads\n\s*hint: drop --input vectors \(auto reads it as JSONL\), or give --input jsonl/);
    expect(r.stderr).not.toMatch(/re-install/);
  });

  it('eval --queries-file skips zero rows with a note naming the file and 1-based lines', async () => {
    const out = join(dir, 'ieval');
    expect((await cli('index', 'build', items, '--out', out, '--kind', 'hnsw')).code).toBe(0);
    const held = join(dir, 'held.jsonl');
    const q = randomMatrix(20, d, 8);
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ key: `q${i}`, vector: i === 18 ? new Array(d).fill(0) : Array.from(row(q, i, d)) }));
    await writeFile(held, ['', ...lines].join('\n') + '\n'); // a blank first line: item 18 is on line 20
    const r = await cli('index', 'eval', out, '--queries-file', held, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).queries).toBe(19);
    expect(r.stderr).toBe(`note: skipped 1 zero vector of ${held} (line 20): a zero vector has no direction under cosine\n`);
    const allZero = join(dir, 'zeros.jsonl');
    await writeFile(allZero, JSON.stringify({ key: 'z', vector: new Array(d).fill(0) }) + '\n');
    const z = await cli('index', 'eval', out, '--queries-file', allZero);
    expect(z.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: every query vector in .*zeros\.jsonl is all zeros/);
  });

  it('an index path that is a file says so; a missing --recipe file is E_NOT_FOUND', async () => {
    for (const cmd of [['query', '--key', 'i1'], ['info'], ['eval']]) {
      const r = await cli('index', cmd[0]!, items, ...cmd.slice(1));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: .*items\.jsonl is a file, not an index folder/);
    }
    const r = await cli('index', 'build', items, '--out', join(dir, 'irec'), '--recipe', join(dir, 'nope.recipe.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_NOT_FOUND\]: recipe file .*nope\.recipe\.json does not exist/);
  });

  it('build --tune --json rounds tuned.recall to 6 decimals', async () => {
    const r = await cli('index', 'build', items, '--out', join(dir, 'itune'), '--kind', 'hnsw', '--M', '4', '--ef-construction', '8', '--target', '0.99', '--json');
    expect(r.code).toBe(0);
    const recall = JSON.parse(r.stdout).tuned.recall as number;
    expect(recall).toBe(Number(recall.toFixed(6)));
    expect(r.stdout).toMatch(/"recall": \d(\.\d{1,6})?,/);
  });
});
