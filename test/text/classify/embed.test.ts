import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedTexts, isTextRecipe, textQueryEncoder } from '../../../text/classify/index.js';
import { SentenceEncoder } from '../../../text/sentence/index.js';
import { writeOnnxEncoder } from '../../helpers/onnx-encoder.js';
import { tempDir, toyVectors, topicWords } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const vectors = toyVectors();
const [food, sport] = [topicWords('food'), topicWords('sport')];
const cosine = (a: number[], b: number[]) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, k) => ((ab += x * b[k]), (aa += x * x), (bb += b[k] * b[k])));
  return ab / Math.sqrt(aa * bb);
};
const lines = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { key: string; vector: number[]; label?: string; text?: string });

describe('embedTexts', () => {
  it('writes one {key, vector, label, text} line per text; texts on one topic end up closest', async () => {
    const texts = [
      { text: `the ${food[0]} and ${food[1]} ${food[2]}`, label: 'food' },
      { text: `a ${sport[0]} ${sport[1]} today`, label: 'sport' },
      { text: `${food[3]} of ${food[4]} is ${food[5]}`, label: 'food' },
      { text: `${sport[2]} with ${sport[3]} ${sport[4]}`, label: 'sport' },
    ];
    const out = join(dir, 'docs.jsonl');
    const r = await embedTexts(texts, out, { vectors, vectorsName: 'toy', representation: 'mean', snippet: 10 });
    expect(r).toMatchObject({ count: 4, dim: 16, representation: 'mean', empty: [] });
    const got = await lines(out);
    expect(got.map((g) => g.key)).toEqual(['1', '2', '3', '4']);
    expect(got[0]).toMatchObject({ label: 'food', text: texts[0].text.slice(0, 10) + '…' });
    expect(got[0].vector).toHaveLength(16);
    const sim = (i: number, j: number) => cosine(got[i].vector, got[j].vector);
    expect(sim(0, 2)).toBeGreaterThan(sim(0, 1));
    expect(sim(1, 3)).toBeGreaterThan(sim(1, 2));
  });

  it('the default representation is per text (mean), so a text embedded later lands on its own vector; SIF works on a collection', async () => {
    const texts = Array.from({ length: 12 }, (_, i) => ({ text: `${(i % 2 ? sport : food).slice(i, i + 3).join(' ')} the`, key: `t${i}` }));
    const all = join(dir, 'all.jsonl');
    const alone = join(dir, 'alone.jsonl');
    await embedTexts(texts, all, { vectors });
    await embedTexts([texts[5]!, texts[7]!], alone, { vectors });
    const [a, b] = [await lines(all), await lines(alone)];
    expect(b[0]!.vector).toEqual(a[5]!.vector);
    expect(b[1]!.vector).toEqual(a[7]!.vector);
    const sif = await embedTexts(texts, join(dir, 'sif.jsonl'), { vectors, representation: 'sif' });
    expect(sif).toMatchObject({ count: 12, representation: 'sif' });
  });

  it('a record that is not { text: string, key?: string, label?: string } is a typed error naming it, not a TypeError; undefined tokenizer options keep their defaults', async () => {
    const out = join(dir, 'bad-records.jsonl');
    const bad = async (records: unknown) => embedTexts(records as { text: string }[], out, { vectors }).catch((e: unknown) => e);
    expect(await bad([{ text: 'fooda' }, { text: undefined }])).toMatchObject({ code: 'E_DATA', message: 'record 2 of the texts to embed has a text that is undefined, not a string' });
    expect(await bad([{ text: 5 }])).toMatchObject({ code: 'E_DATA', message: expect.stringMatching(/text that is a number/) });
    expect(await bad([null])).toMatchObject({ code: 'E_DATA', message: expect.stringMatching(/record 1 .* is null/) });
    expect(await bad([{ text: 'fooda', key: 3 }])).toMatchObject({ code: 'E_DATA', message: expect.stringMatching(/key that is a number/) });
    expect(await bad('fooda')).toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/must be an array/) });
    expect(existsSync(out)).toBe(false);
    const r = await embedTexts([{ text: `${food[0]} https://x.org` }], out, { vectors, tokenizer: { urls: undefined, maxTokens: undefined } });
    expect(r.count).toBe(1);
  });

  it('a snippet never cuts a character in two', async () => {
    const out = join(dir, 'emoji.jsonl');
    await embedTexts([{ text: `\u{1F680} ${food[0]}` }], out, { vectors, snippet: 1 });
    expect((await lines(out))[0]!.text).toBe('…');
    await embedTexts([{ text: `\u{1F680} ${food[0]}` }], out, { vectors, snippet: 2 });
    expect((await lines(out))[0]!.text).toBe('\u{1F680}…');
  });

  it('leaves out texts with no known word (reported by key) and refuses what cannot be indexed', async () => {
    const out = join(dir, 'some.jsonl');
    const r = await embedTexts(
      [
        { text: `${food[0]} ${food[1]}`, key: 'a' },
        { text: 'zzz qqq', key: 'b' },
        { text: '', key: 'c' },
        { text: `${sport[0]} the`, key: 'd' },
      ],
      out,
      { vectors, snippet: 0 },
    );
    expect(r.empty).toEqual(['b', 'c']);
    expect((await lines(out)).map((g) => [g.key, 'text' in g])).toEqual([['a', false], ['d', false]]);
    await expect(embedTexts([{ text: 'x', key: 'k' }, { text: 'y', key: 'k' }], join(dir, 'dup.jsonl'), { vectors })).rejects.toMatchObject({ code: 'E_DATA', message: expect.stringMatching(/key 'k' names two texts/) });
    // SIF removes the collection's common direction: it needs a collection (two texts would come out exactly opposite).
    const few = [{ text: `${food[0]} ${food[1]}` }, { text: `${sport[0]} ${sport[1]}` }, { text: `${food[0]} ${food[1]}` }, { text: 'zzz' }];
    await expect(embedTexts(few, join(dir, 'few.jsonl'), { vectors, representation: 'sif' })).rejects.toMatchObject({
      code: 'E_DATA',
      message: expect.stringMatching(/SIF needs at least 10 distinct texts with known words .*; got 2/),
    });
    const none = join(dir, 'none.jsonl');
    await expect(embedTexts([{ text: 'zzz' }, { text: 'qqq' }], none, { vectors })).rejects.toMatchObject({ code: 'E_DATA', message: expect.stringMatching(/none of the 2 texts/) });
    expect(existsSync(none)).toBe(false); // nothing half-written
    await expect(embedTexts([{ text: 'a' }], join(dir, 'x.jsonl'), { vectors, representation: 'median' as never })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('with a sentence encoder: one vector per text from the model, zero encodings left out, word-vector options refused', async () => {
    const words = [...food.slice(0, 4), ...sport.slice(0, 4)];
    const rows = new Float32Array(words.length * vectors.dim);
    words.forEach((w, j) => rows.set(vectors.matrix.subarray(vectors.words.indexOf(w) * vectors.dim, (vectors.words.indexOf(w) + 1) * vectors.dim), j * vectors.dim));
    const model = writeOnnxEncoder(join(dir, 'enc'), { words, vectors: rows, dim: vectors.dim });
    const encoder = await SentenceEncoder.load({ model });
    const out = join(dir, 'sentences.jsonl');
    const texts = [{ text: `${food[0]} ${food[1]}` }, { text: 'zzz qqq' }, { text: `${food[2]} and ${food[3]}` }, { text: `${sport[0]} ${sport[1]}` }];
    const r = await embedTexts(texts, out, { encoder });
    expect(r).toMatchObject({ count: 3, dim: vectors.dim, representation: 'sentence', empty: ['2'], encoder: { name: 'enc/mean', source: model } });
    expect(r.oov).toBeUndefined();
    const got = await lines(out);
    expect(got.map((g) => g.key)).toEqual(['1', '3', '4']);
    expect(cosine(got[0].vector, got[1].vector)).toBeGreaterThan(cosine(got[0].vector, got[2].vector));
    // The same vectors as the encoder's own (a loaded encoder is left open for the caller).
    const direct = await encoder.encode([texts[0].text]);
    got[0].vector.forEach((x, k) => expect(x).toBeCloseTo(direct[k], 5));
    encoder.dispose();
    await expect(embedTexts(texts, join(dir, 'clash.jsonl'), { encoder: model, representation: 'sif' })).rejects.toThrow(/a sentence encoder replaces word vectors: drop representation/);
    const none = join(dir, 'none-enc.jsonl');
    await expect(embedTexts([{ text: 'zzz' }], none, { encoder: model })).rejects.toThrow(/zero vector for all 1 texts/);
    expect(existsSync(none)).toBe(false);
  });

  it('gives a recipe for per-text representations, whose query encoder puts a text exactly where embedTexts did', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { gloveText } = await import('./helpers.js');
    const file = join(dir, 'recipe.vec.txt');
    await writeFile(file, gloveText(vectors));
    const texts = [{ text: `${food[0]} ${food[1]} the` }, { text: `${sport[2]} and ${sport[3]}` }];
    for (const representation of ['mean', 'mean-max'] as const) {
      const out = join(dir, `recipe-${representation}.jsonl`);
      const r = await embedTexts(texts, out, { vectors: file, representation });
      expect(r.recipe).toMatchObject({ kind: 'text-vectors', vectors: file, representation, dim: r.dim, caseFallback: true });
      expect(isTextRecipe(r.recipe)).toBe(true);
      const enc = await textQueryEncoder(r.recipe!);
      const again = await enc.encode([texts[1].text]);
      (await lines(out))[1].vector.forEach((x, k) => expect(x).toBeCloseTo(again[k], 5));
    }
    const sif = await embedTexts([...Array(12)].map((_, i) => ({ text: `${food[i % 5]} ${sport[i % 7]}` })), join(dir, 'recipe-sif.jsonl'), { vectors: file, representation: 'sif' });
    expect(sif.recipe).toBeUndefined();
    expect(sif.noRecipe).toMatch(/'sif' is fitted on the collection/);
    const inMemory = await embedTexts(texts, join(dir, 'recipe-mem.jsonl'), { vectors });
    expect(inMemory.noRecipe).toMatch(/cannot be loaded again as they were/);
    // Vectors loaded whole from a file name that file; loaded with a limit, none (a query would see words the data did not).
    const { loadVectors } = await import('../../../text/vectors/index.js');
    const loaded = await loadVectors(file);
    const fromLoaded = (await embedTexts(texts, join(dir, 'recipe-file.jsonl'), { vectors: loaded })).recipe!;
    expect(fromLoaded).toMatchObject({ vectors: file });
    // Vectors already loaded serve the query encoder when they are the ones the recipe names.
    const reused = await textQueryEncoder(fromLoaded, { vectors: loaded });
    expect(Array.from(await reused.encode([texts[0].text]))).toEqual(Array.from(await (await textQueryEncoder(fromLoaded)).encode([texts[0].text])));
    expect((await embedTexts(texts, join(dir, 'recipe-limit.jsonl'), { vectors: await loadVectors(file, { limit: 20 }) })).recipe).toBeUndefined();
    expect(isTextRecipe({ kind: 'image-backbone' })).toBe(false);
    const good = (await embedTexts(texts, join(dir, 'recipe-good.jsonl'), { vectors: file })).recipe!;
    expect(isTextRecipe({ ...good, tokenizer: {} })).toBe(false);
    expect(isTextRecipe({ ...good, tokenizer: { ...good.tokenizer, lowercase: 'no' } })).toBe(false);
    expect(isTextRecipe({ ...good, dim: 0 })).toBe(false);
    await expect(textQueryEncoder({ ...good, vectors: join(dir, 'gone.vec.txt') })).rejects.toThrow(/the index's recipe names word vectors .*gone\.vec\.txt, which cannot be used/);
  });

  it('records a check of the vectors, so a file that now holds other vectors is refused, not queried in another space', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { gloveText } = await import('./helpers.js');
    const file = join(dir, 'checked.vec.txt');
    await writeFile(file, gloveText(vectors));
    const texts = [{ text: `${food[0]} ${food[1]}` }, { text: `${sport[2]} ${sport[3]}` }];
    const recipe = (await embedTexts(texts, join(dir, 'checked.jsonl'), { vectors: file })).recipe!;
    expect(recipe).toMatchObject({ kind: 'text-vectors', check: { words: vectors.words.length, sample: expect.any(Array), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect((await textQueryEncoder(recipe)).dim).toBe(recipe.dim);
    // The same vectors in another row order pass (the check goes by word).
    const { WordVectors } = await import('../../../text/vectors/index.js');
    const order = vectors.words.map((_, i) => i).reverse();
    const reordered = WordVectors.fromArrays({ words: order.map((i) => vectors.words[i]), matrix: Float32Array.from(order.flatMap((i) => Array.from(vectors.matrix.subarray(i * vectors.dim, (i + 1) * vectors.dim)))), dim: vectors.dim });
    await writeFile(file, gloveText(reordered));
    expect((await textQueryEncoder(recipe)).dim).toBe(recipe.dim);
    // Same words, other values (another training run of the same vocabulary):
    await writeFile(file, gloveText(toyVectors(16, 99)));
    await expect(textQueryEncoder(recipe)).rejects.toThrow(/not the ones the data was embedded with \(the same words, other values\)/);
    // A sampled word renamed (the first row is always sampled):
    await writeFile(file, gloveText(WordVectors.fromArrays({ words: ['renamedword', ...vectors.words.slice(1)], matrix: vectors.matrix, dim: vectors.dim })));
    await expect(textQueryEncoder(recipe)).rejects.toThrow(new RegExp(`the word '${vectors.words[0]}' is no longer in them`));
    // Fewer words:
    const n = vectors.words.length - 3;
    await writeFile(file, gloveText(WordVectors.fromArrays({ words: vectors.words.slice(0, n), matrix: vectors.matrix.slice(0, n * vectors.dim), dim: vectors.dim })));
    await expect(textQueryEncoder(recipe)).rejects.toThrow(new RegExp(`${n} words, the data was embedded with ${vectors.words.length}`));
    // A recipe written before checks were recorded still loads; a malformed check is not a usable recipe.
    const { check: _check, ...old } = recipe as typeof recipe & { check?: unknown };
    expect((await textQueryEncoder(old)).dim).toBe(recipe.dim);
    expect(isTextRecipe({ ...recipe, check: { words: 3, sample: [], sha256: 'abc' } })).toBe(false);
    expect(isTextRecipe({ ...recipe, check: { words: 3, sha256: 'a'.repeat(64) } })).toBe(false);
  });

  it("records the sentence model's vector of a text of the data, so a folder that now holds another model is refused", async () => {
    const { rmSync } = await import('node:fs');
    // 'probe' (the fixed probe text) is not a word of these models: the fingerprint must come from the data.
    const words = ['gamma', 'alpha', 'beta'];
    const folder = join(dir, 'probe-model');
    writeOnnxEncoder(folder, { words, vectors: Float32Array.from({ length: 12 }, (_, k) => Math.cos(k + 1)), dim: 4 });
    const recipe = (await embedTexts([{ text: 'alpha beta' }], join(dir, 'probe.jsonl'), { encoder: folder })).recipe!;
    expect(recipe).toMatchObject({ kind: 'text-encoder', probe: expect.any(Array), probeText: 'alpha beta' });
    expect((recipe as { probe: number[] }).probe).toHaveLength(4);
    expect((recipe as { probe: number[] }).probe.some((x) => x !== 0)).toBe(true);
    const first = await textQueryEncoder(recipe);
    (first as SentenceEncoder).dispose();
    rmSync(folder, { recursive: true });
    writeOnnxEncoder(folder, { words, vectors: Float32Array.from({ length: 12 }, (_, k) => Math.sin(3 * k + 2)), dim: 4 });
    await expect(textQueryEncoder(recipe)).rejects.toThrow(/sentence encoder .*probe-model, which cannot be used: the model there is not the one the data was embedded with \(its vector of a text of the data differs\)/);
    // A model of another size is named as such.
    rmSync(folder, { recursive: true });
    writeOnnxEncoder(folder, { words, vectors: Float32Array.from({ length: 15 }, (_, k) => Math.sin(k)), dim: 5 });
    await expect(textQueryEncoder(recipe)).rejects.toThrow(/it gives 5-d vectors, the data was embedded with 4-d ones/);
    expect(isTextRecipe({ ...recipe, probe: ['x'] })).toBe(false);
    expect(isTextRecipe({ ...recipe, probeText: 3 })).toBe(false);
  });
});
