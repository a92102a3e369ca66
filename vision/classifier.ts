/**
 * A trained image classifier and its bundle format. The bundle holds the whole
 * network (body + pooling + head) and the preprocessing recipe, so prediction
 * needs nothing but the bundle — no registry, cache or network.
 *
 * Bundle (kind 'image-classifier'): manifest.json (labels, preprocessing,
 * encoder = backbone description, training options, metrics, extra.vision),
 * model.json + weights.bin.
 */
import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { saveBundle, loadBundle, type BundleManifest } from '../src/bundle/bundle.js';
import { predictProba } from '../src/training/trainer.js';
import { ImageBatchSource } from './image-source.js';
import { BundleError, DataError, InvalidArgumentError } from '../src/errors.js';
import { classificationReport, type ClassificationReport } from '../src/metrics/classification.js';
import type { Progress } from '../src/progress.js';
import { decodeAll, readImages, requireSomeImage, type ImageCollection, type SkippedFile } from './data.js';
import { inferenceBatchSize, withMemoryGuard } from './memory.js';
import { decodeFailure, decodeImage, decodeImageOrThrow, type ImageInput, type PreprocessSpec, type RgbImage } from './preprocess.js';

export const IMAGE_CLASSIFIER_KIND = 'image-classifier';
export const VISION_BUNDLE_VERSION = 1;

export interface ClassifierInfo {
  encoder?: Record<string, unknown>;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  /** Head spec and pooling, for the record. */
  architecture?: Record<string, unknown>;
}

export interface LabelScore {
  label: string;
  probability: number;
}

export interface Prediction {
  /** The input when it was a path. */
  path?: string;
  /** Highest-probability classes, best first. */
  top: LabelScore[];
}

export interface Evaluation {
  report: ClassificationReport;
  skipped: SkippedFile[];
  /** Classes in the data the model never saw in training, with their image counts: left out of the report. */
  unseenLabels: Array<{ label: string; count: number }>;
  /** Images left out because of `unseenLabels`. */
  excluded: number;
}

function checkTopK(topK: number | undefined): void {
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw new InvalidArgumentError(`topK must be a positive integer, got ${topK}`, { hint: 'the number of labels to give per image, e.g. 3 (more than the model has gives them all)' });
  }
}

function checkBatchSize(batchSize: number | undefined): void {
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new InvalidArgumentError(`batch size must be a positive integer, got ${batchSize}`, { hint: 'leave it out for the default (16 images at 224 px, fewer for larger inputs)' });
  }
}

export class ImageClassifier {
  constructor(
    /** Normalised image [n, h, w, 3] → logits [n, classes]. */
    readonly model: tf.LayersModel,
    readonly labels: string[],
    readonly preprocessing: PreprocessSpec,
    readonly info: ClassifierInfo = {},
  ) {}

  /** Class probabilities for decoded images, row-major n × classes. */
  async probabilitiesOfImages(images: readonly RgbImage[], batchSize = inferenceBatchSize(this.preprocessing.size)): Promise<Float32Array> {
    const [h, w] = this.preprocessing.size;
    const hint = `the model takes ${h}×${w} px inputs${batchSize > 1 ? ` (pass a batch size below ${batchSize}: --batch-size)` : ''}; train one with a smaller --image-size`;
    return withMemoryGuard({ task: 'classifying images', imageSize: this.preprocessing.size, batchSize, hint }, () =>
      predictProba(this.model, new ImageBatchSource(images, this.preprocessing), { batchSize, forward: (model, x) => model.predict(x as tf.Tensor) as tf.Tensor }),
    );
  }

  /** Class probabilities for image files or encoded bytes (a missing file is E_NOT_FOUND, an unreadable image E_DATA naming it). */
  async probabilities(inputs: readonly ImageInput[], batchSize?: number): Promise<Float32Array> {
    const images = await Promise.all(inputs.map((input, i) => decodeImageOrThrow(input, this.preprocessing, `input ${i}`)));
    return this.probabilitiesOfImages(images, batchSize);
  }

  /** Top-k labels of each input; unreadable inputs come back in `skipped`. */
  async predict(inputs: readonly ImageInput[], options: { topK?: number; /** Images per forward pass. Default: by input size (16 at 224 px). */ batchSize?: number } = {}): Promise<{ predictions: Prediction[]; skipped: SkippedFile[] }> {
    checkTopK(options.topK);
    checkBatchSize(options.batchSize);
    const k = Math.min(options.topK ?? 1, this.labels.length);
    const images: RgbImage[] = [];
    const kept: ImageInput[] = [];
    const skipped: SkippedFile[] = [];
    for (const input of inputs) {
      if (typeof input === 'string' && (await stat(input).catch(() => null))?.isDirectory()) {
        skipped.push({ path: input, reason: 'is a folder; pass image files (e.g. DIR/*.jpg)' });
        continue;
      }
      try {
        images.push(await decodeImage(input, this.preprocessing));
        kept.push(input);
      } catch (e) {
        skipped.push({ path: typeof input === 'string' ? input : '<bytes>', reason: decodeFailure(e) });
      }
    }
    const probs = await this.probabilitiesOfImages(images, options.batchSize);
    const c = this.labels.length;
    const predictions = kept.map((input, i) => {
      const row = Array.from(probs.subarray(i * c, (i + 1) * c), (p, j) => ({ label: this.labels[j], probability: p }));
      row.sort((a, b) => b.probability - a.probability);
      return { ...(typeof input === 'string' ? { path: input } : {}), top: row.slice(0, k) };
    });
    return { predictions, skipped };
  }

  /**
   * Accuracy, per-class scores and confusion on a labelled collection (folder or CSV path, or a read collection).
   * Classes the model does not know are left out and reported (as `text evaluate` does); it throws if nothing is left.
   */
  async evaluate(data: string | ImageCollection, options: { progress?: Progress; topK?: number; /** Images per forward pass. Default: by input size. */ batchSize?: number } = {}): Promise<Evaluation> {
    // Before any image is read (classificationReport would refuse a bad topK only after every prediction).
    checkTopK(options.topK);
    checkBatchSize(options.batchSize);
    const collection = typeof data === 'string' ? await readImages(data, { labels: this.labels, minClasses: 1, unknownLabels: 'exclude' }) : data;
    const unseenLabels = collection.unseenLabels ?? [];
    const excluded = unseenLabels.reduce((n, u) => n + u.count, 0);
    if (collection.items.length === 0) {
      throw new DataError(
        `none of the images in ${collection.source} has a label the model knows (${this.labels.join(', ')})${unseenLabels.length ? `; found ${unseenLabels.map((u) => `${u.label} (${u.count})`).join(', ')}` : ''}`,
        { hint: 'class folder names (or CSV labels) must match the labels the model was trained on' },
      );
    }
    const decoded = await decodeAll(collection, this.preprocessing, { progress: options.progress, requireEveryClass: false });
    requireSomeImage(collection, decoded, 'nothing to evaluate');
    const probs = await this.probabilitiesOfImages(decoded.images, options.batchSize);
    return { report: classificationReport(decoded.y, probs, this.labels, { topK: options.topK }), skipped: decoded.skipped, unseenLabels, excluded };
  }

  /** Write the bundle atomically. */
  async save(dir: string): Promise<BundleManifest> {
    return saveBundle(
      dir,
      {
        kind: IMAGE_CLASSIFIER_KIND,
        labels: this.labels,
        preprocessing: this.preprocessing as unknown as Record<string, unknown>,
        encoder: this.info.encoder ?? null,
        training: this.info.training,
        metrics: this.info.metrics,
        extra: { vision: { version: VISION_BUNDLE_VERSION, ...(this.info.architecture ?? {}) } },
      },
      { model: this.model },
    );
  }

  static async load(dir: string): Promise<ImageClassifier> {
    const bundle = await loadBundle(dir, { kind: IMAGE_CLASSIFIER_KIND });
    const m = bundle.manifest;
    const vision = (m.extra.vision ?? {}) as { version?: number };
    if ((vision.version ?? 0) > VISION_BUNDLE_VERSION) {
      throw new BundleError(`${dir}: image-classifier format ${vision.version} is newer than this transferkit supports`, { hint: 'upgrade transferkit' });
    }
    if (!bundle.model) throw new BundleError(`${dir}: the bundle has no model`, { hint: 'train again with transferkit vision train' });
    const p = m.preprocessing as unknown as PreprocessSpec;
    if (!Array.isArray(p.size) || !p.normalization) throw new BundleError(`${dir}: manifest has no image preprocessing`);
    return new ImageClassifier(bundle.model, m.labels, p, {
      encoder: (m.encoder ?? undefined) as Record<string, unknown> | undefined,
      training: m.training,
      metrics: m.metrics,
      architecture: vision as Record<string, unknown>,
    });
  }
}
