/**
 * buildClassifierModel's model trains outside the learner (tfjs's own model.fit) with no other call:
 * on wasm, building it registers the gradient kernels wasm lacks. This file runs in a process of its
 * own (vitest forks), so nothing has registered them before the first test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { Backbone, buildClassifierModel } from '../../vision/index.js';
import { tempDir, writeTinyModel } from './helpers.js';

let tiny: string;

beforeAll(async () => {
  await initEngine();
  tiny = join(tempDir(), 'tiny');
  await writeTinyModel(tiny); // conv → BatchNorm → relu → conv → relu
});

describe('buildClassifierModel', () => {
  it('gives a model that model.fit trains, body convolutions included, without a prepareTraining call', async () => {
    const wasm = tf.getBackend() === 'wasm';
    // What made model.fit fail before ("Kernel 'Conv2DBackpropFilter' not registered"): wasm has no such kernel of its own.
    if (wasm) expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const backbone = await Backbone.load(tiny);
    const model = buildClassifierModel(backbone, { numClasses: 2 });
    if (wasm) expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const before = model.getLayer('c1').getWeights()[0]!.dataSync().slice();
    model.compile({ optimizer: tf.train.sgd(0.1), loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const h = await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0] as number)).toBe(true);
    // The first convolution of the body trained: its filter gradient was computed.
    const after = model.getLayer('c1').getWeights()[0]!.dataSync();
    expect(Array.from(after)).not.toEqual(Array.from(before));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('can be built again (preparing for training twice registers nothing twice)', async () => {
    const backbone = await Backbone.load(tiny);
    const a = buildClassifierModel(backbone, { numClasses: 2 });
    const b = buildClassifierModel(backbone, { numClasses: 3, seed: 1 });
    expect(a.outputs[0]!.shape).toEqual([null, 2]);
    expect(b.outputs[0]!.shape).toEqual([null, 3]);
    a.dispose(); // the body's layers are shared: disposing one model releases them
  });
});
