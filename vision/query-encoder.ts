/**
 * Embedding recipes for images: the backbone and input size that made a set of image vectors
 * (`vision embed`), recorded so that a query image can later be embedded into the same space
 * (`transferkit index query --image`).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DataError, InvalidArgumentError, NotFoundError, TransferkitError } from '../src/errors.js';
import type { Progress } from '../src/progress.js';
import { Backbone } from './backbone.js';
import { decodeFailure, DECODABLE_FORMATS } from './preprocess.js';

/** The backbone and input size that made a set of image vectors, enough to embed a query image the same way. */
export interface ImageEmbeddingRecipe {
  kind: 'image-backbone';
  /** A registry name, a model.json URL, or an absolute local path (tfjs model folder or vision bundle). */
  backbone: string;
  imageSize: [number, number];
  dim: number;
  /** sha256 of the backbone's model JSON: a query with a different model file is refused. */
  sha256?: string;
  /**
   * sha256 of the body's weights as loaded (`Backbone.bodySha256`): a query whose backbone has other
   * weights behind the same model JSON (a bundle retrained into the same folder, a rewritten shard)
   * is refused. Recipes written before it existed have only `sha256` and are checked on that alone.
   */
  weightsSha256?: string;
}

/**
 * The backbone a recipe names is no longer the one that made the index's vectors (its model JSON
 * or its weights changed since, e.g. a bundle retrained into the same folder). Code E_DATA.
 */
export class BackboneChangedError extends DataError {
  constructor(
    readonly backbone: string,
    readonly what: 'model JSON' | 'weights',
    readonly then: string,
    readonly now: string,
  ) {
    super(`backbone ${backbone} changed since these image vectors were made: its ${what} ${what === 'weights' ? 'differ' : 'differs'} (sha256 ${then.slice(0, 12)}… then, ${now.slice(0, 12)}… now), so a query would be embedded into another vector space than the index's`, {
      hint: `embed the images again with the current backbone (transferkit vision embed --backbone ${backbone} …) and rebuild the index from that JSONL (transferkit index build); or put back the backbone the index was built with`,
    });
    this.name = 'BackboneChangedError';
  }
}

/** What is wrong with a value as an image recipe (undefined: it is a usable one). */
export function imageRecipeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  if (r.kind !== 'image-backbone') return `kind '${String(r.kind)}' is not an image recipe`;
  if (typeof r.backbone !== 'string' || !r.backbone) return 'backbone must name a registry backbone, a URL or a path';
  if (!Array.isArray(r.imageSize) || r.imageSize.length !== 2 || !r.imageSize.every((x) => Number.isInteger(x) && (x as number) > 0)) return 'imageSize must be [height, width] in pixels';
  if (!Number.isInteger(r.dim) || (r.dim as number) < 1) return 'dim must be a whole number ≥ 1';
  if (r.sha256 !== undefined && (typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256))) return 'sha256 must be 64 hex digits';
  if (r.weightsSha256 !== undefined && (typeof r.weightsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.weightsSha256))) return 'weightsSha256 must be 64 hex digits';
  return undefined;
}

export function isImageRecipe(value: unknown): value is ImageEmbeddingRecipe {
  return imageRecipeProblem(value) === undefined;
}

/**
 * The recipe of a loaded backbone (a local source is made absolute, so the recipe works from any folder).
 * A backbone whose body was trained in place (`bodyTrained`) is refused: its source names other weights.
 */
export function imageRecipe(backbone: Backbone): ImageEmbeddingRecipe {
  const change = backbone.bodyChange();
  if (change !== undefined) {
    throw new InvalidArgumentError(
      `backbone ${backbone.name} was trained in place (${change}), so its source ${backbone.provenance.source} no longer describes it: a recipe naming it would embed query images with the untrained weights, into another vector space`,
      {
        hint: "save the classifier (result.classifier.save(dir), or new ImageClassifier(model, labels, backbone.preprocessing, { encoder: backbone.describe() }).save(dir) for a model of your own) and embed with Backbone.load(dir), the trained body its bundle holds — or with a freshly loaded Backbone for the pretrained features",
      },
    );
  }
  const source = backbone.provenance.source;
  // As the backbone was resolved: a registry name stays a name even if a folder of that name is here.
  const local = backbone.provenance.kind === 'local';
  return {
    kind: 'image-backbone',
    backbone: local ? resolve(source) : source,
    imageSize: [...backbone.preprocessing.size] as [number, number],
    dim: backbone.dim,
    ...(backbone.provenance.sha256 ? { sha256: backbone.provenance.sha256 } : {}),
    weightsSha256: backbone.bodySha256,
  };
}

/**
 * Load the backbone a recipe names, as it was (same input size); refuses one whose model JSON or
 * body weights changed since (`BackboneChangedError`; a recipe without `weightsSha256`, written
 * before it was recorded, checks the model JSON only). Failures say they come from the recipe.
 */
export async function imageQueryEncoder(recipe: ImageEmbeddingRecipe, options: { progress?: Progress } = {}): Promise<Backbone> {
  const problem = imageRecipeProblem(recipe);
  if (problem) throw new InvalidArgumentError(`not a usable image embedding recipe: ${problem}`, { hint: 'rebuild the index from the JSONL that vision embed wrote, or give index build --recipe FILE' });
  let backbone: Backbone;
  try {
    backbone = await Backbone.load(recipe.backbone, { imageSize: recipe.imageSize, progress: options.progress });
  } catch (e) {
    throw new TransferkitError((e as TransferkitError).code ?? 'E_DATA', `the index's recipe names backbone ${recipe.backbone}, which cannot be loaded: ${(e as Error).message}`, {
      hint: 'the backbone must still be where it was when the images were embedded; otherwise embed them again and rebuild the index',
      cause: e,
    });
  }
  const now = backbone.provenance.sha256;
  if (recipe.sha256 && now && now !== recipe.sha256) {
    backbone.dispose();
    throw new BackboneChangedError(recipe.backbone, 'model JSON', recipe.sha256, now);
  }
  if (recipe.weightsSha256 && backbone.bodySha256 !== recipe.weightsSha256) {
    backbone.dispose();
    throw new BackboneChangedError(recipe.backbone, 'weights', recipe.weightsSha256, backbone.bodySha256);
  }
  if (backbone.dim !== recipe.dim) {
    backbone.dispose();
    throw new DataError(`backbone ${recipe.backbone} now gives ${backbone.dim}-d features; the recipe says ${recipe.dim}`, { hint: 'embed the images again and rebuild the index' });
  }
  return backbone;
}

/** Embed one query image with a recipe's backbone; a missing or unreadable file is a typed error. */
export async function embedQueryImage(backbone: Backbone, file: string): Promise<Float32Array> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new NotFoundError(`image ${file} does not exist`, { file, hint: 'check the path (relative paths are from the current folder)' });
  if (!info.isFile()) throw new InvalidArgumentError(`${file} is a folder, not an image`, { file, hint: 'give one image file' });
  try {
    return await backbone.encode([file]);
  } catch (e) {
    if (e instanceof DataError) throw e; // already names the file
    throw new DataError(`${file}: ${decodeFailure(e)}`, { file, hint: `give an image sharp can decode (${DECODABLE_FORMATS})`, cause: e });
  }
}
