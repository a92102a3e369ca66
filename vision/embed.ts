/**
 * Image embeddings for the nearest-neighbour index: one JSON object per line,
 * `{"key": <path relative to the data root>, "vector": [...], "label": ..., "path": ...}`
 * (the format `transferkit index build` reads). Written atomically.
 */
import { dirname, relative, resolve } from 'node:path';
import { streamFileAtomic, writeChunk } from '../src/io/atomic.js';
import { checkOutputFile, refuseInputAsOutput } from '../src/io/output.js';
import { silentProgress, type Progress } from '../src/progress.js';
import type { Backbone } from './backbone.js';
import { decodeAll, IMAGE_EXTENSIONS, requireSomeImage, type ImageCollection, type SkippedFile } from './data.js';
import { withMemoryGuard } from './memory.js';
import { toBatch } from './preprocess.js';
import { imageRecipe, type ImageEmbeddingRecipe } from './query-encoder.js';

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

/** Encode every readable image of a collection with the backbone (global-average-pooled) and write JSONL. */
export async function embedImages(backbone: Backbone, collection: ImageCollection, out: string, options: EmbedOptions = {}): Promise<EmbedResult> {
  const started = performance.now();
  // First: a backbone trained in place has no recipe (its source names other weights); refused before any work.
  const recipe = imageRecipe(backbone);
  // Never a folder, and never where the data reader would take the file for an image (or over the backbone's files).
  await checkOutputFile(out);
  await refuseInputAsOutput(
    { flag: 'output', path: out, kind: 'file', data: { flag: 'data', readExtensions: IMAGE_EXTENSIONS } },
    { data: collection.source, backbone: backbone.provenance.kind === 'local' ? backbone.provenance.source : undefined },
  );
  const progress = options.progress ?? silentProgress;
  const decoded = await decodeAll(collection, backbone.preprocessing, { progress, requireEveryClass: false });
  // Before anything is written: no empty JSONL (and so no recipe) for a folder of unreadable files.
  requireSomeImage(collection, decoded, 'nothing to embed');
  const batchSize = options.batchSize ?? 16;
  const precision = options.precision ?? 6;
  const dim = backbone.dim;
  // Keys are paths relative to the data: the folder, or the CSV's own folder (whatever the working directory).
  const root = collection.source.toLowerCase().endsWith('.csv') ? dirname(resolve(collection.source)) : collection.source;
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
          const label = collection.labels[item.label];
          text += JSON.stringify({ key: relative(root, item.path) || item.path, vector, ...(label ? { label } : {}), path: item.path }) + '\n';
        }
        await writeChunk(stream, text);
        progress.update(Math.min(decoded.images.length, start + batchSize));
      }
    } finally {
      progress.stop();
    }
  }));
  return { count: decoded.images.length, dim, skipped: decoded.skipped, seconds: (performance.now() - started) / 1000, recipe };
}
