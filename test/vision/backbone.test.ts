import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { settings } from '../../src/settings.js';
import { sha256 } from '../../src/io/hash.js';
import { saveBundle } from '../../src/bundle/bundle.js';
import {
  ARCHITECTURES,
  Backbone,
  classifySource,
  cleanCuts,
  downloadModel,
  getArchitecture,
  prefixModel,
  resolveFreezePoint,
  suffixModel,
  trainImageClassifier,
  writeSyntheticImages,
} from '../../vision/index.js';
import { tempDir, writeTinyModel } from './helpers.js';

let mobilenet: Backbone;

beforeAll(async () => {
  await initEngine();
  mobilenet = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 64 });
});

describe('registry', () => {
  it('has one row per architecture, each with groups ending at the cut', () => {
    const names = ARCHITECTURES.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of ARCHITECTURES) {
      expect(a.groups.length, a.name).toBeGreaterThan(1);
      expect(a.groups[a.groups.length - 1].end, a.name).toBe(a.cut);
      expect(a.normalization.mean).toHaveLength(3);
      if (a.sources.length === 0) expect(a.howToGet, a.name).toMatch(/tensorflowjs_converter/);
    }
    for (const family of ['mobilenet_v1', 'mobilenet_v2', 'mobilenet_v3_small', 'resnet50', 'vgg16', 'inception_v3', 'efficientnet_b0']) {
      expect(getArchitecture(family).name).toBe(family);
    }
  });

  it('tells registry names, URLs and local paths apart', () => {
    expect(classifySource('mobilenet_v2')).toBe('registry');
    expect(classifySource('https://example.org/m/model.json')).toBe('url');
    expect(classifySource('./mobilenet_v2')).toBe('local');
    expect(classifySource('models/mine')).toBe('local');
    expect(classifySource('model.json')).toBe('local');
  });

  it('unknown names and unpublished rows fail with a hint', async () => {
    await expect(Backbone.load('alexnet')).rejects.toMatchObject({ code: 'E_NOT_FOUND', hint: expect.stringMatching(/mobilenet_v2/) });
    await expect(Backbone.load('vgg16')).rejects.toMatchObject({ code: 'E_NOT_FOUND', hint: expect.stringMatching(/tensorflowjs_converter/) });
  });
});

describe('the nsfwjs MobileNetV2 fixture', () => {
  it('loads the real ImageNet body at a smaller input size, without its head', () => {
    expect(mobilenet.name).toBe('mobilenet_v2_nsfwjs');
    expect(mobilenet.featureShape).toEqual([2, 2, 1280]);
    expect(mobilenet.dim).toBe(1280);
    expect(mobilenet.preprocessing.size).toEqual([64, 64]);
    expect(mobilenet.preprocessing.normalization.name).toBe('unit');
    expect(mobilenet.body.layers.some((l) => l.name.startsWith('dense'))).toBe(false);
    expect(mobilenet.body.layers.filter((l) => l.getClassName() !== 'InputLayer').every((l) => l.trainable)).toBe(true);
    expect(mobilenet.groups.map((g) => g.name)).toEqual(['stem', 'block1-2', 'block3-5', 'block6-9', 'block10-12', 'block13-16', 'top']);
    // Real pretrained weights, not an initialiser: BatchNorm moving variances are not all ones.
    const mv = mobilenet.body.getLayer('bn_Conv1').getWeights()[3].dataSync();
    expect(Array.from(mv).some((v) => Math.abs(v - 1) > 0.05)).toBe(true);
  });

  it('encodes different images to different, finite features', async () => {
    const x = tf.tidy(() => tf.concat([tf.zeros([1, 64, 64, 3]), tf.ones([1, 64, 64, 3]).mul(0.8)]) as tf.Tensor4D);
    const f = await mobilenet.features(x);
    x.dispose();
    expect(f).toHaveLength(2 * 1280);
    expect(f.every(Number.isFinite)).toBe(true);
    let diff = 0;
    for (let i = 0; i < 1280; i++) diff += Math.abs(f[i] - f[1280 + i]);
    expect(diff).toBeGreaterThan(1);
  });

  it('rejects input sizes below the architecture minimum', async () => {
    await expect(Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 16 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });
});

describe('graph cuts', () => {
  it('finds clean cuts: block outputs yes, inside a residual block no', () => {
    const cuts = cleanCuts(mobilenet.body);
    expect(cuts).toContain('block_2_add');
    expect(cuts).toContain('block_12_add');
    expect(cuts).not.toContain('block_2_project_BN');
    expect(cuts).not.toContain('block_5_expand');
    expect(() => resolveFreezePoint(mobilenet, 'block_5_expand')).toThrow(/skip connection/);
    expect(resolveFreezePoint(mobilenet, 'block10-12')).toBe('block_12_add');
    expect(() => resolveFreezePoint(mobilenet, 'nope')).toThrow(/neither a layer group/);
    // The cut layer freezes the whole body, like its last group; the input layer would freeze nothing.
    expect(resolveFreezePoint(mobilenet, 'out_relu')).toBe('out_relu');
    expect(resolveFreezePoint(mobilenet, 'top')).toBe('out_relu');
    expect(() => resolveFreezePoint(mobilenet, 'input_1')).toThrow(/is the input layer of mobilenet_v2_nsfwjs: freezing through it freezes nothing/);
  });

  it('prefix then suffix computes what the whole body computes', async () => {
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const whole = mobilenet.body.predict(x) as tf.Tensor;
    const mid = prefixModel(mobilenet.body, 'block_9_add').predict(x) as tf.Tensor;
    const rest = suffixModel(mobilenet.body, 'block_9_add').predict(mid) as tf.Tensor;
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(whole, rest))).dataSync()[0]);
    expect(err).toBeLessThan(1e-4);
    tf.dispose([x, whole, mid, rest]);
  });
});

describe('local and URL sources', () => {
  let server: Server;
  let base: string;
  let modelDir: string;
  const requests: string[] = [];

  beforeAll(async () => {
    modelDir = join(tempDir(), 'tiny');
    await writeTinyModel(modelDir);
    server = createServer(async (req, res) => {
      requests.push(req.url ?? '');
      try {
        const body = await readFile(join(modelDir, (req.url ?? '/').split('/').pop()!));
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('loads a local tfjs layers-model folder of unknown architecture, cut at its last feature map', async () => {
    const b = await Backbone.load(modelDir);
    expect(b.provenance.kind).toBe('local');
    expect(b.architecture.cut).toBe('r2');
    expect(b.featureShape).toEqual([16, 16, 16]);
    expect(b.groups[b.groups.length - 1].end).toBe('r2');
    const b2 = await Backbone.load(join(modelDir, 'model.json'), { imageSize: 48, normalization: 'symmetric' });
    expect(b2.featureShape).toEqual([24, 24, 16]);
    expect(b2.preprocessing.normalization.name).toBe('symmetric');
  });

  it('downloads a model.json URL and its shards once into the cache, then works without the server', async () => {
    const cache = join(tempDir(), 'cache');
    const url = `${base}/models/tiny/model.json`;
    const files = await downloadModel(url, cache);
    expect(files.kind).toBe('url');
    expect(requests.filter((r) => r.endsWith('model.json'))).toHaveLength(1);
    const again = await downloadModel(url, cache);
    expect(requests.filter((r) => r.endsWith('model.json'))).toHaveLength(1);
    expect(again.sha256).toBe(files.sha256);
    const json = await readFile(join(modelDir, 'model.json'));
    await expect(downloadModel(`${base}/other/model.json`, join(tempDir(), 'c2'), { sha256: sha256('something else') })).rejects.toMatchObject({ code: 'E_CHECKSUM' });
    await expect(downloadModel(`${base}/again/model.json`, join(tempDir(), 'c3'), { sha256: sha256(json) })).resolves.toMatchObject({ kind: 'url' });
  });

  it("nsfwjs's packaged model folder (model.min.js, no model.json) given as a path points to its registry name", async () => {
    const folder = join(import.meta.dirname, '../../node_modules/nsfwjs/dist/models/mobilenet_v2');
    await expect(Backbone.load(folder)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      hint: 'this folder holds a model packaged as JS modules (model.min.js, as nsfwjs ships it): use --backbone mobilenet_v2_nsfwjs, which reads it',
    });
    const other = join(tempDir(), 'mobilenet_v2_mid');
    await cp(join(folder, 'model.min.js'), join(other, 'model.min.js'), { recursive: true });
    await expect(Backbone.load(other)).rejects.toMatchObject({ code: 'E_NOT_FOUND', hint: expect.stringMatching(/JS modules .* which transferkit reads only for registry rows/) });
  });

  it('a URL backbone loads through the cache; offline without a cached copy is a clear E_OFFLINE', async () => {
    const previous = settings.cacheDir;
    settings.cacheDir = join(tempDir(), 'cache');
    try {
      const b = await Backbone.load(`${base}/net/model.json`);
      expect(b.provenance.kind).toBe('url');
      settings.offline = true;
      await expect(Backbone.load(`${base}/net/model.json`)).resolves.toBeInstanceOf(Backbone);
      await expect(Backbone.load(`${base}/elsewhere/model.json`)).rejects.toMatchObject({ code: 'E_OFFLINE', hint: expect.stringMatching(/TRANSFERKIT_OFFLINE/) });
      // Placing the files by hand takes the weight shards too, not only model.json.
      await expect(Backbone.load('mobilenet_v1')).rejects.toMatchObject({
        code: 'E_OFFLINE',
        hint: expect.stringMatching(/^unset TRANSFERKIT_OFFLINE, or place model\.json and its weight shards \(the files its weightsManifest lists\) in .*mobilenet_v1.* yourself, or pass a local tfjs layers-model folder$/),
      });
    } finally {
      settings.offline = false;
      settings.cacheDir = previous;
    }
  });

  it('a bundle trained on a backbone of unknown architecture keeps its cut and input recipe; a damaged or non-image bundle is refused', async () => {
    const images = join(tempDir(), 'shapes');
    await writeSyntheticImages(images, { classes: 2, perClass: 4, size: 32, seed: 5 });
    const tiny = await Backbone.load(modelDir, { normalization: 'symmetric' });
    const { classifier } = await trainImageClassifier(images, { backbone: tiny, epochs: 1, batchSize: 4, validationSplit: 0 });
    const dir = join(tempDir(), 'own');
    await classifier.save(dir);
    const reused = await Backbone.load(dir);
    expect(reused.architecture.cut).toBe('r2');
    expect(reused.featureShape).toEqual(tiny.featureShape);
    expect(reused.preprocessing.normalization.name).toBe('symmetric'); // a plain model of unknown architecture would get 'unit'
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 3);
    const [a, b] = [tiny.body.predict(x) as tf.Tensor, reused.body.predict(x) as tf.Tensor];
    expect(Buffer.from((await b.data()).buffer).equals(Buffer.from((await a.data()).buffer))).toBe(true);
    tf.dispose([x, a, b]);
    // Damaged weights: the bundle's checksums catch it.
    const damaged = join(tempDir(), 'damaged');
    await cp(dir, damaged, { recursive: true });
    const w = await readFile(join(damaged, 'weights.bin'));
    w[0] ^= 0xff;
    await writeFile(join(damaged, 'weights.bin'), w);
    await expect(Backbone.load(damaged)).rejects.toMatchObject({ code: 'E_BUNDLE', message: expect.stringMatching(/weights\.bin: checksum/) });
    // A manifest that no longer parses is a damaged bundle, not a plain model (which would lose the recipe).
    const garbled = join(tempDir(), 'garbled');
    await cp(dir, garbled, { recursive: true });
    await writeFile(join(garbled, 'manifest.json'), '{');
    await expect(Backbone.load(garbled)).rejects.toMatchObject({ code: 'E_INVALID_FILE', message: expect.stringMatching(/manifest\.json is not valid JSON/) });
    // A bundle of another kind is not an image model.
    const other = join(tempDir(), 'text-bundle');
    await saveBundle(other, { kind: 'text-classifier', labels: ['a', 'b'] });
    await expect(Backbone.load(other)).rejects.toMatchObject({ code: 'E_INVALID_FILE', message: expect.stringMatching(/'text-classifier' bundle, not an image model/) });
    for (const m of [tiny, reused]) m.dispose();
  });

  it('a missing shard or a missing folder is reported with the file', async () => {
    const dir = join(tempDir(), 'broken');
    await writeTinyModel(dir);
    await rm(join(dir, 'group1-shard1of1.bin'));
    await expect(Backbone.load(dir)).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringMatching(/group1-shard1of1\.bin/) });
    await expect(Backbone.load('./no/such/dir')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
