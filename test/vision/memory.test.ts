/**
 * Large inputs: feature passes follow the training batch size (so --batch-size
 * is a way to fit large images), allocation failures become a typed error
 * saying what to lower, and absurd image sizes are refused before any work.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  Backbone,
  ImageClassifier,
  MAX_IMAGE_SIZE,
  TfjsEngine,
  embedImages,
  inferenceBatchSize,
  isOutOfMemory,
  readImageFolder,
  setVisionEngine,
  trainImageClassifier,
  writeSyntheticImages,
  type ImageCollection,
  type VisionEngine,
} from '../../vision/index.js';
import { tempDir, writeTinyModel } from './helpers.js';

let root: string;
let data: ImageCollection;
let modelDir: string;

/** The default engine, recording the batch size of every frozen pass (and failing on demand). */
class RecordingEngine extends TfjsEngine {
  readonly batches: number[] = [];
  fail?: Error;
  override async runFrozen(model: tf.LayersModel, batch: tf.Tensor): Promise<Float32Array> {
    this.batches.push(batch.shape[0]);
    if (this.fail) throw this.fail;
    return super.runFrozen(model, batch);
  }
}

let previous: VisionEngine | undefined;
function useEngine(engine: VisionEngine): void {
  previous = setVisionEngine(engine);
}

beforeAll(async () => {
  await initEngine();
  root = tempDir();
  await writeSyntheticImages(join(root, 'data'), { classes: 2, perClass: 6, size: 16, seed: 2 });
  data = await readImageFolder(join(root, 'data'));
  modelDir = join(root, 'tiny');
  await writeTinyModel(modelDir, { inputSize: 16 });
});

afterEach(() => {
  if (previous) setVisionEngine(previous);
  previous = undefined;
});

describe('feature passes follow the batch size', () => {
  it('trainImageClassifier computes features batchSize images at a time (not 32 at once)', async () => {
    const engine = new RecordingEngine();
    useEngine(engine);
    const backbone = await Backbone.load(modelDir, { cut: 'r2' });
    await trainImageClassifier(data, { backbone, epochs: 1, batchSize: 3, validationSplit: 0.25 });
    expect(engine.batches.length).toBeGreaterThan(0);
    expect(Math.max(...engine.batches)).toBe(3);
    expect(engine.batches.reduce((a, b) => a + b, 0)).toBe(12); // train + validation, once each
  });

  it('extractBatchSize sets the feature passes on its own', async () => {
    const engine = new RecordingEngine();
    useEngine(engine);
    const backbone = await Backbone.load(modelDir, { cut: 'r2' });
    await trainImageClassifier(data, { backbone, epochs: 1, batchSize: 8, extractBatchSize: 2, validationSplit: 0 });
    expect(engine.batches).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('inference passes shrink with the image size', () => {
    expect(inferenceBatchSize([224, 224])).toBe(16);
    expect(inferenceBatchSize([64, 64])).toBe(16);
    expect(inferenceBatchSize([448, 448])).toBe(4);
    expect(inferenceBatchSize([1024, 1024])).toBe(1);
  });
});

describe('running out of memory', () => {
  const wasmOob = () => new WebAssembly.RuntimeError('memory access out of bounds');

  it('recognises engine and typed-array allocation failures, and nothing else', () => {
    expect(isOutOfMemory(wasmOob())).toBe(true);
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new RangeError('Invalid typed array length: 12000000000'))).toBe(true);
    expect(isOutOfMemory(new Error('memory access out of bounds in my parser'))).toBe(false);
    expect(isOutOfMemory(new RangeError('index out of range'))).toBe(false);
    expect(isOutOfMemory('memory access out of bounds')).toBe(false);
  });

  it('training: a typed error naming the size and batch, with a hint to lower them', async () => {
    const engine = new RecordingEngine();
    engine.fail = wasmOob();
    useEngine(engine);
    const backbone = await Backbone.load(modelDir, { cut: 'r2' });
    const err = await trainImageClassifier(data, { backbone, epochs: 1, batchSize: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringMatching(/^ran out of memory training at 16×16 px in batches of up to 4 images on the \w+ backend \(memory access out of bounds\)$/),
      hint: expect.stringMatching(/lower --batch-size \(4 here, down to 1.*\) or --image-size \(16 here/),
    });
  });

  it('embedding and classifying: the same error, leaving no partial output', async () => {
    const backbone = await Backbone.load(modelDir, { cut: 'r2' });
    const features = backbone.features.bind(backbone);
    backbone.features = async () => {
      throw new RangeError('Array buffer allocation failed');
    };
    const out = join(root, 'emb.jsonl');
    const err = await embedImages(backbone, data, out, { batchSize: 5 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/ran out of memory embedding images at 16×16 px in batches of up to 5/) });
    const { existsSync } = await import('node:fs');
    expect(existsSync(out)).toBe(false);
    backbone.features = features;

    const r = await trainImageClassifier(data, { backbone, epochs: 1, batchSize: 4, validationSplit: 0 });
    const clf = new ImageClassifier(r.classifier.model, r.classifier.labels, r.classifier.preprocessing);
    const predict = clf.model.predict.bind(clf.model);
    clf.model.predict = () => {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    };
    const perr = await clf.predict([join(root, 'data', 'checks', '000.png')]).catch((e: unknown) => e);
    expect(perr).toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/ran out of memory classifying images at 16×16/), hint: expect.stringMatching(/train one with a smaller --image-size/) });
    clf.model.predict = predict;
  });
});

describe('image size limits', () => {
  it(`refuses an image size above ${MAX_IMAGE_SIZE} px before loading anything`, async () => {
    const err = await Backbone.load(modelDir, { imageSize: 100_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_INVALID_ARGUMENT', message: `image size 100000×100000 is above the maximum of ${MAX_IMAGE_SIZE} px`, hint: expect.stringMatching(/--image-size 2048 or less/) });
    await expect(Backbone.load(modelDir, { imageSize: [64, 4096] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });
});
