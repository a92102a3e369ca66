import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedTexts, loadTextClassifier, saveTextClassifier, textQueryEncoder, textRecipeProblem, trainTextClassifier, type TextEncoderRecipe } from '../../../../text/classify/index.js';
import { SentenceEncoder, UseLiteEncoder, useLitePackageDir } from '../../../../text/sentence/index.js';

/** Two topics in plain English: words the classifier never saw in training are known to the encoder. */
export const FOOD = ['I baked fresh bread this morning.', 'This soup needs more salt and pepper.', 'We had pasta with tomato sauce for dinner.', 'The cake was sweet and delicious.', 'She ordered a pizza with extra cheese.', 'Roast the vegetables in the oven for an hour.', 'He loves eating rice and beans.', 'Breakfast was eggs, toast and coffee.'];
export const SPORT = ['The team won the football match.', 'She scored a goal in the final minute.', 'He runs ten kilometres every day to train.', 'The tennis player served an ace.', 'Our club lost the game on penalties.', 'The referee showed a red card.', 'They play basketball after school.', 'The swimmer broke the world record.'];
const examples = [...FOOD.map((text) => ({ text, label: 'food' })), ...SPORT.map((text) => ({ text, label: 'sport' }))];
const unseen = ['A bowl of noodles with spicy broth.', 'The goalkeeper saved the shot.', 'Grill the salmon with lemon.', 'The cyclist won the race.'];

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tk-use-bundle-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a 'sentence' classifier on use-lite", () => {
  it('stores the encoder in its bundle and loads without the model folder, predicting the same', async () => {
    // A copy of the packaged model, deleted before the bundle is loaded: the bundle alone must do.
    const folder = join(root, 'use');
    cpSync(useLitePackageDir(), folder, { recursive: true, filter: (src) => !/\.(js|d\.ts)$/.test(src) });
    const clf = await trainTextClassifier(examples, { seed: 0, epochs: 40, model: { kind: 'sentence', encoder: { model: folder, maxTokens: 64 } } });
    expect(clf.summary.sentenceEncoder).toEqual({ family: 'use-lite', source: folder, name: 'use', dim: 512, maxTokens: 64 });
    expect((await clf.predict(unseen)).map((p) => p[0]!.label)).toEqual(['food', 'sport', 'food', 'sport']);
    const out = join(root, 'bundle');
    await saveTextClassifier(out, clf);
    const names = readdirSync(out).filter((f) => f.startsWith('encoder-')).sort();
    expect(names).toEqual(['encoder-group1-shard1of7', 'encoder-group1-shard2of7', 'encoder-group1-shard3of7', 'encoder-group1-shard4of7', 'encoder-group1-shard5of7', 'encoder-group1-shard6of7', 'encoder-group1-shard7of7', 'encoder-model.json', 'encoder-vocab.json']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.encoder).toMatchObject({ family: 'use-lite', maxTokens: 64, files: { 'model.json': 'encoder-model.json', 'vocab.json': 'encoder-vocab.json' } });
    rmSync(folder, { recursive: true });
    const back = await loadTextClassifier(out);
    try {
      const encoder = (back.model as unknown as { sentenceEncoder: UseLiteEncoder }).sentenceEncoder;
      expect(encoder).toBeInstanceOf(UseLiteEncoder);
      expect(encoder.describe()).toEqual({ family: 'use-lite', source: folder, name: 'use', dim: 512, maxTokens: 64 });
      expect(Array.from(await back.predictProba(unseen))).toEqual(Array.from(await clf.predictProba(unseen)));
      // And it can be saved again: the encoder's files come from the bundle.
      await saveTextClassifier(join(root, 'again'), back);
      expect(readFileSync(join(root, 'again', 'encoder-group1-shard7of7')).equals(readFileSync(join(out, 'encoder-group1-shard7of7')))).toBe(true);
    } finally {
      clf.dispose();
      back.dispose();
    }
  });

  it('refuses a bundle whose vocabulary was altered (checksums), naming it', async () => {
    const clf = await trainTextClassifier(examples, { seed: 0, epochs: 5, model: { kind: 'sentence', encoder: { model: 'use-lite', maxTokens: 16 } } });
    const out = join(root, 'tampered');
    await saveTextClassifier(out, clf);
    clf.dispose();
    const vocab = join(out, 'encoder-vocab.json');
    writeFileSync(vocab, readFileSync(vocab, 'utf8').replace('"\u2581the"', '"\u2581teh"'));
    await expect(loadTextClassifier(out)).rejects.toThrow(/encoder-vocab\.json/);
  });
});

describe('text embed recipes with use-lite', () => {
  it('records the encoder, and a query is embedded into the same space', async () => {
    const out = join(root, 'vectors.jsonl');
    const r = await embedTexts(examples.map((e) => ({ text: e.text, label: e.label })), out, { encoder: 'use-lite' });
    const recipe = r.recipe as TextEncoderRecipe;
    expect(recipe).toMatchObject({ kind: 'text-encoder', family: 'use-lite', model: 'use-lite', maxTokens: 128, dim: 512, probeText: FOOD[0] });
    expect('chunks' in recipe).toBe(false);
    const first = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!) as { vector: number[] };
    const query = await textQueryEncoder(recipe);
    try {
      const v = await query.encode([FOOD[0]!]);
      expect(Math.max(...first.vector.map((x, k) => Math.abs(x - v[k]!)))).toBeLessThan(1e-5);
    } finally {
      query.dispose?.();
    }
    await expect(embedTexts(examples, join(root, 'x.jsonl'), { encoder: 'use-lite', queryPrefix: 'query: ' })).rejects.toThrow(/query prefix applies to transformers\.js models/);
    // A recipe whose fingerprint is not this model's is refused.
    await expect(textQueryEncoder({ ...recipe, probe: recipe.probe!.map((x) => -x) })).rejects.toThrow(/not the one the data was embedded with/);
  });
});

/** Texts of several 128-piece windows: each begins with one topic and goes on about it (and, for `mixed`, ends on the other). */
const long = (topic: string[], times: number) => Array.from({ length: times }, () => topic.join(' ')).join(' ');
const LONG_FOOD = [long(FOOD, 2), long(FOOD.slice(2), 2), long(FOOD.slice(4), 3)];
const LONG_SPORT = [long(SPORT, 2), long(SPORT.slice(2), 2), long(SPORT.slice(4), 3)];
/** Food for a window, then sport: its mean over windows is not its first window's vector. */
const MIXED = `${FOOD.slice(0, 5).join(' ')} ${long(SPORT, 3)}`;

describe('use-lite with chunks: 4 in bundles and recipes', () => {
  it('a classifier stores chunks in its bundle and loads with it, predicting the same', async () => {
    const train = [...LONG_FOOD.map((text) => ({ text, label: 'food' })), ...LONG_SPORT.map((text) => ({ text, label: 'sport' })), ...examples.slice(0, 2), ...examples.slice(8, 10)];
    const clf = await trainTextClassifier(train, { seed: 0, model: { kind: 'hybrid', sentence: { model: 'use-lite', chunks: 4 } } });
    expect(clf.spec).toMatchObject({ kind: 'hybrid', sentence: { model: 'use-lite', chunks: 4 } });
    const out = join(root, 'chunked');
    try {
      expect(clf.summary.sentenceEncoder).toEqual({ family: 'use-lite', source: 'use-lite', name: 'use-lite', dim: 512, maxTokens: 128, chunks: 4 });
      await saveTextClassifier(out, clf);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.encoder).toMatchObject({ family: 'use-lite', maxTokens: 128, chunks: 4 });
      const back = await loadTextClassifier(out);
      try {
        const encoder = (back.model as unknown as { sentenceEncoder: UseLiteEncoder }).sentenceEncoder;
        expect(encoder.chunks).toBe(4);
        expect(encoder.describe()).toEqual({ family: 'use-lite', source: 'use-lite', name: 'use-lite', dim: 512, maxTokens: 128, chunks: 4 });
        const texts = [MIXED, unseen[0]!];
        expect(Array.from(await back.predictProba(texts))).toEqual(Array.from(await clf.predictProba(texts)));
      } finally {
        back.dispose();
      }
    } finally {
      clf.dispose();
    }
  });

  it('a classifier given a loaded use-lite encoder records its chunks in the spec', async () => {
    const encoder = await SentenceEncoder.load({ model: 'use-lite', chunks: 2 });
    try {
      const clf = await trainTextClassifier([...examples.slice(0, 3), ...examples.slice(8, 11)], { seed: 0, model: { kind: 'hybrid', sentence: encoder } });
      expect(clf.spec).toMatchObject({ kind: 'hybrid', sentence: { model: 'use-lite', maxTokens: 128, chunks: 2 } });
      clf.dispose();
    } finally {
      encoder.dispose();
    }
  });

  it('a text embed recipe records chunks, and the query encoder reads the same windows', async () => {
    const out = join(root, 'chunked.jsonl');
    const records = [MIXED, ...LONG_FOOD, ...LONG_SPORT].map((text, i) => ({ text, label: i === 0 ? 'mixed' : 'x' }));
    const r = await embedTexts(records, out, { encoder: { model: 'use-lite', chunks: 4 } });
    expect(r.encoder).toEqual({ name: 'use-lite', source: 'use-lite', maxTokens: 128, chunks: 4 });
    const recipe = r.recipe as TextEncoderRecipe;
    expect(recipe).toMatchObject({ kind: 'text-encoder', family: 'use-lite', model: 'use-lite', maxTokens: 128, chunks: 4, dim: 512, probeText: MIXED.slice(0, 200) });
    expect(textRecipeProblem(JSON.parse(JSON.stringify(recipe)))).toBeUndefined();
    const first = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!) as { vector: number[] };
    const query = (await textQueryEncoder(recipe)) as UseLiteEncoder;
    // The same recipe without chunks (as written before chunks existed): the model reads the first window only.
    const { chunks: _, ...oneWindow } = recipe as TextEncoderRecipe & { chunks?: number };
    const plain = (await textQueryEncoder(oneWindow as TextEncoderRecipe)) as UseLiteEncoder;
    try {
      expect([query.chunks, plain.chunks]).toEqual([4, 1]);
      const v = await query.encode([MIXED]);
      expect(Math.max(...first.vector.map((x, k) => Math.abs(x - v[k]!)))).toBeLessThan(1e-5);
      const w = await plain.encode([MIXED]);
      expect(Math.max(...first.vector.map((x, k) => Math.abs(x - w[k]!)))).toBeGreaterThan(1e-2);
    } finally {
      query.dispose();
      plain.dispose();
    }
    for (const chunks of [0, 65, 2.5, '4']) expect(textRecipeProblem({ ...recipe, chunks })).toBe('chunks must be a whole number from 1 to 64');
    expect(textRecipeProblem({ kind: 'text-encoder', model: '/models/minilm', pooling: 'mean', maxTokens: 128, quantized: true, dim: 384, chunks: 4 })).toMatch(/chunks applies to the Universal Sentence Encoder lite/);
  });
});
