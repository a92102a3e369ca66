import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SentenceEncoder, SentencePieceUnigram, UseLiteEncoder, useLitePackageDir, type VocabEntry } from '../../../../text/sentence/index.js';
import { InvalidArgumentError } from '../../../../src/errors.js';

const cosine = (m: Float32Array, dim: number, i: number, j: number) => {
  let dot = 0;
  for (let k = 0; k < dim; k++) dot += m[i * dim + k]! * m[j * dim + k]!;
  return dot;
};
const row = (m: Float32Array, dim: number, i: number) => Array.from(m.subarray(i * dim, (i + 1) * dim));

let enc: UseLiteEncoder;
beforeAll(async () => {
  enc = (await SentenceEncoder.load({ model: 'use-lite' })) as UseLiteEncoder;
});
afterAll(() => enc?.dispose());

describe('UseLiteEncoder (the packaged model)', () => {
  it('loads as use-lite: 512-d unit vectors, described for bundles and recipes', async () => {
    expect(enc).toBeInstanceOf(UseLiteEncoder);
    expect(enc).toBeInstanceOf(SentenceEncoder);
    expect([enc.name, enc.dim, enc.maxTokens]).toEqual(['use-lite', 512, 128]);
    expect(enc.describe()).toEqual({ family: 'use-lite', source: 'use-lite', name: 'use-lite', dim: 512, maxTokens: 128 });
    expect(enc.provenance.description).toMatch(/model-embeddings-en@0\.2\.0.*Apache-2\.0/);
    expect(enc.probe).toHaveLength(16);
    const files = await enc.modelFiles();
    expect(Object.keys(files!)).toEqual(['model.json', ...Array.from({ length: 7 }, (_, i) => `group1-shard${i + 1}of7`), 'vocab.json']);
  });

  it('puts paraphrases closer than unrelated sentences; rows have unit length', async () => {
    const texts = ['How old are you?', 'What is your age?', 'The stock market fell sharply today.', 'Shares dropped steeply on Wall Street.'];
    const m = await enc.encode(texts);
    for (let i = 0; i < texts.length; i++) expect(Math.sqrt(cosine(m, 512, i, i))).toBeCloseTo(1, 4);
    expect(cosine(m, 512, 0, 1)).toBeGreaterThan(cosine(m, 512, 0, 2) + 0.2);
    expect(cosine(m, 512, 2, 3)).toBeGreaterThan(cosine(m, 512, 1, 3) + 0.2);
  });

  it('gives a text the same vector alone or in batches of any size and order', async () => {
    const texts = ['A short one.', 'A somewhat longer sentence about cats and dogs living together.', 'Hi', '', 'Another text, of middling length, here.'];
    const all = await enc.encode(texts);
    const small = await UseLiteEncoder.load({ batchSize: 2 });
    try {
      const pairs = await small.encode(texts);
      for (let i = 0; i < texts.length; i++) {
        const alone = await enc.encode([texts[i]!]);
        const reversed = await small.encode([...texts].reverse());
        for (const other of [pairs.subarray(i * 512, (i + 1) * 512), alone, reversed.subarray((texts.length - 1 - i) * 512, (texts.length - i) * 512)]) {
          const diff = Math.max(...row(all, 512, i).map((x, k) => Math.abs(x - other[k]!)));
          expect(diff).toBeLessThan(1e-5);
        }
      }
    } finally {
      small.dispose();
    }
  });

  it('gives an empty or blank text the model vector of no pieces (one fixed unit vector), wherever it stands in the batch', async () => {
    const m = await enc.encode(['', 'Something to say.', '  \n ', 'More.', '']);
    expect(Math.sqrt(cosine(m, 512, 0, 0))).toBeCloseTo(1, 4);
    expect(row(m, 512, 2)).toEqual(row(m, 512, 0));
    expect(row(m, 512, 4)).toEqual(row(m, 512, 0));
    expect(cosine(m, 512, 0, 1)).toBeLessThan(0.9);
    // What the graph itself gives a row with no entries before a real one.
    const graph = (enc as unknown as { model: tf.GraphModel }).model;
    const out = (await graph.executeAsync({ indices: tf.tensor2d([[1, 0]], [1, 2], 'int32'), values: tf.tensor1d([enc.pieces('More.')[0]!], 'int32') })) as tf.Tensor;
    const data = (await out.data()) as Float32Array;
    out.dispose();
    expect(Math.max(...row(m, 512, 0).map((x, k) => Math.abs(x - data[k]!)))).toBeLessThan(1e-5);
  });

  it('refuses maxTokens past the 128 pieces the graph reads, which it would ignore', async () => {
    await expect(UseLiteEncoder.load({ maxTokens: 129 })).rejects.toThrow(/maxTokens 129 is more than the 128 pieces use-lite reads/);
    // The reason, checked on the graph: 130 piece ids give the vector of their first 128.
    const text = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    expect(enc.pieces(text).length).toBe(128);
    const ids = enc.tokenizer.encode(text, 130);
    expect(ids.length).toBe(130);
    const [all, first] = [await enc.encodePieceIds([ids]), await enc.encodePieceIds([ids.slice(0, 128)])];
    const shorter = await enc.encodePieceIds([ids.slice(0, 127)]);
    expect(Math.max(...Array.from(shorter, (x, k) => Math.abs(x - first[k]!)))).toBeGreaterThan(1e-4);
    expect(Math.max(...Array.from(all, (x, k) => Math.abs(x - first[k]!)))).toBe(0);
  });

  it('reads only the first maxTokens pieces of a text', async () => {
    const short = await UseLiteEncoder.load({ maxTokens: 4 });
    try {
      const long = 'The quick brown fox jumps over the lazy dog and keeps running far away.';
      const cut = short.pieces(long);
      expect(cut).toEqual(enc.pieces(long).slice(0, 4));
      expect(enc.pieces(long).length).toBeGreaterThan(4);
      const [a, b] = [await short.encode([long]), await short.encode(['The quick brown fox jumps over the lazy cat, asleep.'])];
      // Both begin with the same four pieces: the same vector.
      expect(Math.max(...Array.from(a, (x, k) => Math.abs(x - b[k]!)))).toBeLessThan(1e-5);
      const full = await enc.encode([long]);
      expect(cosine(new Float32Array([...a, ...full]), 512, 0, 1)).toBeLessThan(0.99);
      expect(short.describe().maxTokens).toBe(4);
    } finally {
      short.dispose();
    }
  });

  it('frees its tensors after encoding, and refuses to encode once disposed', async () => {
    await enc.encode(['warm up']);
    const before = tf.memory().numTensors;
    await enc.encode(['one', 'two three', '']);
    await enc.probeOf('four');
    expect(tf.memory().numTensors).toBe(before);
    const other = await UseLiteEncoder.load();
    other.dispose();
    await expect(other.encode(['x'])).rejects.toThrow(/disposed/);
  });

  it('encodePieceIds checks its input before the graph runs: typed errors, no tensor left behind', async () => {
    await enc.encodePieceIds([[5, 6]]);
    const before = tf.memory().numTensors;
    const cases: Array<[unknown, RegExp]> = [
      [[], /encodePieceIds needs a non-empty list of piece-id sequences, got an empty list/],
      [[[5], []], /piece-id sequence 1 is empty/],
      [[[5, 8000]], /piece id 8000 \(sequence 0, position 1\) is not a whole number in \[0, 8000\)/],
      [[[99999]], /piece id 99999 .* not a whole number in \[0, 8000\)/],
      [[[-1]], /piece id -1 /],
      [[[5, 2.5]], /piece id 2\.5 \(sequence 0, position 1\)/],
      [[[Number.NaN]], /piece id NaN/],
    ];
    for (const [seqs, message] of cases) {
      const e = await enc.encodePieceIds(seqs as number[][]).catch((err: unknown) => err);
      expect(e, String(seqs)).toBeInstanceOf(InvalidArgumentError);
      expect((e as Error).message).toMatch(message);
      expect(tf.memory().numTensors, JSON.stringify(seqs)).toBe(before);
    }
  });

  it('when the graph fails, only its inputs and output are disposed: a tensor other code made during the call survives; when it succeeds, too', async () => {
    const other = await UseLiteEncoder.load();
    try {
      const model = (other as unknown as { model: tf.GraphModel }).model;
      const execute = model.executeAsync.bind(model);
      // Other code that runs while the graph is awaited (one microtask into the call) makes a tensor of its own.
      let foreign: tf.Tensor | undefined;
      const leftovers: tf.Tensor[] = [];
      // Fails after the graph ran and left tensors behind (as a graph failing in a late op, or out of memory, does).
      model.executeAsync = async (inputs) => {
        queueMicrotask(() => {
          foreign = tf.scalar(7);
        });
        const out = await execute(inputs);
        leftovers.push(tf.ones([4, 4]));
        tf.dispose(out);
        leftovers.push(tf.zeros([2]));
        throw new Error('simulated failure');
      };
      const before = tf.memory().numTensors;
      await expect(other.encode(['a text'])).rejects.toThrow(/sentence model use-lite failed on a batch of 1 texts: simulated failure/);
      expect(foreign).toBeDefined();
      expect(foreign!.isDisposed).toBe(false);
      expect(Array.from(await foreign!.data())).toEqual([7]);
      // The inputs went; the failing executor's own leftovers are left (it cannot be told apart from other code's).
      expect(tf.memory().numTensors).toBe(before + 1 + leftovers.length);
      tf.dispose([foreign!, ...leftovers]);
      expect(tf.memory().numTensors).toBe(before);
      // Succeeds, while a tensor of someone else is made during the run: it is theirs, not disposed.
      model.executeAsync = async (inputs) => {
        foreign = tf.scalar(7);
        return execute(inputs);
      };
      const vector = await other.encode(['a text']);
      expect(Array.from(vector)).toEqual(Array.from(await enc.encode(['a text'])));
      expect(foreign!.isDisposed).toBe(false);
      expect(tf.memory().numTensors).toBe(before + 1);
      foreign!.dispose();
    } finally {
      other.dispose();
    }
  });

  it('says windows, not texts, when a batch of windows fails (chunks > 1)', async () => {
    const chunked = await UseLiteEncoder.load({ chunks: 2 });
    try {
      const model = (chunked as unknown as { model: tf.GraphModel }).model;
      model.executeAsync = async () => {
        throw new Error('simulated failure');
      };
      const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
      expect(chunked.windows(long)).toHaveLength(2);
      await expect(chunked.encode([long])).rejects.toThrow(/failed on a batch of 2 windows: simulated failure/);
    } finally {
      chunked.dispose();
    }
  });

  it('disposed while an encode call is queued or between its batches: the typed "was disposed" error, not a tfjs one', async () => {
    const texts = ['one', 'two words', 'three more words'];
    // Queued: dispose() right after encode() started, before its first graph call ran.
    const queued = await UseLiteEncoder.load();
    const call = queued.encode(texts);
    queued.dispose();
    const e = await call.catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as Error).message).toBe('this sentence encoder was disposed');
    expect((e as InvalidArgumentError).hint).toMatch(/after its encode calls have finished/);
    await expect(queued.encodePieceIds([[5]])).rejects.toThrow(/this sentence encoder was disposed/);
    // Between batches: disposed after the first of three batches.
    const before = tf.memory().numTensors;
    const batched = await UseLiteEncoder.load({ batchSize: 1 });
    let updates = 0;
    const progress = { start: () => {}, stop: () => {}, update: () => (++updates === 2 ? batched.dispose() : undefined) };
    await expect(batched.encode(texts, progress as never)).rejects.toThrow(/^this sentence encoder was disposed$/);
    expect(updates).toBe(2);
    // The model's weights went with it, and no batch tensor was left behind.
    expect(tf.memory().numTensors).toBe(before);
  });

  it("encodePieceIds' hint points to windows(text): the graph reads the first 128 ids of each sequence", async () => {
    const e = await enc.encodePieceIds([]).catch((err: unknown) => err);
    expect((e as InvalidArgumentError).hint).toMatch(/windows\(text\).*first 128 ids of each sequence/);
  });

  it('as docs/text.md says: whitespace trimmed and collapsed, control and other unknown characters one id, so one-word texts of unknown characters share a vector', async () => {
    const t = enc.tokenizer;
    expect(t.encode('  a\t\n b\u00a0 ')).toEqual(t.encode('a b'));
    const unknownWord = t.encode('😀');
    // The word break '▁' (a piece of its own), then the unknown id for the whole run.
    expect(unknownWord).toHaveLength(2);
    expect(unknownWord[1]).toBe(0);
    for (const text of ['日本語', '\u0000', '😀🙂', '\u0007\u0000']) expect(t.encode(text), JSON.stringify(text)).toEqual(unknownWord);
    expect(t.encode('a\u0000b')[1]).toBe(0);
    const m = await enc.encode(['😀', '日本語', '\u0000', '😀 🙂', '日本 語']);
    expect(row(m, 512, 1)).toEqual(row(m, 512, 0));
    expect(row(m, 512, 2)).toEqual(row(m, 512, 0));
    expect(row(m, 512, 4)).toEqual(row(m, 512, 3));
    expect(row(m, 512, 3)).not.toEqual(row(m, 512, 0));
  });

  it("is narrowed with instanceof from SentenceEncoder.load's abstract type; both classes are exported from transferkit/text", async () => {
    const text = await import('../../../../text/index.js');
    expect(text.UseLiteEncoder).toBe(UseLiteEncoder);
    expect(text.TransformersSentenceEncoder).toBeTypeOf('function');
    const loaded: SentenceEncoder = enc;
    expect(loaded instanceof text.TransformersSentenceEncoder).toBe(false);
    if (!(loaded instanceof text.UseLiteEncoder)) throw new Error('not narrowed');
    expect([loaded.chunks, loaded.batchSize, loaded.pieces('a text').length]).toEqual([1, 32, 2]);
  });

  it('segments word by word exactly as one pass over the text would', () => {
    const pieces = JSON.parse(readFileSync(join(useLitePackageDir(), 'vocab.json'), 'utf8')) as VocabEntry[];
    // A piece that spans a word break (and never wins) makes the tokenizer segment the whole text in one pass.
    const onePass = new SentencePieceUnigram([...pieces, ['e\u2581t', -1000]]);
    const texts = ['The café’s crème brûlée — naïve façade!', 'Numbers 3.14159 and e-mail a.b@c.org ☃☃ 😀 done', 'ﬁne   spaced\ttabs\nlines'];
    for (const t of texts) {
      expect(onePass.encode(t)).toEqual(enc.tokenizer.encode(t));
      expect(onePass.encode(t, 5)).toEqual(enc.tokenizer.encode(t, 5));
    }
  });

  it('refuses options of transformers.js models, naming them', async () => {
    await expect(SentenceEncoder.load({ model: 'use-lite', pooling: 'cls' })).rejects.toThrow(/pooling applies to transformers\.js models/);
    await expect(SentenceEncoder.load({ model: 'use-lite', quantized: true, prefix: 'query: ' })).rejects.toThrow(/quantized, prefix apply/);
    await expect(SentenceEncoder.load({ model: 'use-lite', hub: true })).rejects.toThrow(/hub/);
    await expect(SentenceEncoder.load({ model: 'use-lite', maxTokens: 0 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });
});

describe('UseLiteEncoder chunks: a long text as the mean over windows', () => {
  const FOOD = 'I baked fresh bread this morning, and the soup needed more salt and pepper before we ate it with pasta and tomato sauce.';
  const SPORT = 'The team won the football match after she scored a goal in the final minute, and the referee showed a red card.';
  /** About 300 pieces: food first, sport after the first window. */
  const LONG = [FOOD, FOOD, FOOD, FOOD, SPORT, SPORT, SPORT, SPORT, SPORT, SPORT, SPORT, SPORT].join(' ');
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (x, k) => Math.abs(x - b[k]!)));
  const unit = (sum: number[]) => {
    const n = Math.sqrt(sum.reduce((a, x) => a + x * x, 0));
    return sum.map((x) => x / n);
  };
  let two: UseLiteEncoder;
  beforeAll(async () => {
    two = (await SentenceEncoder.load({ model: 'use-lite', chunks: 2 })) as UseLiteEncoder;
  });
  afterAll(() => two?.dispose());

  it('with chunks 1 (the default) reads the first 128 pieces, bit for bit as one graph call on them', async () => {
    const one = await UseLiteEncoder.load({ chunks: 1 });
    try {
      expect(one.chunks).toBe(1);
      expect(one.describe()).toEqual(enc.describe());
      expect('chunks' in one.describe()).toBe(false);
      const ids = enc.tokenizer.encode(LONG);
      expect(ids.length).toBeGreaterThan(256);
      expect(one.pieces(LONG)).toEqual(ids.slice(0, 128));
      expect(Array.from(await one.encode([LONG]))).toEqual(Array.from(await enc.encodePieceIds([ids.slice(0, 128)])));
      expect(await one.probeOf(LONG)).toEqual(await enc.probeOf(LONG));
    } finally {
      one.dispose();
    }
  });

  it('with chunks 2 gives a long text the normalised piece-weighted mean of its two windows\' vectors (and reads nothing after them)', async () => {
    expect([two.chunks, two.maxTokens]).toEqual([2, 128]);
    expect(two.describe()).toEqual({ family: 'use-lite', source: 'use-lite', name: 'use-lite', dim: 512, maxTokens: 128, chunks: 2 });
    const ids = two.tokenizer.encode(LONG, 256);
    expect(two.windows(LONG)).toEqual([ids.slice(0, 128), ids.slice(128, 256)]);
    const [w1, w2] = [await two.encodePieceIds([ids.slice(0, 128)]), await two.encodePieceIds([ids.slice(128, 256)])];
    const expected = unit(Array.from(w1, (x, k) => x + w2[k]!));
    const got = await two.encode([LONG]);
    expect(maxDiff(got, expected)).toBeLessThan(1e-5);
    expect(Math.hypot(...got)).toBeCloseTo(1, 5);
    // The second window is about sport: the mean differs from the first window alone.
    expect(maxDiff(got, w1)).toBeGreaterThan(1e-2);
    // Pieces past the second window are not read.
    const cut = LONG + ' ' + FOOD.repeat(3);
    expect(Array.from(await two.encode([cut]))).toEqual(Array.from(got));
    // A last window shorter than 128 pieces weighs its piece count: n/(128 + n), not one half.
    const mid = [FOOD, FOOD, FOOD, FOOD, SPORT].join(' ');
    const midIds = two.tokenizer.encode(mid);
    expect(midIds.length).toBeGreaterThan(128);
    expect(midIds.length).toBeLessThan(256);
    const tail = midIds.length - 128;
    const [m1, m2] = [await two.encodePieceIds([midIds.slice(0, 128)]), await two.encodePieceIds([midIds.slice(128)])];
    const got2 = await two.encode([mid]);
    expect(maxDiff(got2, unit(Array.from(m1, (x, k) => 128 * x + tail * m2[k]!)))).toBeLessThan(1e-5);
    expect(maxDiff(got2, unit(Array.from(m1, (x, k) => x + m2[k]!)))).toBeGreaterThan(1e-3);
  });

  it('gives a text of one window (and an empty text) the same vector whatever chunks is', async () => {
    const texts = ['A short sentence about cats.', '', '   '];
    const [a, b] = [await two.encode(texts), await enc.encode(texts)];
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(await two.probeOf('A short sentence about cats.')).toEqual(await enc.probeOf('A short sentence about cats.'));
    expect(two.probe).toEqual(enc.probe);
  });

  it('gives each text the same vector alone or in batches of any size and order', async () => {
    const texts = [LONG, 'Hi', '', [FOOD, FOOD, SPORT, SPORT, SPORT].join(' '), 'Another text, of middling length, here.', [SPORT, SPORT, SPORT, SPORT, SPORT, FOOD, FOOD, FOOD, FOOD, FOOD].join(' ')];
    const three = await UseLiteEncoder.load({ chunks: 3 });
    const small = await UseLiteEncoder.load({ chunks: 3, batchSize: 2 });
    try {
      const all = await three.encode(texts);
      const pairs = await small.encode(texts);
      const reversed = await small.encode([...texts].reverse());
      const n = texts.length;
      for (let i = 0; i < n; i++) {
        expect(Math.hypot(...row(all, 512, i))).toBeCloseTo(1, 5);
        const alone = await three.encode([texts[i]!]);
        for (const other of [pairs.subarray(i * 512, (i + 1) * 512), alone, reversed.subarray((n - 1 - i) * 512, (n - i) * 512)]) {
          expect(maxDiff(row(all, 512, i), other)).toBeLessThan(1e-5);
        }
      }
      // The fingerprint of a text goes through the same windows.
      expect(await three.probeOf(LONG)).toEqual(Array.from(all.subarray(0, 16), (x) => Number(x.toPrecision(7))));
      expect(maxDiff(await three.probeOf(LONG), await enc.probeOf(LONG))).toBeGreaterThan(1e-3);
    } finally {
      three.dispose();
      small.dispose();
    }
  });

  it('frees its tensors when encoding in windows', async () => {
    await two.encode(['warm up', LONG]);
    const before = tf.memory().numTensors;
    await two.encode([LONG, 'one', '', LONG + ' more']);
    await two.probeOf(LONG);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses chunks that are not a whole number from 1 to 64, and chunks for a transformers.js model', async () => {
    for (const chunks of [0, 65, 1.5, -1, Number.NaN]) {
      await expect(UseLiteEncoder.load({ chunks })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/chunks must be a whole number from 1 to 64/) });
    }
    await expect(SentenceEncoder.load({ model: 'use-lite', chunks: '2' as unknown as number })).rejects.toThrow(/chunks must be a whole number from 1 to 64 .*got "2"/);
    // Refused before anything is looked up or downloaded.
    await expect(SentenceEncoder.load({ model: 'Xenova/all-MiniLM-L6-v2', chunks: 4 })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringMatching(/chunks applies to the Universal Sentence Encoder lite, not to transformers\.js models/),
    });
  });
});

describe('UseLiteEncoder from a folder in its layout', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tk-use-lite-'));
    cpSync(useLitePackageDir(), join(root, 'use'), { recursive: true, filter: (src) => !src.endsWith('.js') && !src.endsWith('.d.ts') });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads through SentenceEncoder.load and gives the packaged model\'s vectors', async () => {
    const local = await SentenceEncoder.load({ model: join(root, 'use') });
    try {
      expect(local).toBeInstanceOf(UseLiteEncoder);
      expect([local.name, local.provenance.source]).toEqual(['use', join(root, 'use')]);
      const [a, b] = [await local.encode(['Same model, same vector.']), await enc.encode(['Same model, same vector.'])];
      expect(Math.max(...Array.from(a, (x, k) => Math.abs(x - b[k]!)))).toBeLessThan(1e-6);
    } finally {
      local.dispose();
    }
  });

  it('names a missing shard or vocabulary', async () => {
    cpSync(join(root, 'use'), join(root, 'broken'), { recursive: true });
    unlinkSync(join(root, 'broken', 'group1-shard3of7'));
    await expect(SentenceEncoder.load({ model: join(root, 'broken') })).rejects.toThrow(/lacks group1-shard3of7/);
    unlinkSync(join(root, 'broken', 'vocab.json'));
    await expect(SentenceEncoder.load({ model: join(root, 'broken') })).rejects.toThrow(/lacks group1-shard3of7, vocab\.json/);
  });
});
