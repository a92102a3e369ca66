/**
 * A small, offline end-to-end run for `transferkit demo`: synthetic images of
 * three classes, the nsfwjs MobileNetV2 body at 64 px, feature extraction,
 * a saved bundle, predictions reloaded from it. Takes a few seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../src/engine/backend.js';
import { Backbone } from './backbone.js';
import { ImageClassifier } from './classifier.js';
import { writeSyntheticImages } from './synthetic.js';
import { trainImageClassifier } from './train.js';

export interface VisionDemoOptions {
  /** Where to write images and the bundle. Default: a temporary folder, removed afterwards. */
  workDir?: string;
  /** Lines of narration. Default: none. */
  write?: (line: string) => void;
  /** Default 10. */
  perClass?: number;
  /** Default 10. */
  epochs?: number;
}

export interface VisionDemoResult {
  backbone: string;
  imageSize: number;
  images: number;
  validationAccuracy: number | undefined;
  /** Bundle predictions on the first image of each class. */
  predictions: { file: string; expected: string; predicted: string; probability: number }[];
  seconds: { extract: number; train: number; total: number };
  bundleDir?: string;
}

export async function runVisionDemo(options: VisionDemoOptions = {}): Promise<VisionDemoResult> {
  const started = performance.now();
  const say = options.write ?? (() => {});
  await initEngine();
  const work = options.workDir ?? (await mkdtemp(join(tmpdir(), 'transferkit-vision-demo-')));
  try {
    const { labels, files } = await writeSyntheticImages(join(work, 'images'), { classes: 3, perClass: options.perClass ?? 10, size: 64 });
    say(`wrote ${files.length} synthetic images of ${labels.join(', ')}`);
    const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: 64 });
    say(`backbone ${backbone.name}: ${backbone.body.layers.length} layers, features ${backbone.featureShape.join('×')} at 64 px`);
    const result = await trainImageClassifier(join(work, 'images'), { backbone, strategy: 'feature-extract', epochs: options.epochs ?? 10, batchSize: 8 });
    const acc = result.validation?.accuracy;
    say(`feature-extract: validation accuracy ${acc === undefined ? 'n/a' : (100 * acc).toFixed(1) + '%'} (features ${result.timings.extractSeconds.toFixed(1)} s, head ${result.timings.trainSeconds.toFixed(1)} s)`);
    const bundleDir = join(work, 'classifier');
    await result.classifier.save(bundleDir);
    const loaded = await ImageClassifier.load(bundleDir);
    const firsts = labels.map((l) => files.find((f) => f.includes(`${l}/`) || f.includes(`${l}\\`))!);
    const { predictions } = await loaded.predict(firsts);
    const rows = predictions.map((p, i) => ({ file: firsts[i], expected: labels[i], predicted: p.top[0].label, probability: p.top[0].probability }));
    for (const r of rows) say(`  ${r.expected.padEnd(8)} → ${r.predicted} (${(100 * r.probability).toFixed(0)}%)`);
    return {
      backbone: backbone.name,
      imageSize: 64,
      images: files.length,
      validationAccuracy: acc,
      predictions: rows,
      seconds: { extract: result.timings.extractSeconds, train: result.timings.trainSeconds, total: (performance.now() - started) / 1000 },
      bundleDir: options.workDir ? bundleDir : undefined,
    };
  } finally {
    if (!options.workDir) await rm(work, { recursive: true, force: true });
  }
}
