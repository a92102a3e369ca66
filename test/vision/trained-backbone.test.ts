/**
 * A backbone whose body was trained in place (fine-tuning shares its layers) no longer is what its
 * source names: it has no embedding recipe, and embedImages refuses it before writing anything. The
 * route that works: save the classifier and load the bundle as the backbone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/backend.js';
import { TransferkitError } from '../../src/errors.js';
import {
  Backbone,
  buildClassifierModel,
  embedImages,
  embedQueryImage,
  imageQueryEncoder,
  imageRecipe,
  ImageClassifier,
  readImageFolder,
  setBatchNormPolicy,
  trainImageClassifier,
  writeSyntheticImages,
  type ImageCollection,
} from '../../vision/index.js';
import { tempDir, writeTinyModel } from './helpers.js';

let root: string;
let data: ImageCollection;

beforeAll(async () => {
  await initEngine();
  root = tempDir();
  await writeSyntheticImages(join(root, 'data'), { classes: 2, perClass: 4, size: 32, seed: 7 });
  data = await readImageFolder(join(root, 'data'));
});

describe('a backbone trained in place', () => {
  it('feature extraction leaves the body untouched: the recipe names the source and embedding works', async () => {
    const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    await trainImageClassifier(data, { backbone, strategy: 'feature-extract', epochs: 1, batchSize: 4, validationSplit: 0 });
    expect(backbone.bodyTrained).toBe(false);
    const r = await embedImages(backbone, data, join(root, 'fe.jsonl'));
    expect(r.recipe).toMatchObject({ kind: 'image-backbone', backbone: 'mobilenet_v2_nsfwjs', imageSize: [32, 32] });
  });

  it('after fine-tune-all has no recipe: imageRecipe and embedImages refuse it (nothing written); its bundle is the backbone to embed with', async () => {
    const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 32 });
    const result = await trainImageClassifier(data, { backbone, strategy: 'fine-tune-all', epochs: 1, batchSize: 8, validationSplit: 0 });
    expect(backbone.bodyTrained).toBe(true);
    const refused = (() => {
      try {
        imageRecipe(backbone);
      } catch (e) {
        return e as TransferkitError;
      }
    })();
    expect(refused).toBeInstanceOf(TransferkitError);
    expect(refused!.code).toBe('E_INVALID_ARGUMENT');
    expect(refused!.message).toMatch(/backbone mobilenet_v2_nsfwjs was trained in place .*into another vector space/);
    expect(refused!.hint).toMatch(/result\.classifier\.save\(dir\).*Backbone\.load\(dir\)/);
    const out = join(root, 'ft.jsonl');
    await expect(embedImages(backbone, data, out)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect(existsSync(out)).toBe(false);

    // The route: the saved bundle's body is the trained one, and a recipe naming the bundle finds it again.
    const bundle = join(root, 'model');
    await result.classifier.save(bundle);
    const trained = await Backbone.load(bundle);
    expect(trained.bodyTrained).toBe(false);
    const r = await embedImages(trained, data, out);
    expect(r.recipe.backbone).toBe(resolve(bundle));
    const image = data.items[0].path;
    const inPlace = await backbone.encode([image]);
    const query = await embedQueryImage(await imageQueryEncoder(r.recipe), image);
    expect(Array.from(query)).toEqual(Array.from(inPlace));
    const line = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]) as { path: string; vector: number[] };
    expect(line.path).toBe(image);
    line.vector.forEach((v, i) => expect(v).toBeCloseTo(query[i], 4));
  });
});

/** What imageRecipe throws (undefined when it gives a recipe). */
function recipeRefusal(backbone: Backbone): TransferkitError | undefined {
  try {
    imageRecipe(backbone);
  } catch (e) {
    return e as TransferkitError;
  }
}

describe('a body trained outside the learner (model.fit on buildClassifierModel)', () => {
  let tiny: string;
  beforeAll(async () => {
    tiny = join(root, 'tiny');
    await writeTinyModel(tiny); // conv → BatchNorm → relu → conv → relu: a body with BatchNorm statistics
  });

  /** Build the classifier on a fresh backbone, let `prepare` freeze what it wants, and fit it with tfjs's own model.fit. */
  async function fitOutside(prepare: (backbone: Backbone, model: tf.LayersModel) => void): Promise<{ backbone: Backbone; model: tf.LayersModel; loadedSha256: string }> {
    const backbone = await Backbone.load(tiny);
    const loadedSha256 = backbone.bodySha256;
    const model = buildClassifierModel(backbone, { numClasses: 2 });
    prepare(backbone, model);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) }); // the head gives logits
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    tf.dispose([x, y]);
    return { backbone, model, loadedSha256 };
  }

  it('with body layers trainable: bodyTrained, and imageRecipe / embedImages refuse it, saying why; its saved bundle embeds', async () => {
    const { backbone, model, loadedSha256 } = await fitOutside(() => {});
    expect(backbone.bodyTrained).toBe(true);
    expect(backbone.bodySha256).toBe(loadedSha256); // the fingerprint of the weights as loaded, not of the trained ones
    const refused = recipeRefusal(backbone);
    expect(refused?.code).toBe('E_INVALID_ARGUMENT');
    expect(refused!.message).toMatch(/was trained in place \(\d+ of its 8 body weights differ from those loaded \(c1\/kernel, .*\): the body was trained outside ImageLearner/);
    expect(refused!.message).toMatch(/into another vector space/);
    const out = join(root, 'outside.jsonl');
    await expect(embedImages(backbone, data, out)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect(existsSync(out)).toBe(false);

    // The route the hint gives: save it as a bundle, load that as the backbone.
    const bundle = join(root, 'outside-model');
    await new ImageClassifier(model, ['a', 'b'], backbone.preprocessing, { encoder: backbone.describe() }).save(bundle);
    const trained = await Backbone.load(bundle);
    expect(trained.bodyTrained).toBe(false);
    expect(trained.bodySha256).not.toBe(loadedSha256);
    const r = await embedImages(trained, data, out);
    expect(r.recipe).toMatchObject({ backbone: resolve(bundle), weightsSha256: trained.bodySha256 });
    trained.dispose();
    model.dispose();
  });

  it('with the body frozen and BatchNorm on its moving statistics: the body is untouched and embeds', async () => {
    const { backbone, model, loadedSha256 } = await fitOutside((b) => {
      for (const layer of b.body.layers) layer.trainable = false;
      setBatchNormPolicy(b.body, { trainBatchNorm: false });
    });
    expect(backbone.bodyTrained).toBe(false);
    const r = await embedImages(backbone, data, join(root, 'frozen.jsonl'));
    expect(r.recipe).toMatchObject({ backbone: resolve(tiny), weightsSha256: loadedSha256 });
    model.dispose();
  });

  it('with the body frozen but BatchNorm in training mode: its moving statistics changed, and the refusal says how to keep them', async () => {
    const { backbone, model } = await fitOutside((b) => {
      for (const layer of b.body.layers) layer.trainable = false;
    });
    expect(backbone.bodyTrained).toBe(true);
    const refused = recipeRefusal(backbone);
    expect(refused?.code).toBe('E_INVALID_ARGUMENT');
    expect(refused!.message).toMatch(/only BatchNorm moving statistics changed \(2 of its 8 body weights: bn1\/moving_mean, bn1\/moving_variance\).*setBatchNormPolicy\(backbone\.body, \{ trainBatchNorm: false \}\)/);
    model.dispose();
  });

  it('bodyTrained and bodyChange() still answer after dispose() (they threw "LayersVariable … is already disposed"), never read before or not', async () => {
    // Trained, never asked before dispose: dispose settles the answer while the weights are there.
    const trained = await fitOutside(() => {});
    trained.backbone.dispose(); // (the classifier model shares the body's layers: disposing it too would dispose them twice)
    expect(trained.backbone.bodyTrained).toBe(true);
    expect(trained.backbone.bodyChange()).toMatch(/of its 8 body weights differ from those loaded/);
    // Untouched: false after dispose, as before.
    const fresh = await Backbone.load(tiny);
    fresh.dispose();
    expect(fresh.bodyTrained).toBe(false);
    expect(fresh.bodyChange()).toBeUndefined();
    // Marked by the learner, or asked before dispose: the same answer.
    const marked = await Backbone.load(tiny);
    marked.markBodyTrained();
    marked.dispose();
    expect(marked.bodyTrained).toBe(true);
    const asked = await Backbone.load(tiny);
    expect(asked.bodyTrained).toBe(false);
    asked.dispose();
    expect(asked.bodyTrained).toBe(false);
    // Weights gone before any answer (body disposed behind the backbone's back): a typed error, not tfjs's.
    const orphan = await Backbone.load(tiny);
    orphan.body.dispose();
    const gone = (() => {
      try {
        return orphan.bodyTrained;
      } catch (e) {
        return e;
      }
    })();
    expect(gone).toBeInstanceOf(TransferkitError);
    expect(gone).toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/cannot tell whether the backbone's body was trained: its weights were disposed/) });
  });
});
