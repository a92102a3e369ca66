import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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

  it('offline, loads a hub model already in the cache (and only then)', async () => {
    const cacheDir = join(root, 'hub-cache');
    writeOnnxEncoder(join(cacheDir, 'Owner', 'tiny'), { words: WORDS, vectors: VECTORS, dim: DIM });
    const enc = await SentenceEncoder.load({ model: 'Owner/tiny', offline: true, cacheDir });
    expect(enc.name).toBe('Owner/tiny/mean');
    expect(enc.provenance.source).toBe('Owner/tiny');
    expect(enc.folder?.dir).toBe(join(cacheDir, 'Owner', 'tiny'));
    expect(Array.from(await enc.encode(['spam ham']))).toEqual(normalisedSum(['spam', 'ham']).map((x) => expect.closeTo(x, 5)));
    enc.dispose();
    await expect(SentenceEncoder.load({ model: 'Owner/other', offline: true, cacheDir })).rejects.toMatchObject({ code: 'E_OFFLINE', hint: expect.stringMatching(/there is no folder .*Owner\/other/) });
    // hub: true (a recipe's hub model) never takes a local folder of that name: test/fixtures exists here, and is not a model.
    expect(() => checkModelFolder('test/fixtures')).toThrow(/lacks config\.json/);
    await expect(SentenceEncoder.load({ model: 'test/fixtures', hub: true, offline: true, cacheDir })).rejects.toMatchObject({ code: 'E_OFFLINE' });
    // …and its hint does not speak of local folders, which a recipe cannot take.
    await expect(SentenceEncoder.load({ model: 'Owner/other', hub: true, offline: true, cacheDir })).rejects.toMatchObject({ hint: expect.stringMatching(/^unset TRANSFERKIT_OFFLINE once to download it$/) });
    // A cached model missing a file (or the ONNX file asked for) says what is missing.
    await expect(SentenceEncoder.load({ model: 'Owner/tiny', quantized: true, offline: true, cacheDir })).rejects.toMatchObject({
      code: 'E_OFFLINE',
      message: expect.stringMatching(/is in the cache, but it cannot be used .*lacks onnx\/model_quantized\.onnx/),
      hint: 'drop --quantized',
    });
  });

  it("leaves transformers.js's global settings as they were", async () => {
    const { env } = await import('@xenova/transformers');
    const before = { allowLocalModels: env.allowLocalModels, allowRemoteModels: env.allowRemoteModels, useFSCache: env.useFSCache, localModelPath: env.localModelPath, cacheDir: env.cacheDir };
    (await SentenceEncoder.load({ model })).dispose();
    expect({ allowLocalModels: env.allowLocalModels, allowRemoteModels: env.allowRemoteModels, useFSCache: env.useFSCache, localModelPath: env.localModelPath, cacheDir: env.cacheDir }).toEqual(before);
  });

  it("keeps maxTokens within the model's positions; a sentence-transformers folder sets the default length and pooling", async () => {
    const short = writeOnnxEncoder(join(root, 'short'), { words: WORDS, vectors: VECTORS, dim: DIM, maxPositions: 16 });
    const enc = await SentenceEncoder.load({ model: short });
    expect(enc.maxTokens).toBe(16);
    enc.dispose();
    await expect(SentenceEncoder.load({ model: short, maxTokens: 100 })).rejects.toThrow(/maxTokens 100 is more than the 16 positions/);
    const st = writeOnnxEncoder(join(root, 'st'), { words: WORDS, vectors: VECTORS, dim: DIM });
    writeFileSync(join(st, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 5, do_lower_case: false }));
    mkdirSync(join(st, '1_Pooling'));
    writeFileSync(join(st, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: DIM, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false }));
    const fromSt = await SentenceEncoder.load({ model: st });
    expect([fromSt.maxTokens, fromSt.pooling]).toEqual([5, 'cls']);
    fromSt.dispose();
    const overridden = await SentenceEncoder.load({ model: st, pooling: 'mean', maxTokens: 8 });
    expect([overridden.maxTokens, overridden.pooling]).toEqual([8, 'mean']);
    overridden.dispose();
  });

  it('a model that loads but cannot run, or an ONNX file that is not one, is a typed E_MODEL error', async () => {
    const needs = writeOnnxEncoder(join(root, 'needs-positions'), { words: WORDS, vectors: VECTORS, dim: DIM, extraInput: 'position_ids' });
    await expect(SentenceEncoder.load({ model: needs })).rejects.toMatchObject({ code: 'E_MODEL', message: expect.stringMatching(/Missing the following inputs: position_ids/) });
    const broken = writeOnnxEncoder(join(root, 'truncated'), { words: WORDS, vectors: VECTORS, dim: DIM });
    writeFileSync(join(broken, 'onnx', 'model.onnx'), 'not a model');
    await expect(SentenceEncoder.load({ model: broken })).rejects.toMatchObject({ code: 'E_MODEL', message: expect.stringMatching(/could not load sentence model .*truncated/) });
  });

  it("a model whose tokenizer gives ids beyond its table fails with one typed error, nothing printed, and a hint naming the mismatch", async () => {
    const { copyFileSync } = await import('node:fs');
    const mixed = writeOnnxEncoder(join(root, 'mixed'), { words: WORDS, vectors: VECTORS, dim: DIM });
    const small = writeOnnxEncoder(join(root, 'small-table'), { words: WORDS.slice(0, 2), vectors: VECTORS.slice(0, 2 * DIM), dim: DIM });
    copyFileSync(join(small, 'onnx', 'model.onnx'), join(mixed, 'onnx', 'model.onnx'));
    const enc = await SentenceEncoder.load({ model: mixed }); // the probe text is an unknown word: it loads
    const printed: unknown[] = [];
    const { warn, error } = console;
    console.warn = console.error = (...a: unknown[]) => void printed.push(a);
    try {
      const err = await enc.encode(['cheap pills']).catch((e) => e);
      expect(err).toMatchObject({ code: 'E_MODEL', hint: expect.stringMatching(/tokenizer may give ids beyond its embedding table/) });
      // onnxruntime's own reason, not an error from formatting what transformers.js logged (objects without a prototype).
      expect(err.message).not.toMatch(/Cannot convert object to primitive value/);
      expect(err.message).toMatch(/Gather|idx|indices/i);
    } finally {
      console.warn = warn;
      console.error = error;
      enc.dispose();
    }
    expect(printed).toEqual([]);
  });

  it('a damaged cached file is named even when the download that left it was cut short (a file still missing)', async () => {
    const { rmSync } = await import('node:fs');
    const cacheDir = join(root, 'half-cache');
    const half = writeOnnxEncoder(join(cacheDir, 'Owner', 'half'), { words: WORDS, vectors: VECTORS, dim: DIM });
    rmSync(join(half, 'onnx'), { recursive: true });
    writeFileSync(join(half, 'tokenizer.json'), '{"version": "1.0", "trunc');
    expect(() => checkModelFolder(half)).toThrow(/tokenizer\.json.*not valid JSON/);
    await expect(SentenceEncoder.load({ model: 'Owner/half', hub: true, offline: false, cacheDir })).rejects.toMatchObject({ code: 'E_INVALID_FILE', hint: expect.stringMatching(/cached copy of Owner\/half is damaged/) });
  });

  it('names a model file that is not valid JSON (an empty tokenizer_config.json is fine)', async () => {
    const bad = writeOnnxEncoder(join(root, 'bad-json'), { words: WORDS, vectors: VECTORS, dim: DIM });
    writeFileSync(join(bad, 'tokenizer_config.json'), '{}');
    expect(checkModelFolder(bad).dir).toBe(bad);
    writeFileSync(join(bad, 'config.json'), '{oops');
    expect(() => checkModelFolder(bad)).toThrow(/config\.json.*not valid JSON/);
    writeFileSync(join(bad, 'config.json'), '{}');
    expect(() => checkModelFolder(bad)).toThrow(/config\.json.*expected a non-empty JSON object/);
    // A damaged cached hub model is named, online too (transformers.js would reuse the file as it is).
    const cacheDir = join(root, 'damaged-cache');
    const cached = writeOnnxEncoder(join(cacheDir, 'Owner', 'broken'), { words: WORDS, vectors: VECTORS, dim: DIM });
    writeFileSync(join(cached, 'config.json'), '{"model_type": "bert", oops');
    await expect(SentenceEncoder.load({ model: 'Owner/broken', hub: true, offline: false, cacheDir })).rejects.toMatchObject({ code: 'E_INVALID_FILE', hint: expect.stringMatching(/cached copy of Owner\/broken is damaged: delete/) });
    await expect(SentenceEncoder.load({ model: 'Owner/broken', hub: true, offline: true, cacheDir })).rejects.toMatchObject({ code: 'E_OFFLINE', hint: expect.stringMatching(/^delete .* and load the model once online$/) });
  });

  it("a download that fails for want of a network is told apart from a hub error (whatever the model's name)", async () => {
    const { isNetworkFailure } = await import('../../../text/sentence/encoder.js');
    expect(isNetworkFailure(new TypeError('fetch failed'))).toBe(true);
    expect(isNetworkFailure(Object.assign(new Error('x'), { cause: { code: 'ENOTFOUND' } }))).toBe(true);
    expect(isNetworkFailure(new Error('Could not locate file: "https://huggingface.co/acme/network-encoder/resolve/main/config.json".'))).toBe(false);
  });

  it('encoders running at once leave the console as it was', async () => {
    const { warn, error } = console;
    const a = await SentenceEncoder.load({ model });
    const b = await SentenceEncoder.load({ model, batchSize: 1 });
    await Promise.all([a.encode(Array.from({ length: 40 }, () => 'spam ham free')), b.encode(['money', 'meeting', 'cheap']), a.probeOf('spam')]);
    expect(console.warn).toBe(warn);
    expect(console.error).toBe(error);
    a.dispose();
    b.dispose();
  });

  it('a prefix goes before every text; quantized: false picks model.onnx when both files are there', async () => {
    const enc = await SentenceEncoder.load({ model, prefix: 'spam ' });
    expect(Array.from(await enc.encode(['ham']))).toEqual(normalisedSum(['spam', 'ham']).map((x) => expect.closeTo(x, 5)));
    enc.dispose();
    const both = writeOnnxEncoder(join(root, 'both'), { words: WORDS, vectors: VECTORS, dim: DIM });
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(both, 'onnx', 'model.onnx'), join(both, 'onnx', 'model_quantized.onnx'));
    expect(checkModelFolder(both).files.at(-1)).toBe(join('onnx', 'model_quantized.onnx'));
    const full = await SentenceEncoder.load({ model: both, quantized: false });
    expect([full.quantized, full.folder?.files.at(-1)]).toEqual([false, join('onnx', 'model.onnx')]);
    full.dispose();
  });
});
