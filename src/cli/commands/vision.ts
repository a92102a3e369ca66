/**
 * `transferkit vision …`: train image classifiers from pretrained ImageNet CNNs,
 * evaluate and predict with the bundles, embed images for the index, list the
 * backbone registry (see docs/vision.md).
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { SkippedFile, StrategyName } from '../../../vision/index.js';
import { checkBundleOutput } from '../../bundle/owner.js';
import { checkOutputFile, isInside, refuseInputAsOutput } from '../../io/output.js';
import { reportableTopK } from '../top-k.js';
import { DataError, InvalidArgumentError, NotFoundError } from '../../errors.js';
import { formatReport } from '../../metrics/classification.js';
import { ProgressBarCallback } from '../../training/callbacks/progress-bar.js';
import type { Callback } from '../../training/trainer.js';
import { STRATEGY_CHOICES } from '../choices.js';
import type { CliContext } from '../context.js';
import { choiceOption, floatOption, intOption, MAX_SEED } from '../parse.js';
import { addScheduleOptions, scheduleFromOptions, type ScheduleOpts } from '../schedule.js';

/** The vision module, loaded when a vision command runs (not at CLI start-up). */
const visionLib = () => import('../../../vision/index.js');

interface TrainOpts extends ScheduleOpts {
  data: string;
  backbone: string;
  strategy: StrategyName;
  out: string;
  epochs: number;
  batchSize: number;
  lr?: number;
  freezeUntil?: string;
  freezeEpochs: number;
  lrMult: number;
  imageSize?: number;
  augment?: boolean;
  head: string;
  pooling: 'avg' | 'flatten';
  validationSplit: number;
  seed: number;
  balanced?: boolean;
  checkpoint?: string;
  checkpointMonitor?: 'val_loss' | 'val_acc' | 'loss' | 'acc';
  json?: boolean;
}

function reportSkipped(ctx: CliContext, skipped: SkippedFile[]): void {
  if (skipped.length === 0) return;
  ctx.note(`skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'}:`);
  for (const s of skipped.slice(0, 20)) ctx.note(`  ${s.path}: ${s.reason}`);
  if (skipped.length > 20) ctx.note(`  … and ${skipped.length - 20} more (--json lists all)`);
}

/** The error for `vision predict` when some named images could not be classified (see docs/vision.md). */
function skippedImagesError(skipped: SkippedFile[], given: number, predicted: number): Error {
  const what = `${skipped.length} of ${given} image${given === 1 ? '' : 's'} could not be classified${predicted > 0 ? ` (the other ${predicted} are predicted above)` : ''}`;
  const listed = skipped.slice(0, 5).map((s) => `${s.path}: ${s.reason}`).join('; ') + (skipped.length > 5 ? '; …' : '');
  const message = `${what}: ${listed}`;
  if (skipped.some((s) => s.reason === 'file not found')) return new NotFoundError(message, { hint: 'check the image paths (relative paths are from the current folder)' });
  if (skipped.some((s) => s.reason.startsWith('is a folder'))) return new InvalidArgumentError(message, { hint: "pass image files, e.g. 'DIR/*.jpg'; to classify a labelled folder use 'vision evaluate'" });
  return new DataError(message, { hint: 'the files are not images sharp can decode (JPEG, PNG, WebP, GIF, TIFF, AVIF)' });
}

/** The flags of the library's strategy-only options (`STRATEGY_ONLY_OPTIONS`), for messages. */
const STRATEGY_OPTION_FLAGS = { freezeUntil: '--freeze-until', freezeEpochs: '--freeze-epochs', lrMult: '--lr-mult' } as const;

/**
 * The strategy-only options given on the command line (defaults are not "given"): what the library
 * checks, so a flag the strategy would ignore is refused — named as a flag — before any image is read.
 */
function givenStrategyOptions(opts: TrainOpts, cmd: Command): { freezeUntil?: string; freezeEpochs?: number; lrMult?: number } {
  const given = (key: keyof typeof STRATEGY_OPTION_FLAGS) => (cmd.getOptionValueSource(key) === 'cli' ? opts[key] : undefined);
  return { freezeUntil: given('freezeUntil') as string | undefined, freezeEpochs: given('freezeEpochs') as number | undefined, lrMult: given('lrMult') as number | undefined };
}

/** The path with symbolic links resolved in its longest existing part (the rest appended as given). */
async function canonicalPath(path: string): Promise<string> {
  let head = resolve(path);
  const rest: string[] = [];
  for (;;) {
    const real = await realpath(head).catch(() => undefined);
    if (real !== undefined) return join(real, ...rest.reverse());
    const parent = dirname(head);
    if (parent === head) return resolve(path);
    rest.push(basename(head));
    head = parent;
  }
}

/**
 * --checkpoint is a bundle folder of its own: not --out or a folder inside it (or holding it) — the final
 * save would replace the best model, or refuse the folder after training — and not in an input folder.
 */
async function checkCheckpointPath(checkpoint: string, opts: TrainOpts, kind: string): Promise<void> {
  const [ck, out] = await Promise.all([canonicalPath(checkpoint), canonicalPath(opts.out)]);
  if (ck === out || isInside(ck, out) || isInside(out, ck)) {
    const why = ck === out ? `is --out: the final bundle would replace the best model` : `and --out ${opts.out} are nested: a bundle folder holds only its own files`;
    throw new InvalidArgumentError(`--checkpoint ${checkpoint} ${why}`, { hint: 'give --checkpoint a folder of its own, e.g. next to --out' });
  }
  await checkBundleOutput(checkpoint, kind);
  await refuseInputAsOutput({ flag: '--checkpoint', path: checkpoint, kind: 'folder', data: { flag: '--data', readExtensions: [] } }, { '--data': opts.data, '--backbone': localPath(opts.backbone) });
}

/**
 * fine-tune runs two fits; name each in the plain-text progress before its first epoch
 * (the progress bar numbers epochs within a phase).
 */
function phaseHeaders(ctx: CliContext, opts: TrainOpts): Callback[] {
  if (opts.strategy !== 'fine-tune') return [];
  const names = [
    `phase 1/2: head warm-up, body frozen (${opts.freezeEpochs} epoch${opts.freezeEpochs === 1 ? '' : 's'})`,
    `phase 2/2: fine-tune, all layers with discriminative rates (${opts.epochs} epoch${opts.epochs === 1 ? '' : 's'}, --lr-mult ${opts.lrMult})`,
  ];
  let phase = 0;
  return [{ onEvent: (event) => void (event.type === 'fitBegin' && names[phase] !== undefined && ctx.note(names[phase++])) }];
}

/** A --backbone value that is a local path (anything with a separator, starting with '.', or ending in .json), else undefined. */
function localPath(backbone: string): string | undefined {
  if (/^https?:\/\//i.test(backbone)) return undefined;
  return /[\\/]/.test(backbone) || backbone.startsWith('.') || backbone.endsWith('.json') ? backbone : undefined;
}

export function registerVision(program: Command, ctx: CliContext): void {
  const vision = program.command('vision').description('image classifiers from pretrained ImageNet CNNs');

  const train = vision
    .command('train')
    .description('train an image classifier from a folder per class (or a path,label CSV)')
    .requiredOption('--data <dir>', 'DIR/<label>/<image> folders, or a CSV manifest with path,label columns')
    .option('--backbone <name|url|path>', 'registry name, model.json URL, tfjs layers-model folder, or a bundle from vision train (a source model of your own)', 'mobilenet_v2_nsfwjs')
    .option('--strategy <name>', `one of ${STRATEGY_CHOICES.join(', ')}`, choiceOption('--strategy', STRATEGY_CHOICES), 'feature-extract')
    .requiredOption('--out <dir>', 'bundle folder to write')
    .option('--epochs <n>', 'training epochs (fine-tune: after the warm-up)', intOption('--epochs'), 10)
    .option('--batch-size <n>', 'images per training step and per feature pass (lower it to fit large --image-size)', intOption('--batch-size'), 32)
    .option('--lr <x>', 'base learning rate (default: per strategy)', floatOption('--lr', 0, Infinity, { exclusiveMin: true }))
    .option('--freeze-until <group|layer>', "fine-tune-top: last frozen layer group or layer (default: all groups but the last; 'vision backbones' lists them)")
    .option('--freeze-epochs <n>', 'fine-tune: head warm-up epochs', intOption('--freeze-epochs'), 1)
    .option('--lr-mult <x>', 'fine-tune: head rate ÷ first group rate', floatOption('--lr-mult', 1), 100)
    .option('--image-size <px>', 'input size, at most 2048 (default: the backbone\'s)', intOption('--image-size', 16))
    .option('--augment', 'random resized crops, flips, brightness/contrast')
    .option('--head <spec>', "'linear' or 'mlp[:sizes]'", 'linear')
    .option('--pooling <kind>', "'avg' or 'flatten'", choiceOption('--pooling', ['avg', 'flatten'] as const), 'avg')
    .option('--validation-split <f>', 'stratified hold-out fraction', floatOption('--validation-split', 0, 0.9), 0.2)
    .option('--seed <n>', 'seed for split, shuffling, augmentation, head init', intOption('--seed', 0, MAX_SEED), 0)
    .option('--balanced', 'weight classes inversely to their frequency')
    .option('--checkpoint <dir>', 'also keep the best model so far (lowest validation loss; training loss without validation) as a bundle in this folder, rewritten on each improvement')
    .option('--checkpoint-monitor <name>', 'what --checkpoint watches: val_loss, val_acc, loss or acc (default val_loss; without validation the training value)', choiceOption('--checkpoint-monitor', ['val_loss', 'val_acc', 'loss', 'acc'] as const));
  addScheduleOptions(train, { defaultText: 'constant; --strategy fine-tune: one-cycle, in both phases — a --schedule given replaces it in both' })
    .option('--json', 'print the result as JSON')
    .action(async (opts: TrainOpts, cmd: Command) => {
      const { Backbone, IMAGE_CLASSIFIER_KIND, checkTrainOptions, freezesWholeBody, getStrategy, ignoredStrategyOption, readImages, resolveFreezePoint, trainImageClassifier } = await visionLib();
      const strategyOptions = givenStrategyOptions(opts, cmd);
      const ignored = ignoredStrategyOption({ strategy: opts.strategy, ...strategyOptions });
      if (ignored) {
        const flag = STRATEGY_OPTION_FLAGS[ignored.option];
        throw new InvalidArgumentError(`${flag} applies only to --strategy ${ignored.strategy}, not ${opts.strategy}`, { hint: `drop ${flag}, or pass --strategy ${ignored.strategy}` });
      }
      // Every strategy trains with the core trainer, so every one takes a schedule; without one, the strategy's own runs
      // (fine-tune's is one-cycle, which --cycle-momentum alone then applies to).
      const schedule = scheduleFromOptions(opts, getStrategy(opts.strategy).defaultSchedule.type);
      // The options as the library takes them: fine-tune's two get their CLI defaults only with fine-tune.
      const trainOptions = {
        strategy: opts.strategy,
        epochs: opts.epochs,
        batchSize: opts.batchSize,
        learningRate: opts.lr,
        freezeUntil: strategyOptions.freezeUntil,
        ...(opts.strategy === 'fine-tune' ? { freezeEpochs: opts.freezeEpochs, lrMult: opts.lrMult } : {}),
        augment: Boolean(opts.augment),
        head: opts.head,
        pooling: opts.pooling,
        validationSplit: opts.validationSplit,
        seed: opts.seed,
        classWeights: opts.balanced ? ('balanced' as const) : undefined,
        ...(schedule ? { schedule } : {}),
        ...(opts.checkpoint !== undefined ? { checkpoint: { dir: opts.checkpoint, ...(opts.checkpointMonitor ? { monitor: opts.checkpointMonitor } : {}) } } : {}),
      };
      // --head (and the rest) before any image is read or the backbone loaded.
      checkTrainOptions(trainOptions);
      // Refuse a bad --out before reading images or training, not after.
      await checkBundleOutput(opts.out, IMAGE_CLASSIFIER_KIND);
      await refuseInputAsOutput({ flag: '--out', path: opts.out, kind: 'folder', data: { flag: '--data', readExtensions: [] } }, { '--data': opts.data, '--backbone': localPath(opts.backbone) });
      if (opts.checkpointMonitor !== undefined && opts.checkpoint === undefined) {
        throw new InvalidArgumentError('--checkpoint-monitor is the value --checkpoint watches, but no --checkpoint was given', { hint: 'add --checkpoint DIR, or leave --checkpoint-monitor out' });
      }
      if (opts.checkpoint !== undefined) await checkCheckpointPath(opts.checkpoint, opts, IMAGE_CLASSIFIER_KIND);
      const engine = await ctx.engine();
      const progress = ctx.progress(opts.json);
      const collection = await readImages(opts.data);
      const backbone = await Backbone.load(opts.backbone, { imageSize: opts.imageSize, progress });
      if (!opts.json) {
        const from = backbone.provenance.fromBundle ? `${backbone.provenance.kind}: the body of your bundle ${backbone.provenance.source}` : backbone.provenance.kind;
        ctx.note(`backbone ${backbone.name} (${from}), input ${backbone.preprocessing.size.join('×')}, ${backbone.preprocessing.normalization.name} normalisation; engine ${engine.backend}`);
        // Counted before decoding: files that turn out unreadable are reported (and left out) after training.
        ctx.note(`${collection.items.length} image files found in ${collection.labels.length} classes: ${collection.labels.join(', ')}`);
      }
      if (opts.strategy === 'fine-tune-top' && opts.freezeUntil !== undefined && freezesWholeBody(backbone, resolveFreezePoint(backbone, opts.freezeUntil))) {
        // Said in every output mode (stderr): the run is not what the strategy's name suggests.
        ctx.note(`note: --freeze-until ${opts.freezeUntil} freezes the whole body: only the head trains (feature extraction, as --strategy feature-extract)`);
      }
      const callbacks: Callback[] = opts.json || ctx.globals.quiet ? [] : [...phaseHeaders(ctx, opts), new ProgressBarCallback(ctx.io.err, ctx.io.interactive)];
      const result = await trainImageClassifier(collection, {
        ...trainOptions,
        backbone,
        callbacks,
        progress,
        handleInterrupt: true,
      });
      await result.classifier.save(opts.out);
      if (result.stopReason === 'interrupted') {
        // As text train: in every output mode, on stderr; the exit code stays 0 (the bundle was written).
        const n = result.epochsRun;
        ctx.note(`warning: training was interrupted (Ctrl-C) after ${n} epoch${n === 1 ? '' : 's'} (the last may be partial): the bundle holds the weights trained so far${result.checkpoint ? ` (the best epoch, ${result.checkpoint.epoch + 1}, is in ${opts.checkpoint})` : ''}; train again for a finished model`);
      }
      if (opts.json) {
        ctx.printJson({
          bundle: opts.out,
          ...(opts.checkpoint !== undefined ? { checkpoint: result.checkpoint ?? null } : {}),
          strategy: opts.strategy,
          backbone: backbone.describe(),
          engine: engine.backend,
          labels: result.classifier.labels,
          counts: result.counts,
          validation: result.validation,
          epochs: opts.epochs,
          ...(opts.strategy === 'fine-tune' ? { freezeEpochs: opts.freezeEpochs, lrMult: opts.lrMult } : {}),
          // The schedule that ran: the one given, else the strategy's (as the manifest's training record has it).
          schedule: result.schedule,
          epochsRun: result.epochsRun,
          ...(result.stopReason ? { stopReason: result.stopReason, ...(result.stopReason === 'interrupted' ? { interrupted: true } : {}) } : {}),
          history: result.history,
          timings: result.timings,
          emulatedKernels: result.trainingSupport?.emulatedKernels ?? [],
          skipped: result.skipped,
        });
        return;
      }
      reportSkipped(ctx, result.skipped);
      if (result.trainingSupport?.emulatedKernels.length) {
        ctx.note(`note: ${result.trainingSupport.backend} lacks ${result.trainingSupport.emulatedKernels.join(', ')}; emulated in JS (slower than a native backend)`);
      }
      ctx.print(`trained ${opts.strategy} on ${result.counts.train} images (validation ${result.counts.validation}); features ${result.timings.extractSeconds.toFixed(1)} s, training ${result.timings.trainSeconds.toFixed(1)} s`);
      if (result.validation) ctx.print(formatReport(result.validation));
      ctx.note(`saved ${opts.out}`);
      if (opts.checkpoint !== undefined) {
        const c = result.checkpoint;
        ctx.note(
          c
            ? `checkpoint ${opts.checkpoint}: epoch ${c.epoch + 1}${c.phase ? ` (phase ${c.phase}, its epoch ${(c.phaseEpoch ?? 0) + 1})` : ''}, ${c.monitor} ${c.value.toFixed(4)}`
            : `note: no checkpoint was written to ${opts.checkpoint}: no epoch ran to the end with a monitored value that is a number`,
        );
      }
    });

  vision
    .command('evaluate')
    .description('evaluate a trained bundle on a labelled folder or CSV')
    .argument('<bundle>', 'bundle folder written by vision train')
    .requiredOption('--data <dir>', 'labelled images (same layout as for training)')
    .option('--top-k <k>', 'also report top-k accuracy', intOption('--top-k'))
    .option('--batch-size <n>', 'images per forward pass (default: 16 at 224 px, fewer for larger inputs; lower it if memory runs out)', intOption('--batch-size'))
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: { data: string; topK?: number; batchSize?: number; json?: boolean }) => {
      const { ImageClassifier } = await visionLib();
      await ctx.engine();
      const classifier = await ImageClassifier.load(dir);
      const topK = reportableTopK(opts.topK, classifier.labels.length, 'image', (line) => ctx.note(line));
      const { report, skipped, unseenLabels, excluded } = await classifier.evaluate(opts.data, { progress: ctx.progress(opts.json), topK, batchSize: opts.batchSize });
      if (opts.json) {
        ctx.printJson({ ...report, skipped, unseenLabels, excluded });
        return;
      }
      reportSkipped(ctx, skipped);
      ctx.print(formatReport(report));
      if (unseenLabels.length) {
        ctx.print(
          `note: ${excluded} image(s) have labels the model never saw in training, left out of the metrics: ${unseenLabels.map((u) => `${u.label} (${u.count})`).join(', ')}`,
        );
      }
    });

  vision
    .command('predict')
    .description('classify images with a trained bundle')
    .argument('<bundle>', 'bundle folder written by vision train')
    .argument('<images...>', 'image files')
    .option('--top-k <k>', 'labels per image', intOption('--top-k'), 1)
    .option('--batch-size <n>', 'images per forward pass (default: 16 at 224 px, fewer for larger inputs; lower it if memory runs out)', intOption('--batch-size'))
    .option('--json', 'print predictions as JSON')
    .action(async (dir: string, images: string[], opts: { topK: number; batchSize?: number; json?: boolean }) => {
      const { ImageClassifier } = await visionLib();
      await ctx.engine();
      const classifier = await ImageClassifier.load(dir);
      const { predictions, skipped } = await classifier.predict(images, { topK: opts.topK, batchSize: opts.batchSize });
      if (opts.json) {
        ctx.printJson({ predictions, skipped });
      } else {
        reportSkipped(ctx, skipped);
        for (const p of predictions) {
          ctx.print(`${p.path}\t${p.top.map((t) => `${t.label} ${(100 * t.probability).toFixed(1)}%`).join('\t')}`);
        }
      }
      // The images that could be read are predicted (and printed above); any that could not make the exit non-zero.
      if (skipped.length > 0) throw skippedImagesError(skipped, images.length, predictions.length);
    });

  vision
    .command('embed')
    .description('write backbone features (global average pooled) of images as JSONL for the index')
    .option('--backbone <name|url|path>', 'registry name, model.json URL, tfjs layers-model folder, or a bundle from vision train (a source model of your own)', 'mobilenet_v2_nsfwjs')
    .requiredOption('--data <dir>', 'a folder of images (optionally in a folder per label), or a CSV manifest with a path column (label optional)')
    .requiredOption('--out <file>', 'JSONL output ({"key","vector","label","path"} per line)')
    .option('--image-size <px>', "input size, at most 2048 (default: the backbone's)", intOption('--image-size', 16))
    .option('--batch-size <n>', 'images per forward pass', intOption('--batch-size'), 16)
    .option('--json', 'print a summary as JSON')
    .action(async (opts: { backbone: string; data: string; out: string; imageSize?: number; batchSize: number; json?: boolean }) => {
      await checkOutputFile(opts.out);
      const { Backbone, embedImages, readImages, IMAGE_EXTENSIONS } = await visionLib();
      await refuseInputAsOutput({ flag: '--out', path: opts.out, kind: 'file', data: { flag: '--data', readExtensions: IMAGE_EXTENSIONS } }, { '--data': opts.data, '--backbone': localPath(opts.backbone) });
      await ctx.engine();
      const progress = ctx.progress(opts.json);
      const collection = await readImages(opts.data, { minClasses: 1, unlabelled: true });
      const backbone = await Backbone.load(opts.backbone, { imageSize: opts.imageSize, progress });
      const result = await embedImages(backbone, collection, opts.out, { batchSize: opts.batchSize, progress });
      // The recipe sidecar lets index build / index query --image embed a query image the same way.
      const { writeRecipeFile, recipeFileFor } = await import('../../../embeddings/index.js');
      await writeRecipeFile(opts.out, result.recipe);
      if (opts.json) {
        ctx.printJson({ out: opts.out, backbone: backbone.describe(), ...result, recipeFile: recipeFileFor(opts.out) });
        return;
      }
      reportSkipped(ctx, result.skipped);
      ctx.note(`wrote ${result.count} embeddings of dimension ${result.dim} to ${opts.out} (${result.seconds.toFixed(1)} s)`);
      ctx.note(`recipe for queries: ${recipeFileFor(opts.out)} (index build saves it; then index query --image)`);
    });

  vision
    .command('backbones')
    .description('list the backbone registry')
    .option('--json', 'print the registry as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { listArchitectures } = await visionLib();
      const rows = listArchitectures();
      if (opts.json) {
        ctx.printJson(rows);
        return;
      }
      const w = Math.max(...rows.map((r) => r.name.length));
      ctx.print(`${'name'.padEnd(w)}  input    normalise  features  cut                     source`);
      for (const r of rows) {
        const src = r.sources[0] ? r.sources[0].url : 'not published (see --json howToGet)';
        ctx.print(
          `${r.name.padEnd(w)}  ${r.inputSize.join('×').padEnd(7)}  ${r.normalization.name.padEnd(9)}  ${String(r.featureDim).padStart(8)}  ${r.cut.padEnd(22)}  ${src}`,
        );
      }
      ctx.print('');
      ctx.print('layer groups (for --freeze-until):');
      for (const r of rows) ctx.print(`  ${r.name}: ${r.groups.map((g) => g.name).join(', ')}`);
    });
}
