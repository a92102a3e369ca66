/**
 * A backbone whose body was trained in place (fine-tuning shares its layers) no longer is what its
 * source names: it has no embedding recipe, and embedImages refuses it before writing anything. The
 * route that works: save the classifier and load the bundle as the backbone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initEngine } from '../../src/engine/backend.js';
import { TransferkitError } from '../../src/errors.js';
import {
  Backbone,
  embedImages,
  embedQueryImage,
  imageQueryEncoder,
  imageRecipe,
  readImageFolder,
  trainImageClassifier,
  writeSyntheticImages,
  type ImageCollection,
} from '../../vision/index.js';
import { tempDir } from './helpers.js';

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
