import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkModelFolder, SentenceEncoder } from '../../../text/sentence/index.js';
import { writeOnnxEncoder } from '../../helpers/onnx-encoder.js';

const WORDS = ['spam', 'ham', 'free', 'money', 'meeting', 'tomorrow', 'cheap', 'pills'];
const DIM = 6;
// Row i of word i: a fixed pattern, distinct per word.
const VECTORS = Float32Array.from({ length: WORDS.length * DIM }, (_, k) => Math.sin(k * 1.3 + 0.2) * ((k % DIM) + 1));
const rowOf = (w: string) => VECTORS.subarray(WORDS.indexOf(w) * DIM, (WORDS.indexOf(w) + 1) * DIM);
function normalisedSum(words: string[]): number[] {
  const s = new Array(DIM).fill(0);
  for (const w of words) rowOf(w).forEach((x, k) => (s[k] += x));
  const n = Math.hypot(...s);
  return s.map((x) => x / n);
}

let root: string;
let model: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tk-sentence-'));
  model = writeOnnxEncoder(join(root, 'tiny-encoder'), { words: WORDS, vectors: VECTORS, dim: DIM });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('SentenceEncoder', () => {
  it('mean-pools the model output and L2-normalises it (unknown words add nothing; the tokenizer lowercases)', async () => {
    const enc = await SentenceEncoder.load({ model });
    expect(enc.dim).toBe(DIM);
    expect(enc.name).toBe('tiny-encoder/mean');
    const out = await enc.encode(['FREE money, cheap pills!', 'meeting zebra tomorrow']);
    expect(Array.from(out.subarray(0, DIM))).toEqual(normalisedSum(['free', 'money', 'cheap', 'pills']).map((x) => expect.closeTo(x, 5)));
    expect(Array.from(out.subarray(DIM))).toEqual(normalisedSum(['meeting', 'tomorrow']).map((x) => expect.closeTo(x, 5)));
    enc.dispose();
  });

  it('gives the same vectors whatever the batch size', async () => {
    const texts = ['spam spam', 'ham', 'free meeting tomorrow', 'cheap', 'money pills ham'];
    const one = await SentenceEncoder.load({ model, batchSize: 64 });
    const two = await SentenceEncoder.load({ model, batchSize: 2 });
    const a = await one.encode(texts);
    const b = await two.encode(texts);
    expect(Array.from(b)).toEqual(Array.from(a).map((x) => expect.closeTo(x, 6)));
    one.dispose();
    two.dispose();
  });

  it('cuts texts at maxTokens ([CLS] included; transformers.js cuts the closing [SEP] too)', async () => {
    const enc = await SentenceEncoder.load({ model, maxTokens: 4 });
    expect(enc.maxTokens).toBe(4);
    const out = await enc.encode(['spam ham free money']);
    expect(Array.from(out)).toEqual(normalisedSum(['spam', 'ham', 'free']).map((x) => expect.closeTo(x, 5)));
    enc.dispose();
  });

  it('leaves a zero vector at zero instead of dividing by its norm', async () => {
    const enc = await SentenceEncoder.load({ model, pooling: 'cls' }); // [CLS]'s row is zero in this model
    const out = await enc.encode(['spam ham', '']);
    expect(Array.from(out).every((x) => x === 0)).toBe(true);
    enc.dispose();
  });

  it('names what a model folder lacks', () => {
    const dir = writeOnnxEncoder(join(root, 'broken'), { words: WORDS, vectors: VECTORS, dim: DIM });
    unlinkSync(join(dir, 'tokenizer.json'));
    expect(() => checkModelFolder(dir)).toThrow(/lacks tokenizer\.json/);
    expect(() => checkModelFolder(model, true)).toThrow(/lacks onnx\/model_quantized\.onnx/);
    expect(() => checkModelFolder(join(root, 'nowhere'))).toThrow(/no model folder/);
  });

  it('refuses a hub model that is not cached when offline, and bad options', async () => {
    await expect(SentenceEncoder.load({ model: 'Xenova/no-such-model', offline: true, cacheDir: join(root, 'cache') })).rejects.toMatchObject({ code: 'E_OFFLINE' });
    await expect(SentenceEncoder.load({ model, pooling: 'max' as never })).rejects.toThrow(/unknown pooling/);
    await expect(SentenceEncoder.load({ model, batchSize: 0 })).rejects.toThrow(/batch size/);
    await expect(SentenceEncoder.load({ model: '  ' })).rejects.toThrow(/no sentence model/);
  });
});
