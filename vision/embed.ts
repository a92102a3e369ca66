/**
 * Image embeddings for the nearest-neighbour index: one JSON object per line,
 * `{"key": <path relative to the data root>, "vector": [...], "label": ..., "path": ...}`
 * (the format `transferkit index build` reads). Written atomically.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { DataError } from '../src/errors.js';
import { streamFileAtomic, writeChunk } from '../src/io/atomic.js';
import { silentProgress, type Progress } from '../src/progress.js';
import { Backbone } from './backbone.js';
import { decodeAll, type ImageCollection, type SkippedFile } from './data.js';
import { withMemoryGuard } from './memory.js';
import { toBatch } from './preprocess.js';

export interface EmbedOptions {
  /** Default 16. */
  batchSize?: number;
  progress?: Progress;
  /** Digits kept per component. Default 6 significant. */
  precision?: number;
}

export interface EmbedResult {
  count: number;
  dim: number;
  skipped: SkippedFile[];
  seconds: number;
  /** How to embed a query image into the same space (`imageQueryEncoder`; saved with an index by `index build`). */
  recipe: ImageEmbeddingRecipe;
}

/** The backbone and input size that made a set of image vectors, enough to embed a query image the same way. */
export interface ImageEmbeddingRecipe {
  kind: 'image-backbone';
  /** A registry name, a model.json URL, or an absolute local path (tfjs model folder or vision bundle). */
  backbone: string;
  imageSize: [number, number];
  dim: number;
  /** sha256 of the backbone's model JSON: a query with a different model file is refused (weight shards are not hashed). */
  sha256?: string;
}

export function isImageRecipe(value: unknown): value is ImageEmbeddingRecipe {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return r.kind === 'image-backbone' && typeof r.backbone === 'string' && Array.isArray(r.imageSize) && r.imageSize.length === 2 && r.imageSize.every((x) => Number.isInteger(x) && (x as number) > 0);
}

/** The recipe of a loaded backbone (a local source is made absolute, so the recipe works from any folder). */
export function imageRecipe(backbone: Backbone): ImageEmbeddingRecipe {
  const source = backbone.provenance.source;
  const local = !/^https?:\/\//i.test(source) && existsSync(source);
  return {
    kind: 'image-backbone',
    backbone: local ? resolve(source) : source,
    imageSize: [...backbone.preprocessing.size] as [number, number],
    dim: backbone.dim,
    ...(backbone.provenance.sha256 ? { sha256: backbone.provenance.sha256 } : {}),
  };
}

/** Load the backbone a recipe names, as it was (same input size); refuses a model file that changed since. */
export async function imageQueryEncoder(recipe: ImageEmbeddingRecipe, options: { progress?: Progress } = {}): Promise<Backbone> {
  const backbone = await Backbone.load(recipe.backbone, { imageSize: recipe.imageSize, progress: options.progress });
  const now = backbone.provenance.sha256;
  if (recipe.sha256 && now && now !== recipe.sha256) {
    backbone.dispose();
    throw new DataError(`backbone ${recipe.backbone} changed since these image vectors were made (model JSON sha256 ${recipe.sha256.slice(0, 12)}… then, ${now.slice(0, 12)}… now)`, {
      hint: 'embed the images again with the current backbone and rebuild the index',
    });
  }
  return backbone;
}

/** Encode every readable image of a collection with the backbone (global-average-pooled) and write JSONL. */
export async function embedImages(backbone: Backbone, collection: ImageCollection, out: string, options: EmbedOptions = {}): Promise<EmbedResult> {
  const started = performance.now();
  const progress = options.progress ?? silentProgress;
  const decoded = await decodeAll(collection, backbone.preprocessing, { progress, requireEveryClass: false });
  const batchSize = options.batchSize ?? 16;
  const precision = options.precision ?? 6;
  const dim = backbone.dim;
  const root = collection.source.toLowerCase().endsWith('.csv') ? '.' : collection.source;
  const memory = { task: 'embedding images', imageSize: backbone.preprocessing.size, batchSize };
  await withMemoryGuard(memory, () => streamFileAtomic(out, async (stream) => {
    progress.start('embed', decoded.images.length);
    try {
      for (let start = 0; start < decoded.images.length; start += batchSize) {
        const x = toBatch(decoded.images.slice(start, start + batchSize), backbone.preprocessing);
        const features = await backbone.features(x);
        x.dispose();
        let text = '';
        for (let i = 0; i < features.length / dim; i++) {
          const item = decoded.items[start + i];
          const vector = Array.from(features.subarray(i * dim, (i + 1) * dim), (v) => Number(v.toPrecision(precision)));
          text += JSON.stringify({ key: relative(root, item.path) || item.path, vector, label: collection.labels[item.label], path: item.path }) + '\n';
        }
        await writeChunk(stream, text);
        progress.update(Math.min(decoded.images.length, start + batchSize));
      }
    } finally {
      progress.stop();
    }
  }));
  return { count: decoded.images.length, dim, skipped: decoded.skipped, seconds: (performance.now() - started) / 1000, recipe: imageRecipe(backbone) };
}
