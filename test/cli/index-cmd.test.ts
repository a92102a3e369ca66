import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { randomMatrix, row } from '../embeddings/helpers.js';
import { evaluate, loadIndex, sampleSelfQueries } from '../../embeddings/index.js';

const dim = 8;
const n = 600;
const m = randomMatrix(n, dim, 31);
let dir: string;
let jsonl: string;
let glove: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tk-index-cli-'));
  jsonl = join(dir, 'items.jsonl');
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ key: `item${i}`, vector: Array.from(row(m, i, dim)), color: i % 2 ? 'red' : 'blue' }));
  await writeFile(jsonl, lines.join('\n') + '\n');
  glove = join(dir, 'tiny.glove.txt');
  const words = ['king', 'queen', 'man', 'woman', 'apple', 'pear', 'car', 'bus'];
  await writeFile(glove, words.map((w, i) => `${w} ${Array.from(row(m, i, dim)).map((x) => x.toFixed(5)).join(' ')}`).join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('transferkit index', () => {
  it('builds an HNSW index from JSONL, shows info, queries by key and vector', async () => {
    const out = join(dir, 'hnsw');
    const b = await cli('index', 'build', jsonl, '--out', out, '--kind', 'hnsw', '--M', '8', '--ef-construction', '64', '--json');
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const summary = JSON.parse(b.stdout);
    expect(summary).toMatchObject({ kind: 'hnsw', count: n, dim, metric: 'cosine', M: 8, efConstruction: 64, ef: 256, source: 'jsonl' });

    const info = await cli('index', 'info', out);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/kind:\s+hnsw/);
    expect(info.stdout).toMatch(/items:\s+600/);
    expect(info.stdout).toMatch(/M=8/);

    const q = await cli('index', 'query', out, '--key', 'item5', '-k', '3', '--json');
    expect(q.code).toBe(0);
    const hits = JSON.parse(q.stdout);
    expect(hits).toHaveLength(3);
    expect(hits.map((h: { key: string }) => h.key)).not.toContain('item5');
    expect(hits[0].metadata).toHaveProperty('color');

    const v = await cli('index', 'query', out, '--vector', JSON.stringify(Array.from(row(m, 9, dim))), '-k', '2');
    expect(v.code).toBe(0);
    expect(v.stdout.split('\n')[1]).toMatch(/^\s+1\s+item9\s+1\.0000/);
  });

  it('eval reports recall@k and speed; --tune stores a tuned ef', async () => {
    const out = join(dir, 'tuned');
    const b = await cli('index', 'build', jsonl, '--out', out, '--kind', 'hnsw', '--tune', '--target', '0.9', '--json');
    expect(b.code).toBe(0);
    const summary = JSON.parse(b.stdout);
    expect(summary.tuned.reached).toBe(true);
    expect(summary.tuned.recall).toBeGreaterThanOrEqual(0.9);
    expect(summary.ef).toBe(summary.tuned.ef);
    const e = await cli('index', 'eval', out, '--queries', '50', '-k', '5', '--json');
    expect(e.code).toBe(0);
    const res = JSON.parse(e.stdout);
    expect(res).toMatchObject({ kind: 'hnsw', queries: 50, k: 5, ef: summary.ef });
    expect(res.recall).toBeGreaterThan(0.8);
    expect(res.qps).toBeGreaterThan(0);
    expect(res.exactQps).toBeGreaterThan(0);
    const heldOut = join(dir, 'held.jsonl');
    const hq = randomMatrix(30, dim, 77);
    await writeFile(heldOut, Array.from({ length: 30 }, (_, i) => JSON.stringify({ key: `q${i}`, vector: Array.from(row(hq, i, dim)) })).join('\n'));
    const h = await cli('index', 'eval', out, '--queries-file', heldOut, '--json');
    expect(h.code).toBe(0);
    expect(JSON.parse(h.stdout)).toMatchObject({ queriesFrom: 'file', queries: 30, k: 10 });
    const text = await cli('index', 'eval', out, '--queries', '20', '--ef', '1');
    expect(text.stdout).toMatch(/recall@10: 0\.\d{4}/);
  });

  it('eval without --queries-file uses the library\'s seeded self-queries (sampleSelfQueries)', async () => {
    const out = join(dir, 'self');
    expect((await cli('index', 'build', jsonl, '--out', out, '--kind', 'hnsw', '--M', '4', '--ef-construction', '16', '--ef', '8')).code).toBe(0);
    const idx = await loadIndex(out);
    const a = sampleSelfQueries(idx, 40, 3);
    expect(a.selfKeys).toHaveLength(40);
    expect(new Set(a.selfKeys).size).toBe(40);
    expect(sampleSelfQueries(idx, 40, 3)).toEqual(a); // seeded
    expect(sampleSelfQueries(idx, 40, 4).selfKeys).not.toEqual(a.selfKeys);
    a.selfKeys.forEach((key, i) => expect(Array.from(a.queries.subarray(i * dim, (i + 1) * dim))).toEqual(Array.from(idx.vector(key)!)));
    expect(sampleSelfQueries(idx, 10 * n, 3).selfKeys).toHaveLength(n); // at most every item once
    // The CLI's eval is that library call: same queries, same recall.
    const e = await cli('index', 'eval', out, '--queries', '40', '--seed', '3', '-k', '5', '--json');
    expect(e.code).toBe(0);
    const lib = evaluate(idx, a.queries, { k: 5, selfKeys: a.selfKeys });
    expect(JSON.parse(e.stdout)).toMatchObject({ queriesFrom: 'index', queries: 40, k: 5, recall: Number(lib.recall.toFixed(6)) }); // rounded like vectors --json
  });

  it('builds an exact index from a word-vectors file and queries by word', async () => {
    const out = join(dir, 'words');
    const b = await cli('index', 'build', glove, '--out', out, '--metric', 'l2');
    expect(b.code).toBe(0);
    // The "done" line is a note on stderr; stdout carries only results.
    expect(b.stderr).toMatch(/built exact index of 8 × 8 \(l2\)/);
    expect(b.stdout).toBe('');
    const q = await cli('index', 'query', out, '--word', 'king', '-k', '7', '--json');
    expect(q.code).toBe(0);
    const hits = JSON.parse(q.stdout);
    expect(hits).toHaveLength(7);
    // 8 words: a sampled query can find the 7 others, so -k must stay below 7 (the default 10 is refused).
    const e = await cli('index', 'eval', out, '-k', '3', '--json');
    expect(JSON.parse(e.stdout).recall).toBe(1);
    const missing = await cli('index', 'query', out, '--word', 'zebra');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error\[E_KEY_NOT_FOUND\]: word 'zebra'/);
  });

  it('gives typed errors: wrong dimension, truncated file, bad arguments', async () => {
    const out = join(dir, 'errors');
    expect((await cli('index', 'build', jsonl, '--out', out, '--kind', 'exact')).code).toBe(0);
    const wrong = await cli('index', 'query', out, '--vector', '[1, 2, 3]');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/E_DIMENSION_MISMATCH.*expected 8/);
    const both = await cli('index', 'query', out, '--key', 'item1', '--vector', '[1]');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --key, --word, --vector, --text or --image/);
    const badM = await cli('index', 'build', jsonl, '--out', out, '--M', 'x');
    expect(badM.code).not.toBe(0);
    expect(badM.stderr).toMatch(/--M must be an integer/);
    await truncate(join(out, 'vectors.f32'), 10);
    const t = await cli('index', 'info', out);
    expect(t.code).toBe(0); // info reads only the manifest
    const broken = await cli('index', 'query', out, '--key', 'item1');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/E_INVALID_FILE.*vectors\.f32.*truncated/);
    const none = await cli('index', 'info', join(dir, 'nothing-here'));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/E_NOT_FOUND/);
    const badLine = join(dir, 'bad.jsonl');
    await writeFile(badLine, '{"key": "a", "vector": [1, 2]}\n{"key": "b", "vector": [1, 2, 3]}\n');
    const bl = await cli('index', 'build', badLine, '--out', join(dir, 'bad'));
    expect(bl.code).toBe(2);
    expect(bl.stderr).toMatch(/bad\.jsonl.*line 2.*expected 2/);
  });

  it('build refuses a bad --out before reading the source', async () => {
    const { mkdir, readdir, readFile } = await import('node:fs/promises');
    const user = join(dir, 'user-files');
    await mkdir(user, { recursive: true });
    await writeFile(join(user, 'a.txt'), 'mine');
    const before = await readFile(jsonl, 'utf8');
    for (const out of [user, jsonl, join(jsonl, 'm')]) {
      const r = await cli('index', 'build', jsonl, '--out', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
    }
    expect(await readdir(user)).toEqual(['a.txt']);
    expect(await readFile(jsonl, 'utf8')).toBe(before);
  });

  it('argument and JSONL errors carry specific hints', async () => {
    const hint = (r: { stderr: string }) => r.stderr.match(/hint: (.*)/)?.[1] ?? '';
    const nofile = await cli('index', 'build', join(dir, 'nofile.jsonl'), '--out', join(dir, 'nf'));
    expect(nofile.code).toBe(2);
    expect(nofile.stderr).toMatch(/error\[E_NOT_FOUND\].*nofile\.jsonl does not exist/);
    expect(hint(nofile)).toMatch(/check the path/);
    const cases: Array<[string, string, RegExp, RegExp]> = [
      ['nokey.jsonl', '{"vector": [1, 2]}\n', /line 1.*no "key" field/, /\{"key": "name", "vector"/],
      ['novec.jsonl', '{"key": "a"}\n', /line 1.*no "vector" field/, /\{"key": "name", "vector"/],
      ['empty.jsonl', '', /no embeddings found/, /each line must be one JSON object/],
      ['nan.jsonl', '{"key": "a", "vector": [1, "2"]}\n', /"vector"\[1\] is not a finite float32 number \(got "2"\)/, /JSON numbers, not strings/],
    ];
    for (const [name, content, message, h] of cases) {
      await writeFile(join(dir, name), content);
      const r = await cli('index', 'build', join(dir, name), '--out', join(dir, `${name}.idx`));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_FILE\]/);
      expect(r.stderr).toMatch(message);
      expect(hint(r)).toMatch(h);
    }

    const out = join(dir, 'for-hints');
    expect((await cli('index', 'build', jsonl, '--out', out, '--kind', 'exact')).code).toBe(0);
    const none = await cli('index', 'query', out);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give exactly one of --key, --word, --vector, --text or --image/);
    expect(hint(none)).toMatch(/--key KEY/);
    const obj = await cli('index', 'query', out, '--vector', '{"a":1}');
    expect(obj.code).toBe(2);
    expect(obj.stderr).toMatch(/--vector must be a non-empty JSON array of numbers, got '\{"a":1\}'/);
    expect(hint(obj)).toMatch(/index info/);
    const noQueries = await cli('index', 'eval', out, '--queries-file', join(dir, 'nope.jsonl'));
    expect(noQueries.code).toBe(2);
    expect(noQueries.stderr).toMatch(/E_NOT_FOUND/);
    expect(hint(noQueries)).toMatch(/check the path/);
    await writeFile(join(dir, 'q3.jsonl'), '{"key": "q", "vector": [1, 2, 3]}\n');
    const wrongDim = await cli('index', 'eval', out, '--queries-file', join(dir, 'q3.jsonl'));
    expect(wrongDim.code).toBe(2);
    expect(wrongDim.stderr).toMatch(/E_DIMENSION_MISMATCH.*dimension 3, expected 8/);
    expect(hint(wrongDim)).toMatch(/--queries-file needs vectors of the index dimension \(8\)/);
  });

  it('eval refuses -k at or above the number of items a query can find', async () => {
    const small = join(dir, 'small.jsonl');
    await writeFile(small, Array.from({ length: 12 }, (_, i) => JSON.stringify({ key: `s${i}`, vector: Array.from(row(m, i, dim)) })).join('\n') + '\n');
    const out = join(dir, 'small-idx');
    expect((await cli('index', 'build', small, '--out', out)).code).toBe(0);
    const big = await cli('index', 'eval', out, '-k', '50');
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: -k 50 is not below the 11 items a query can find \(the index holds 12 items; each sampled query leaves itself out\)/);
    expect(big.stderr).toMatch(/hint: use -k 10 or less/);
    const ok = await cli('index', 'eval', out, '-k', '5', '--queries', '12', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).k).toBe(5);
  });

  it('eval on an index too small for any k says so, with a hint that can be followed', async () => {
    const hint = (r: { stderr: string }) => r.stderr.match(/hint: (.*)/)?.[1] ?? '';
    const build = async (count: number) => {
      const file = join(dir, `tiny${count}.jsonl`);
      await writeFile(file, Array.from({ length: count }, (_, i) => JSON.stringify({ key: `t${i}`, vector: Array.from(row(m, i, dim)) })).join('\n') + '\n');
      const out = join(dir, `tiny${count}-idx`);
      expect((await cli('index', 'build', file, '--out', out)).code).toBe(0);
      return { file, out };
    };
    const two = await build(2);
    for (const k of ['10', '1']) {
      const r = await cli('index', 'eval', two.out, '-k', k);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: the index is too small to evaluate: a query can find only 1 item \(the index holds 2 items; each sampled query leaves itself out\), so recall is 1 for every k/);
      expect(hint(r)).toBe('evaluate an index of at least 3 items (2 with --queries-file): build it from more items');
      expect(hint(r)).not.toMatch(/-k below/);
    }
    // With held-out queries nothing is left out: 2 items allow -k 1, and the hint says so.
    const held = await cli('index', 'eval', two.out, '--queries-file', two.file);
    expect(held.code).toBe(2);
    expect(hint(held)).toBe('use -k 1');
    expect((await cli('index', 'eval', two.out, '--queries-file', two.file, '-k', '1')).code).toBe(0);
    const one = await build(1);
    const r = await cli('index', 'eval', one.out, '--queries-file', two.file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/too small to evaluate: a query can find only 1 item \(the index holds 1 item\)/);
    expect(hint(r)).toBe('evaluate an index of at least 2 items: build it from more items');
  });

  it('query and eval --json round scores to 6 decimals and queries/s to integers', async () => {
    const out = join(dir, 'rounding');
    expect((await cli('index', 'build', jsonl, '--out', out, '--kind', 'exact')).code).toBe(0);
    const decimals = (x: number) => (String(x).split('.')[1] ?? '').length;
    const q = JSON.parse((await cli('index', 'query', out, '--key', 'item3', '-k', '5', '--json')).stdout) as { score: number; distance: number }[];
    expect(q).toHaveLength(5);
    for (const h of q) {
      expect(decimals(h.score)).toBeLessThanOrEqual(6);
      expect(decimals(h.distance)).toBeLessThanOrEqual(6);
    }
    const e = JSON.parse((await cli('index', 'eval', out, '--queries', '20', '--json')).stdout);
    expect(decimals(e.recall)).toBeLessThanOrEqual(6);
    expect(Number.isInteger(e.qps)).toBe(true);
  });
  it('--target alone implies --tune and the output says which target ef was tuned for', async () => {
    const out = join(dir, 'target-only');
    const b = await cli('index', 'build', jsonl, '--out', out, '--kind', 'hnsw', '--target', '0.9', '--json');
    expect(b.code).toBe(0);
    const summary = JSON.parse(b.stdout);
    expect(summary.tuned).toMatchObject({ target: 0.9, k: 10, reached: true });
    expect(summary.tuned.recall).toBeGreaterThanOrEqual(0.9);
    expect(summary.ef).toBe(summary.tuned.ef);
    expect((await loadIndex(out)).ef).toBe(summary.tuned.ef);

    const plain = await cli('index', 'build', jsonl, '--out', out, '--kind', 'hnsw', '--target', '0.9');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toMatch(new RegExp(`ef=${summary.tuned.ef} \\(tuned for recall@10 ≥ 0\\.9 on 200 held-out items: \\d\\.\\d{3}\\)`));
    expect(summary.tuned.queries).toBe(200);
    // A small source holds back at most half its items, and the output says how many.
    const small = JSON.parse((await cli('index', 'build', jsonl, '--out', out, '--kind', 'hnsw', '--target', '0.9', '--limit', '100', '--json')).stdout);
    expect(small.tuned.queries).toBe(50);

    // Without --target or --tune nothing is tuned: the default ef is stored.
    const untuned = JSON.parse((await cli('index', 'build', jsonl, '--out', out, '--kind', 'hnsw', '--json')).stdout);
    expect(untuned).toMatchObject({ ef: 256, tuned: null });
  });

  it('--target must be a recall in (0, 1]', async () => {
    for (const bad of ['0', '-0.5', '1.5', 'abc', '']) {
      const r = await cli('index', 'build', jsonl, '--out', join(dir, 'never-target'), '--kind', 'hnsw', '--target', bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`error[E_USAGE]: option '--target <recall>' argument '${bad}' is invalid. --target must be a recall in (0, 1], e.g. 0.95; got '${bad}'`);
    }
    const one = await cli('index', 'build', jsonl, '--out', join(dir, 'target-one'), '--kind', 'hnsw', '--target', '1', '--json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).tuned.target).toBe(1);
  });

  it('build refuses --ef together with --tune or --target (tuning would replace it)', async () => {
    for (const extra of [['--tune'], ['--target', '0.9']]) {
      const r = await cli('index', 'build', jsonl, '--out', join(dir, 'never-ef-tune'), '--kind', 'hnsw', '--ef', '32', ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error[E_INVALID_ARGUMENT]: --ef 32 and ${extra[0]} both set the index's ef`);
      expect(r.stderr).toMatch(/hint: drop --ef to tune ef/);
    }
  });

  it('build --kind exact refuses HNSW options; auto → exact and --ef on an exact index only get a note', async () => {
    for (const extra of [['--M', '8'], ['--ef-construction', '64'], ['--ef', '32'], ['--tune'], ['--target', '0.9']]) {
      const out = join(dir, 'never-exact');
      const r = await cli('index', 'build', jsonl, '--out', out, '--kind', 'exact', ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
      expect(r.stderr).toContain(`${extra[0]} applies only to HNSW indexes, not --kind exact`);
      expect(r.stderr).toMatch(/--kind hnsw/);
    }
    const two = await cli('index', 'build', jsonl, '--out', join(dir, 'never-exact'), '--kind', 'exact', '--M', '8', '--tune');
    expect(two.stderr).toMatch(/--M, --tune apply only to HNSW indexes/);

    // --kind auto picks exact for 600 items: the options are harmless, named in a note.
    const out = join(dir, 'auto-exact');
    const auto = await cli('index', 'build', jsonl, '--out', out, '--M', '8', '--ef', '32', '--json');
    expect(auto.code).toBe(0);
    expect(JSON.parse(auto.stdout).kind).toBe('exact');
    expect(auto.stderr).toMatch(/note: --M, --ef ignored: --kind auto built an exact index for 600 items/);

    const q = await cli('index', 'query', out, '--key', 'item5', '-k', '3', '--ef', '16', '--json');
    expect(q.code).toBe(0);
    expect(JSON.parse(q.stdout)).toHaveLength(3);
    expect(q.stderr).toMatch(/note: --ef ignored: the index is exact/);
    const plain = await cli('index', 'query', out, '--key', 'item5', '-k', '3');
    expect(plain.stderr).not.toMatch(/--ef/);

    const e = await cli('index', 'eval', out, '--queries', '10', '--ef', '16', '--json');
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout).recall).toBe(1);
    expect(e.stderr).toMatch(/note: --ef ignored: the index is exact/);
  });
  it('query --vector of zeros on a cosine index is refused; stored zero rows are legal; l2 accepts it', async () => {
    const zeros = join(dir, 'zeros.jsonl');
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ key: `z${i}`, vector: i === 4 ? new Array(dim).fill(0) : Array.from(row(m, i, dim)) }));
    await writeFile(zeros, lines.join('\n') + '\n');
    const zeroVector = JSON.stringify(new Array(dim).fill(0));
    for (const kind of ['exact', 'hnsw']) {
      const out = join(dir, `zeros-${kind}`);
      expect((await cli('index', 'build', zeros, '--out', out, '--kind', kind)).code).toBe(0);
      const r = await cli('index', 'query', out, '--vector', zeroVector);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: query vector is all zeros: a zero vector has no direction; cosine similarity is undefined/);
      expect(r.stdout).toBe('');
      // The stored zero row is itself a zero query; any other key works.
      expect((await cli('index', 'query', out, '--key', 'z4')).stderr).toMatch(/no direction/);
      expect((await cli('index', 'query', out, '--key', 'z5', '-k', '3')).code).toBe(0);
      // Sampled evaluation skips the zero row instead of failing.
      expect((await cli('index', 'eval', out, '--queries', '20', '-k', '3')).code).toBe(0);
    }
    const l2 = join(dir, 'zeros-l2');
    expect((await cli('index', 'build', zeros, '--out', l2, '--metric', 'l2')).code).toBe(0);
    const ok = await cli('index', 'query', l2, '--vector', zeroVector, '-k', '1', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)[0].key).toBe('z4');
  });

  it('info describes the windows of a use-lite recipe with chunks (and none without); a bad chunks is refused at build', async () => {
    const use = join(dir, 'use.jsonl');
    const u = randomMatrix(12, 512, 7);
    await writeFile(use, Array.from({ length: 12 }, (_, i) => JSON.stringify({ key: `t${i}`, vector: Array.from(row(u, i, 512)) })).join('\n') + '\n');
    const base = { kind: 'text-encoder', family: 'use-lite', model: 'use-lite', maxTokens: 128, dim: 512 };
    const recipes: Array<[string, Record<string, unknown>, RegExp]> = [
      ['chunked', { ...base, chunks: 4 }, /recipe:.*Universal Sentence Encoder lite use-lite, ≤ 128 pieces per window, mean of up to 4 windows \(index query --text\)/],
      ['plain', base, /recipe:.*Universal Sentence Encoder lite use-lite, ≤ 128 pieces \(index query --text\)/],
    ];
    for (const [name, recipe, expected] of recipes) {
      const file = join(dir, `${name}.recipe.json`);
      await writeFile(file, JSON.stringify(recipe));
      const b = await cli('index', 'build', use, '--out', join(dir, `use-${name}`), '--recipe', file);
      expect(b.code).toBe(0);
      const info = await cli('index', 'info', join(dir, `use-${name}`));
      expect(info.code).toBe(0);
      expect(info.stdout).toMatch(expected);
      if (name === 'plain') expect(info.stdout).not.toMatch(/window/);
    }
    const bad = join(dir, 'bad.recipe.json');
    await writeFile(bad, JSON.stringify({ ...base, chunks: 0 }));
    const b = await cli('index', 'build', use, '--out', join(dir, 'use-bad'), '--recipe', bad);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/not a usable recipe: chunks must be a whole number from 1 to 64/);
  });
});
