import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { Backbone, runVisionDemo } from '../../vision/index.js';

describe('runVisionDemo', () => {
  it('trains offline on synthetic images and predicts from the reloaded bundle', async () => {
    const lines: string[] = [];
    const r = await runVisionDemo({ write: (l) => lines.push(l), perClass: 8, epochs: 8 });
    expect(r.backbone).toBe('mobilenet_v2_nsfwjs');
    expect(r.images).toBe(24);
    expect(r.validationAccuracy).toBeGreaterThan(1 / 3);
    expect(r.predictions).toHaveLength(3);
    expect(r.predictions.filter((p) => p.predicted === p.expected).length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).toMatch(/feature-extract: validation accuracy/);
  });

  it('encoding images leaks no tensors', async () => {
    await initEngine();
    const b = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    const img = new Uint8Array(await (await import('sharp')).default({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toBuffer());
    await b.encode([img]);
    const before = tf.memory().numTensors;
    const v = await b.encode([img, img]);
    expect(tf.memory().numTensors).toBe(before);
    expect(v.subarray(0, 1280)).toEqual(v.subarray(1280));
  });
});
