/**
 * The vision API refuses bad options with typed errors before doing any work, and reports
 * unreadable images as typed errors naming the file (not sharp's raw errors).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/backend.js';
import { TransferkitError } from '../../src/errors.js';
import { Backbone, buildClassifierModel, embedImages, ImageClassifier, ImageLearner, readImages, trainImageClassifier, writeSyntheticImages } from '../../vision/index.js';
import { tempDir, writeTinyModel } from './helpers.js';

let dir: string;
let tiny: string;

beforeAll(async () => {
  await initEngine();
  dir = tempDir();
  tiny = join(dir, 'tiny');
  await writeTinyModel(tiny);
  await writeSyntheticImages(join(dir, 'data'), { classes: 2, perClass: 2, size: 16 });
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
  mkdirSync(join(dir, 'folder'));
});

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<TransferkitError> {
  const e = await p.then(() => undefined, (e: unknown) => e);
  expect(e).toBeInstanceOf(TransferkitError);
  return e as TransferkitError;
}

describe('vision API errors', () => {
  it('trainImageClassifier refuses bad options before reading any image', async () => {
    const missing = join(dir, 'no-such-folder'); // were the data read first, this would be E_NOT_FOUND
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ validationSplit: -0.5 }, /validationSplit must be a fraction in \[0, 1\), got -0\.5/],
      [{ validationSplit: 1 }, /validationSplit must be a fraction in \[0, 1\), got 1/],
      [{ learningRate: 0 }, /learning rate must be a number > 0, got 0/],
      [{ head: 'bogus' }, /unknown head 'bogus'/],
      [{ head: 'mlp:0' }, /bad hidden sizes in head 'mlp:0'/],
      [{ lrMult: 0.5, strategy: 'fine-tune' }, /lrMult must be a number ≥ 1/],
      [{ freezeEpochs: 0, strategy: 'fine-tune' }, /freezeEpochs \(head warm-up epochs\) must be a positive integer/],
      // Options the strategy would ignore are refused, as the CLI refuses their flags.
      [{ strategy: 'feature-extract', freezeUntil: 'block6-9' }, /^freezeUntil applies only to strategy 'fine-tune-top', not 'feature-extract'$/],
      [{ freezeUntil: 'block6-9' }, /^freezeUntil applies only to strategy 'fine-tune-top', not 'feature-extract'$/],
      [{ strategy: 'fine-tune', freezeUntil: 'block6-9' }, /^freezeUntil applies only to strategy 'fine-tune-top', not 'fine-tune'$/],
      [{ strategy: 'fine-tune-all', freezeEpochs: 3, lrMult: 10 }, /^freezeEpochs applies only to strategy 'fine-tune', not 'fine-tune-all'$/],
      [{ strategy: 'fine-tune-top', lrMult: 10 }, /^lrMult applies only to strategy 'fine-tune', not 'fine-tune-top'$/],
      [{ augment: true, augmentRounds: -3 }, /^augmentRounds must be a positive integer, got -3$/],
      [{ augment: true, augmentRounds: 1.5 }, /^augmentRounds must be a positive integer, got 1\.5$/],
      [{ augmentRounds: 2 }, /^augmentRounds applies only with augment/],
      [{ augment: true, augmentRounds: 2, strategy: 'fine-tune-all' }, /^augmentRounds applies only when a prefix of the network is frozen/],
      // A schedule the trainer would refuse only once the images are decoded.
      [{ schedule: { type: 'one-cycle', pctStart: 2 } }, /^learning-rate schedule: 'pctStart' must be in \(0, 1\), got 2$/],
      [{ schedule: { type: 'exponential' } }, /^unknown learning-rate schedule 'exponential'$/],
    ];
    for (const [options, message] of cases) {
      const e = await failure(trainImageClassifier(missing, options));
      expect(e.code, JSON.stringify(options)).toBe('E_INVALID_ARGUMENT');
      expect(e.message).toMatch(message);
    }
  });

  it('the lower-level learner refuses augmentRounds that are not a positive integer, or without augment (it clamped -3 to 1)', async () => {
    const backbone = await Backbone.load(tiny);
    const model = buildClassifierModel(backbone, { numClasses: 2, head: { type: 'linear' } });
    const data = { train: { images: [], y: new Int32Array(0) } };
    expect(() => new ImageLearner(backbone, model, data, { augment: true, augmentRounds: -3 })).toThrow(/^augmentRounds must be a positive integer, got -3$/);
    expect(() => new ImageLearner(backbone, model, data, { augment: true, extractBatchSize: 0 })).toThrow(/^extractBatchSize must be a positive integer, got 0$/);
    expect(() => new ImageLearner(backbone, model, data, { augmentRounds: 2 })).toThrow(/^augmentRounds applies only with augment/);
  });

  it('predict and evaluate refuse a topK that is not a positive integer, before reading any image; a topK above the labels gives them all', async () => {
    const backbone = await Backbone.load(tiny);
    const clf = new ImageClassifier(buildClassifierModel(backbone, { numClasses: 2, head: { type: 'linear' } }), ['a', 'b'], backbone.preprocessing);
    const good = join(dir, 'data', 'checks', '000.png');
    for (const topK of [0, NaN, -1, 1.5]) {
      const e = await failure(clf.predict([good], { topK }));
      expect(e.code).toBe('E_INVALID_ARGUMENT');
      expect(e.message).toBe(`topK must be a positive integer, got ${topK}`);
      // The data folder does not exist: were it read first, the error would be E_NOT_FOUND.
      const ev = await failure(clf.evaluate(join(dir, 'no-such-folder'), { topK }));
      expect(ev.code).toBe('E_INVALID_ARGUMENT');
    }
    expect((await clf.predict([good], { topK: 5 })).predictions[0].top).toHaveLength(2);
  });

  it('embedImages refuses an output the data reader would take for an image (or a folder) before embedding anything', async () => {
    const backbone = await Backbone.load(tiny);
    const collection = await readImages(join(dir, 'data'));
    const inClass = join(dir, 'data', 'checks', 'emb.png');
    const e = await failure(embedImages(backbone, collection, inClass));
    expect(e.code).toBe('E_INVALID_ARGUMENT');
    expect(e.message).toMatch(/^output .*emb\.png is inside the data folder .*data: a \.png file there is read as data by the next run$/);
    expect(existsSync(inClass)).toBe(false);
    const folder = await failure(embedImages(backbone, collection, join(dir, 'folder')));
    expect(folder.message).toMatch(/refusing to write .*folder: it exists and is not a regular file/);
    const model = await failure(embedImages(backbone, collection, join(tiny, 'model.json')));
    expect(model.message).toMatch(/tiny.model\.json is inside the backbone folder .*tiny: writing there could overwrite its files/);
    // A file the reader skips may go into the data folder, as with vision embed.
    const jsonl = join(dir, 'data', 'emb.jsonl');
    expect((await embedImages(backbone, collection, jsonl)).count).toBe(4);
  });

  it('Backbone.load refuses an unknown resize mode or normalisation as a bad argument', async () => {
    const resize = await failure(Backbone.load(tiny, { resize: 'bogus' as never }));
    expect(resize.code).toBe('E_INVALID_ARGUMENT');
    expect(resize.message).toBe("unknown resize mode 'bogus'");
    expect(resize.hint).toBe('use one of: squash, center-crop, pad');
    const norm = await failure(Backbone.load(tiny, { normalization: 'bogus' }));
    expect(norm.code).toBe('E_INVALID_ARGUMENT');
    expect(norm.message).toBe("unknown normalisation 'bogus'");
  });

  it('encode() and probabilities() report an unreadable image as E_DATA naming it, a missing one as E_NOT_FOUND', async () => {
    const backbone = await Backbone.load(tiny);
    const clf = new ImageClassifier(buildClassifierModel(backbone, { numClasses: 2, head: { type: 'linear' } }), ['a', 'b'], backbone.preprocessing);
    const good = join(dir, 'data', 'checks', '000.png');
    const notes = join(dir, 'notes.txt');
    for (const run of [(i: string[]) => backbone.encode(i), (i: string[]) => clf.probabilities(i)]) {
      const bad = await failure(run([good, notes]));
      expect(bad.code, bad.message).toBe("E_DATA");
      expect(bad.message).toMatch(new RegExp(`^${notes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: unreadable image: `));
      expect(bad.hint).toMatch(/JPEG, PNG/);
      const bytes = await failure(run([new Uint8Array([1, 2, 3]) as never]));
      expect(bytes.code).toBe('E_DATA');
      expect(bytes.message).toMatch(/^input 0: unreadable image/);
      const missing = await failure(run([join(dir, 'gone.png')]));
      expect(missing.code).toBe('E_NOT_FOUND');
      expect(missing.message).toMatch(/image .*gone\.png does not exist/);
      const folder = await failure(run([join(dir, 'folder')]));
      expect(folder.code).toBe('E_INVALID_ARGUMENT');
      expect(folder.message).toMatch(/folder is a folder, not an image/);
    }
    expect(await backbone.encode([good])).toHaveLength(backbone.dim);
  });
});
