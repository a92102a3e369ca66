/**
 * An image recipe fingerprints the backbone's model JSON and the weights of its body: a query is
 * refused when either changed since the index's vectors were made (a bundle retrained into the same
 * folder keeps its model.json byte for byte), and accepted while the body is what it was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/backend.js';
import { DataError } from '../../src/errors.js';
import {
  Backbone,
  BackboneChangedError,
  embedQueryImage,
  imageQueryEncoder,
  imageRecipe,
  imageRecipeProblem,
  readImageFolder,
  trainImageClassifier,
  writeSyntheticImages,
  type ImageCollection,
  type ImageEmbeddingRecipe,
} from '../../vision/index.js';
import { tempDir, writeTinyModel } from './helpers.js';

let root: string;
let data: ImageCollection;

beforeAll(async () => {
  await initEngine();
  root = tempDir();
  await writeSyntheticImages(join(root, 'data'), { classes: 2, perClass: 4, size: 32, seed: 3 });
  data = await readImageFolder(join(root, 'data'));
});

async function refusal(recipe: ImageEmbeddingRecipe): Promise<BackboneChangedError> {
  const e = await imageQueryEncoder(recipe).then(
    (b) => {
      b.dispose();
      return undefined;
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(BackboneChangedError);
  return e as BackboneChangedError;
}

/** Byte offset of a float32 weight in the single shard of a tfjs model folder (weights lie in manifest order). */
function offsetOf(dir: string, name: string): number {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
  let offset = 0;
  for (const w of json.weightsManifest[0].weights) {
    if (w.name === name) return offset;
    offset += 4 * w.shape.reduce((a, b) => a * b, 1);
  }
  throw new Error(`no weight ${name}`);
}

/** Add `delta` to the float32 at byte `offset` of a weight shard, in place. */
function nudge(shard: string, offset: number, delta: number): void {
  const bytes = readFileSync(shard);
  bytes.writeFloatLE(bytes.readFloatLE(offset) + delta, offset);
  writeFileSync(shard, bytes);
}

describe('image recipes fingerprint the body weights', () => {
  it('a tfjs model folder: a rewritten weight shard behind the same model.json is refused; a changed weight after the cut is not', async () => {
    const dir = join(root, 'tiny');
    await writeTinyModel(dir);
    const backbone = await Backbone.load(dir);
    const recipe = imageRecipe(backbone);
    expect(recipe.weightsSha256).toBe(backbone.bodySha256);
    expect(recipe.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(imageRecipeProblem(recipe)).toBeUndefined();
    expect(imageRecipeProblem({ ...recipe, weightsSha256: 'abc' })).toBe('weightsSha256 must be 64 hex digits');
    const image = data.items[0].path;
    const before = await backbone.encode([image]);

    // Unchanged: the recipe finds the same backbone.
    const same = await imageQueryEncoder(recipe);
    expect(same.bodySha256).toBe(recipe.weightsSha256);
    expect(Array.from(await embedQueryImage(same, image))).toEqual(Array.from(before));
    same.dispose();

    // Only the classifier's own dense layer (after the cut, not part of the body): the features are the same.
    const shard = join(dir, 'group1-shard1of1.bin');
    const json = readFileSync(join(dir, 'model.json'), 'utf8');
    nudge(shard, offsetOf(dir, 'predictions/bias'), 1);
    const headOnly = await imageQueryEncoder(recipe);
    expect(Array.from(await embedQueryImage(headOnly, image))).toEqual(Array.from(before));
    headOnly.dispose();

    // A body weight behind a byte-identical model.json.
    nudge(shard, offsetOf(dir, 'c1/kernel'), 0.5);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe(json);
    const e = await refusal(recipe);
    expect(e).toBeInstanceOf(DataError);
    expect(e.code).toBe('E_DATA');
    expect(e.what).toBe('weights');
    expect(e.message).toMatch(new RegExp(`backbone .*tiny changed since these image vectors were made: its weights differ \\(sha256 ${recipe.weightsSha256!.slice(0, 12)}… then, [0-9a-f]{12}… now\\)`));
    expect(e.hint).toMatch(/embed the images again .*rebuild the index/);

    // A recipe written before weightsSha256 existed checks the model JSON only (and so still loads).
    const { weightsSha256: _dropped, ...old } = recipe;
    const legacy = await imageQueryEncoder(old);
    expect(legacy.bodySha256).not.toBe(recipe.weightsSha256);
    legacy.dispose();
    backbone.dispose();
  });

  it('a changed model JSON is refused as before, as a BackboneChangedError', async () => {
    const dir = join(root, 'tiny-json');
    await writeTinyModel(dir);
    const backbone = await Backbone.load(dir);
    const recipe = imageRecipe(backbone);
    backbone.dispose();
    const file = join(dir, 'model.json');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n');
    const e = await refusal(recipe);
    expect(e.what).toBe('model JSON');
    expect(e.message).toMatch(/changed since these image vectors were made: its model JSON differs/);
  });

  it('a bundle retrained into the same folder (same model.json) is refused; the untouched bundle is not', async () => {
    const tiny = join(root, 'tiny-source');
    await writeTinyModel(tiny);
    const bundle = join(root, 'bundle');
    const train = async (epochs: number) => {
      const backbone = await Backbone.load(tiny);
      const result = await trainImageClassifier(data, { backbone, strategy: 'fine-tune-all', epochs, batchSize: 4, validationSplit: 0, seed: 1, learningRate: 1e-2 });
      await result.classifier.save(bundle);
      backbone.dispose();
    };
    await train(1);
    const loaded = await Backbone.load(bundle);
    const recipe = imageRecipe(loaded);
    loaded.dispose();
    const modelJson = readFileSync(join(bundle, 'model.json'), 'utf8');

    const again = await imageQueryEncoder(recipe); // the folder as it was: fine
    expect(again.bodySha256).toBe(recipe.weightsSha256);
    again.dispose();

    await train(2);
    expect(readFileSync(join(bundle, 'model.json'), 'utf8')).toBe(modelJson); // what the model-JSON hash alone missed
    const e = await refusal(recipe);
    expect(e.what).toBe('weights');
    expect(e.backbone).toBe(recipe.backbone);
    expect(e.message).toMatch(/its weights differ/);
  });
});
