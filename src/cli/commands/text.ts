/**
 * `transferkit text …`: train, evaluate and use text classifiers built on
 * pretrained word vectors (see docs/text.md).
 */
import type { Command } from 'commander';
import type { DatasetFormat, ModelSpec, RepresentationName, TextEvaluation, TrainingSummary } from '../../../text/classify/index.js';
import type { SentencePooling } from '../../../text/sentence/index.js';
import { formatReport } from '../../metrics/classification.js';
import { InvalidArgumentError } from '../../errors.js';
import { checkBundleOutput } from '../../bundle/owner.js';
import { checkOutputFile, refuseInputAsOutput } from '../../io/output.js';
import { reportableTopK } from '../top-k.js';
import { ProgressBarCallback } from '../../training/callbacks/progress-bar.js';
import { DATASET_FORMAT_CHOICES, DEFAULT_TEXT_VECTORS, REPRESENTATION_CHOICES, SENTENCE_POOLING_CHOICES, TEXT_CLI_LIMITS } from '../choices.js';
import type { CliContext } from '../context.js';
import { loadVectorsNoting } from '../load-vectors.js';
import { choiceOption, floatOption, intOption, MAX_SEED } from '../parse.js';
import { addScheduleOptions, scheduleFromOptions, type ScheduleOpts } from '../schedule.js';

const { maxBlockWeight: MAX_BLOCK_WEIGHT, useLiteMaxChunks: USE_LITE_MAX_CHUNKS, useLiteMaxTokens: USE_LITE_PIECES } = TEXT_CLI_LIMITS;

/** Whether --encoder names use-lite (the sentence module is loaded only when a command runs). */
async function isUseLite(model: string): Promise<boolean> {
  const { isUseLiteModel } = await import('../../../text/sentence/sentence-encoder.js');
  return isUseLiteModel(model);
}

/** The text-classification module, loaded when a text command runs (not at CLI start-up). */
const textClassify = () => import('../../../text/classify/index.js');
type TextClassify = Awaited<ReturnType<typeof textClassify>>;

/** --model values: the linear kinds, one per representation (vectors + head), the embedding networks, and a sentence encoder + head. */
export const MODEL_CHOICES = ['bow', 'hybrid', 'smoothed', ...REPRESENTATION_CHOICES, 'embedding-pool', 'embedding-cnn', 'sentence'] as const;
type ModelChoice = (typeof MODEL_CHOICES)[number];

interface DataOpts {
  format?: DatasetFormat;
  textColumn?: string;
  labelColumn?: string;
}

interface TrainOpts extends DataOpts, ScheduleOpts {
  train: string;
  valid?: string;
  test?: string;
  vectors: string;
  out: string;
  model: ModelChoice;
  head?: string;
  representation: RepresentationName;
  finetune?: boolean;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  c?: number;
  neighbours?: number;
  minSimilarity?: number;
  maxLength?: number;
  extraWords?: number;
  maxTokens?: number;
  encoderMaxTokens?: number;
  encoder?: string;
  encoderWeight?: number;
  encoderChunks?: number;
  pooling?: SentencePooling;
  quantized?: boolean;
  prefix?: string;
  seed: number;
  json?: boolean;
}

/**
 * The sentence encoder's tokens: --encoder-max-tokens, and for --model sentence also --max-tokens
 * (0 = the model's default; checkEncoderMaxTokens refuses both at once). For --model hybrid and
 * smoothed --max-tokens caps the TF-IDF tokenizer instead, as without --encoder (`tokenizerOptions`).
 */
function encoderMaxTokens(o: TrainOpts): { flag: string; value: number } | undefined {
  if (o.encoderMaxTokens !== undefined) return { flag: '--encoder-max-tokens', value: o.encoderMaxTokens };
  return o.model === 'sentence' && o.maxTokens ? { flag: '--max-tokens', value: o.maxTokens } : undefined;
}

/** The sentence encoder's options from --encoder, --pooling, --encoder-max-tokens (see `encoderMaxTokens`), --quantized, --prefix, --encoder-chunks. */
function encoderSpec(o: TrainOpts) {
  const maxTokens = encoderMaxTokens(o)?.value;
  return {
    model: o.encoder!,
    ...(o.pooling ? { pooling: o.pooling } : {}),
    ...(maxTokens ? { maxTokens } : {}),
    ...(o.quantized !== undefined ? { quantized: o.quantized } : {}),
    ...(o.prefix ? { prefix: o.prefix } : {}),
    ...(o.encoderChunks !== undefined ? { chunks: o.encoderChunks } : {}),
  };
}

/**
 * The classifier's tokenizer options: --max-tokens caps it for every kind but sentence (whose encoder
 * it is; the sentence kind reads no words), with or without --encoder; --max-tokens 0 = all tokens.
 */
function tokenizerOptions(o: TrainOpts) {
  return o.maxTokens === undefined || o.model === 'sentence' ? undefined : { maxTokens: o.maxTokens };
}

/**
 * The sentence encoder's tokens (`encoderMaxTokens`), checked before any data is read (the library would
 * refuse them only once the encoder loads, after the data): use-lite 1 to 128 pieces, a transformers.js
 * model 2 or more (its own limit, known once it loads, is checked then). --encoder-max-tokens needs
 * --encoder; with --model sentence it and --max-tokens are one setting: both at once are refused.
 */
async function checkEncoderMaxTokens(o: TrainOpts): Promise<void> {
  if (o.encoderMaxTokens !== undefined && o.model === 'sentence' && o.maxTokens !== undefined) {
    throw new InvalidArgumentError('--max-tokens and --encoder-max-tokens both set the encoder\'s tokens of --model sentence: give one', {
      hint: `keep --encoder-max-tokens ${o.encoderMaxTokens} (or --max-tokens ${o.maxTokens}) and drop the other`,
    });
  }
  const given = encoderMaxTokens(o);
  if (given === undefined || o.encoder === undefined) return;
  const { flag, value } = given;
  if (await isUseLite(o.encoder)) {
    if (value > USE_LITE_PIECES) {
      throw new InvalidArgumentError(`${flag} ${value} is more than the ${USE_LITE_PIECES} pieces use-lite reads: its graph ignores every piece after the ${USE_LITE_PIECES}th`, {
        hint: `give ${flag} 1 to ${USE_LITE_PIECES} (default ${USE_LITE_PIECES}), or drop it; to read longer texts, --encoder-chunks N reads up to N windows of them${o.model === 'sentence' ? '' : `; --max-tokens caps the TF-IDF tokenizer of --model ${o.model}`}`,
      });
    }
  } else if (value < 2) {
    throw new InvalidArgumentError(`${flag} ${value} leaves no room for a transformers.js model's special tokens: give 2 or more`, {
      hint: `give ${flag} 2 or more, up to the model's limit (default: its sentence-transformers max_seq_length, else its limit, at most 512), or drop it`,
    });
  }
}

/** --encoder-chunks with a transformers.js --encoder is refused before any data is read (the library would refuse it once loading). `tokensFlag` names the encoder's tokens. */
async function refuseChunksWithTransformers(o: { encoder?: string; encoderChunks?: number }, tokensFlag: string): Promise<void> {
  if (o.encoderChunks === undefined || o.encoder === undefined || (await isUseLite(o.encoder))) return;
  throw new InvalidArgumentError(`--encoder-chunks applies to use-lite (the Universal Sentence Encoder lite), not to the transformers.js model ${o.encoder}`, {
    hint: `drop --encoder-chunks: a transformers.js model reads the first ${tokensFlag} tokens of a text`,
  });
}

async function modelSpec(o: TrainOpts): Promise<ModelSpec> {
  const { parseHeadSpec } = await import('../../heads/head.js');
  const head = o.head ? parseHeadSpec(o.head) : undefined;
  switch (o.model) {
    case 'bow':
      return { kind: 'bow', c: o.c };
    case 'hybrid':
      // --encoder replaces the word-vector representation (checkKindOptions refuses --representation with it).
      return o.encoder
        ? { kind: 'hybrid', sentence: encoderSpec(o), c: o.c, ...(o.encoderWeight === undefined ? {} : { vectorWeight: o.encoderWeight }) }
        : { kind: 'hybrid', representation: o.representation, c: o.c };
    case 'smoothed':
      return {
        kind: 'smoothed',
        c: o.c,
        expansion:
          o.neighbours === undefined && o.minSimilarity === undefined
            ? undefined
            : { ...(o.neighbours === undefined ? {} : { neighbours: o.neighbours }), ...(o.minSimilarity === undefined ? {} : { minSimilarity: o.minSimilarity }) },
        ...(o.encoder ? { sentence: encoderSpec(o) } : {}),
        ...(o.encoderWeight === undefined ? {} : { sentenceWeight: o.encoderWeight }),
      };
    case 'embedding-pool':
    case 'embedding-cnn':
      return { kind: 'embedding', architecture: o.model === 'embedding-cnn' ? 'cnn' : 'pool', finetune: o.finetune ?? false, head, maxLength: o.maxLength };
    case 'sentence':
      if (!o.encoder) throw new InvalidArgumentError('--model sentence needs --encoder', { hint: 'give a transformers.js model folder or a hub id such as Xenova/all-MiniLM-L6-v2' });
      return { kind: 'sentence', encoder: encoderSpec(o), head };
    default:
      return { kind: 'vectors', representation: o.model, head };
  }
}

type KindGroup = 'bow' | 'hybrid' | 'smoothed' | 'vectors' | 'embedding' | 'sentence';

function kindGroup(model: ModelChoice): KindGroup {
  if (model === 'bow' || model === 'hybrid' || model === 'smoothed' || model === 'sentence') return model;
  return model === 'embedding-pool' || model === 'embedding-cnn' ? 'embedding' : 'vectors';
}

const NEURAL: readonly KindGroup[] = ['vectors', 'embedding', 'sentence'];
/** Kinds that read no word vectors. */
const NO_VECTORS: readonly KindGroup[] = ['bow', 'sentence'];
/** Kinds that take a sentence encoder: the 'sentence' kind's own, or a linear kind's sentence block. */
const WITH_ENCODER: readonly KindGroup[] = ['sentence', 'hybrid', 'smoothed'];
const ENCODER_MODELS = '--model sentence, and --model hybrid|smoothed with --encoder';
/** Whether the model reads no word vectors: bow, sentence, and hybrid whose representation is the sentence encoder. */
const readsNoVectors = (kind: KindGroup, o: TrainOpts) => NO_VECTORS.includes(kind) || (kind === 'hybrid' && o.encoder !== undefined);

/** Who takes a learning-rate schedule: the kinds the core trainer trains (the linear ones have no learning rate). */
const LEARNING_RATE_MODELS = 'the neural models, which the core trainer trains with a learning rate (bow, hybrid and smoothed are fitted by L-BFGS and have none)';

/**
 * Training options and the model kinds that read them. Given with another kind they would be
 * silently ignored: a hyperparameter the model does not have is refused (as scikit-learn or
 * Keras refuse an unknown argument); --vectors/--extra-words with 'bow' only load nothing, so
 * they get a note.
 */
const KIND_OPTIONS: { flag: string; key: keyof TrainOpts; kinds: readonly KindGroup[]; what: string; harmless?: boolean }[] = [
  { flag: '--head', key: 'head', kinds: NEURAL, what: 'the vector, embedding and sentence models (--model ' + [...REPRESENTATION_CHOICES, 'embedding-pool', 'embedding-cnn', 'sentence'].join('|') + ')' },
  { flag: '--encoder', key: 'encoder', kinds: WITH_ENCODER, what: '--model sentence (its encoder) and --model hybrid|smoothed (a sentence block)' },
  { flag: '--pooling', key: 'pooling', kinds: WITH_ENCODER, what: ENCODER_MODELS },
  { flag: '--quantized', key: 'quantized', kinds: WITH_ENCODER, what: ENCODER_MODELS },
  { flag: '--prefix', key: 'prefix', kinds: WITH_ENCODER, what: ENCODER_MODELS },
  { flag: '--encoder-chunks', key: 'encoderChunks', kinds: WITH_ENCODER, what: '--model sentence|hybrid|smoothed with --encoder use-lite' },
  { flag: '--encoder-max-tokens', key: 'encoderMaxTokens', kinds: WITH_ENCODER, what: ENCODER_MODELS },
  { flag: '--encoder-weight', key: 'encoderWeight', kinds: ['hybrid', 'smoothed'], what: '--model hybrid|smoothed with --encoder (the scale of the sentence block)' },
  { flag: '--epochs', key: 'epochs', kinds: NEURAL, what: 'the neural models' },
  { flag: '--batch-size', key: 'batchSize', kinds: NEURAL, what: 'the neural models' },
  { flag: '--lr', key: 'lr', kinds: NEURAL, what: 'the neural models' },
  { flag: '--schedule', key: 'schedule', kinds: NEURAL, what: LEARNING_RATE_MODELS },
  { flag: '--cycle-momentum', key: 'cycleMomentum', kinds: NEURAL, what: LEARNING_RATE_MODELS },
  { flag: '--finetune', key: 'finetune', kinds: ['embedding'], what: 'the embedding models (--model embedding-pool|embedding-cnn)' },
  { flag: '--max-length', key: 'maxLength', kinds: ['embedding'], what: 'the embedding models (--model embedding-pool|embedding-cnn)' },
  { flag: '--c', key: 'c', kinds: ['bow', 'hybrid', 'smoothed'], what: 'the linear models (--model bow|hybrid|smoothed)' },
  { flag: '--representation', key: 'representation', kinds: ['hybrid'], what: '--model hybrid (the vector models take the representation as --model)' },
  { flag: '--neighbours', key: 'neighbours', kinds: ['smoothed'], what: '--model smoothed' },
  { flag: '--min-similarity', key: 'minSimilarity', kinds: ['smoothed'], what: '--model smoothed' },
  { flag: '--vectors', key: 'vectors', kinds: ['hybrid', 'smoothed', 'vectors', 'embedding'], what: 'models with word vectors', harmless: true },
  { flag: '--extra-words', key: 'extraWords', kinds: ['hybrid', 'vectors', 'embedding'], what: 'models that store word vectors (not bow or smoothed)', harmless: true },
];

function checkKindOptions(ctx: CliContext, o: TrainOpts, cmd: Command): void {
  const kind = kindGroup(o.model);
  for (const opt of KIND_OPTIONS) {
    if (cmd.getOptionValueSource(opt.key) !== 'cli') continue;
    // A vectors option with a model that reads none (hybrid with --encoder among them) only loads nothing.
    if (opt.harmless && readsNoVectors(kind, o)) {
      ctx.note(`note: --model ${o.model}${kind === 'hybrid' ? ' with --encoder' : ''} uses no word vectors; ${opt.flag} ignored`);
      continue;
    }
    if (opt.kinds.includes(kind)) continue;
    const flag = opt.key === 'quantized' ? encoderFlag('quantized', o) : opt.flag;
    throw new InvalidArgumentError(`${flag} does not apply to --model ${o.model}; it is used only by ${opt.what}`, {
      hint: `drop ${flag}, or choose a --model that uses it`,
    });
  }
  // Refused here, before any data is read (modelSpec would refuse it only after).
  if (kind === 'sentence' && o.encoder === undefined) {
    throw new InvalidArgumentError('--model sentence needs --encoder', { hint: 'give a transformers.js model folder or a hub id such as Xenova/all-MiniLM-L6-v2, or use-lite' });
  }
  if (kind === 'hybrid' || kind === 'smoothed') {
    if (o.encoder === undefined) {
      // The encoder's own options without an encoder would be silently ignored.
      const encoderOnly = (['pooling', 'quantized', 'prefix', 'encoderChunks', 'encoderMaxTokens', 'encoderWeight'] as const).filter((k) => o[k] !== undefined);
      if (encoderOnly.length) {
        const first = encoderOnly[0]!;
        const flag = first === 'encoderWeight' ? '--encoder-weight' : first === 'encoderMaxTokens' ? '--encoder-max-tokens' : encoderFlag(first, o);
        throw new InvalidArgumentError(`${flag} applies to a sentence encoder, and --model ${o.model} was given none`, { hint: 'add --encoder <model folder, hub id or use-lite>, or drop it' });
      }
    } else if (kind === 'hybrid' && cmd.getOptionValueSource('representation') === 'cli') {
      throw new InvalidArgumentError('--encoder replaces the word-vector representation of --model hybrid: drop --representation', {
        hint: 'hybrid takes one document representation: word vectors (--representation) or a sentence encoder (--encoder)',
      });
    }
  }
}

/** Dataset options; data warnings (skipped empty texts, multi-label lines) go to stderr, with --json too (stdout stays pure JSON). */
function dataOptions(ctx: CliContext, o: DataOpts) {
  return {
    format: o.format,
    textColumn: o.textColumn,
    labelColumn: o.labelColumn,
    onWarning: (w: string) => ctx.note(`warning: ${w}`),
  };
}

/** What is wrong with a trained model though training succeeded: printed to stderr in every output mode. */
function trainingWarnings(o: TrainOpts, s: TrainingSummary): string[] {
  const linear = s.model.kind === 'hybrid' || s.model.kind === 'smoothed';
  const warnings: string[] = [];
  if (s.interrupted) {
    const n = s.epochs ?? 0;
    warnings.push(`warning: training was interrupted (Ctrl-C) after ${n} epoch${n === 1 ? '' : 's'} (the last may be partial): the bundle holds the weights trained so far; train again for a finished model`);
  }
  const noKnownWord = s.oov !== undefined && s.oov.tokens > 0 && s.oov.oovTokens === s.oov.tokens;
  if (noKnownWord) {
    warnings.push(
      `warning: none of the ${s.oov!.tokens} training tokens has a vector in ${o.vectors}: the word vectors add nothing to this model (check --vectors: language and case of the vectors, and --text-column)`,
    );
  }
  if (s.sentenceEncoder && s.emptyRepresentations !== undefined && s.emptyRepresentations > s.trainTexts / 2) {
    warnings.push(
      `warning: the sentence encoder gave ${s.emptyRepresentations === s.trainTexts ? 'every training text' : `${s.emptyRepresentations} of the ${s.trainTexts} training texts`} a zero vector: ${linear ? 'the sentence block adds nothing for' : 'the model cannot learn from'} ${s.emptyRepresentations === s.trainTexts ? 'them' : 'those'} (check --encoder and --text-column)`,
    );
  }
  if (s.expansion && s.expansion.expandedWords === 0 && !noKnownWord) {
    warnings.push('warning: no training word got a neighbour: this smoothed model is a plain bag of words (check --vectors, --min-similarity, --neighbours)');
  }
  return warnings;
}

/**
 * The sentence-encoder options `text train --model sentence` and `text embed --encoder` share.
 * `scope` starts each help line ('sentence model:'), `use` says what the model is for, `prefixExample` is e5's prefix there.
 */
function addEncoderOptions(cmd: Command, scope: string, use: string, prefixExample: string, windowPieces: string): Command {
  return cmd
    .option('--encoder <model>', `${use}: use-lite (the Universal Sentence Encoder lite, 512-d, shipped with transferkit; also a folder with its model.json, shards and vocab.json), a transformers.js model folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx or model_quantized.onnx) or a Hugging Face hub id such as Xenova/all-MiniLM-L6-v2 (downloaded once into the cache)`)
    .option('--pooling <how>', `${scope} ${SENTENCE_POOLING_CHOICES.join(' or ')} of the token vectors (default: the folder's sentence-transformers pooling, else mean)`, choiceOption('--pooling', SENTENCE_POOLING_CHOICES))
    .option('--quantized', `${scope} use onnx/model_quantized.onnx (default: when the folder has it)`)
    .option('--no-quantized', `${scope} use onnx/model.onnx even when the folder also has the 8-bit file`)
    .option('--prefix <text>', `${scope} put this before every text (e5 models: ${prefixExample})`)
    .option(
      '--encoder-chunks <n>',
      `${scope} use-lite only: read a text as up to N consecutive windows of ${windowPieces} and give it the normalised piece-weighted mean of their vectors, for e-mails and documents longer than one window (default 1: the first window only; at most ${USE_LITE_MAX_CHUNKS})`,
      intOption('--encoder-chunks', 1, USE_LITE_MAX_CHUNKS),
    );
}

/** How an encoder option was spelled on the command line (`quantized: false` came from --no-quantized). */
function encoderFlag(key: 'pooling' | 'quantized' | 'prefix' | 'queryPrefix' | 'encoder' | 'encoderChunks', o: { quantized?: boolean }): string {
  if (key === 'quantized' && o.quantized === false) return '--no-quantized';
  return key === 'queryPrefix' ? '--query-prefix' : key === 'encoderChunks' ? '--encoder-chunks' : `--${key}`;
}

function addDataOptions(cmd: Command): Command {
  return cmd
    .option('--format <format>', `data format: ${DATASET_FORMAT_CHOICES.join(', ')} (default: from the extension)`, choiceOption('--format', DATASET_FORMAT_CHOICES))
    .option('--text-column <name>', 'CSV/TSV column or JSONL field with the text (default: text)')
    .option('--label-column <name>', 'CSV/TSV column or JSONL field with the label (default: label)');
}

function evaluationJson(ev: TextEvaluation) {
  return { ...ev.report, unseenLabels: ev.unseenLabels, excluded: ev.excluded, oov: ev.oov };
}

function printEvaluation(ctx: CliContext, { formatOov }: TextClassify, what: string, ev: TextEvaluation): void {
  ctx.print(`${what}:`);
  ctx.print(formatReport(ev.report));
  if (ev.oov) ctx.print(`texts vs the model's vectors: ${formatOov(ev.oov)}`);
  if (ev.unseenLabels.length) {
    ctx.print(
      `note: ${ev.excluded} text(s) have labels the model never saw in training, left out of the metrics: ${ev.unseenLabels.map((u) => `${u.label} (${u.count})`).join(', ')}`,
    );
  }
}

/** A text to classify and where it came from: a line of --data, or the position among the arguments (both 1-based). */
type PredictInput = { text: string; line: number } | { text: string; position: number };

export function registerText(program: Command, ctx: CliContext): void {
  const text = program.command('text').description('text classifiers from pretrained word vectors or sentence encoders; document vectors for the index');

  const train = text
    .command('train')
    .description('train a text classifier and save it as a bundle')
    .requiredOption('--train <file>', 'training data (CSV/TSV with a header, JSONL, or fastText format)')
    .option('--valid <file>', 'validation data (early stopping for neural models; reported)')
    .option('--test <file>', 'test data (reported and stored in the bundle)')
    .option('--vectors <source>', 'word vectors: a file path or a bundled name', DEFAULT_TEXT_VECTORS)
    .requiredOption('--out <dir>', 'bundle directory to write')
    .option('--model <kind>', `${MODEL_CHOICES.join(' | ')}`, choiceOption('--model', MODEL_CHOICES), 'hybrid')
    .option('--representation <name>', `document representation for --model hybrid: ${REPRESENTATION_CHOICES.join(', ')}`, choiceOption('--representation', REPRESENTATION_CHOICES), 'mean-max')
    .option('--head <spec>', "head for vector and embedding models: 'linear' or 'mlp[:sizes]'")
    .option('--finetune', 'embedding models: fine-tune the pretrained embedding (at 0.1 × the learning rate)')
    .option('--epochs <n>', 'epochs for neural models', intOption('--epochs'))
    .option('--batch-size <n>', 'batch size for neural models', intOption('--batch-size'))
    .option('--lr <rate>', 'learning rate for neural models', floatOption('--lr', 0, Infinity, { exclusiveMin: true }));
  // Only the neural kinds train with the core trainer; checkKindOptions refuses these flags for the linear ones.
  addScheduleOptions(train, { defaultText: 'constant; the neural models only' })
    .option('--c <value>', 'inverse L2 strength of the linear models (scikit-learn C; default 100)', floatOption('--c', 0, Infinity, { exclusiveMin: true }))
    .option('--neighbours <n>', 'smoothed model: pretrained-vector neighbours each training word switches on (default 25)', intOption('--neighbours', 0, 1000))
    .option('--min-similarity <cos>', 'smoothed model: keep neighbours at least this cosine-similar (default 0.5)', floatOption('--min-similarity', 0, 1))
    .option('--encoder-weight <w>', `hybrid and smoothed models with --encoder: scale of the (L2-normalised) sentence vector next to the TF-IDF row (default 1, at most ${MAX_BLOCK_WEIGHT})`, floatOption('--encoder-weight', 0, MAX_BLOCK_WEIGHT, { exclusiveMin: true }))
    .option('--max-length <n>', 'embedding models: tokens kept per text (default 256)', intOption('--max-length'))
    .option('--extra-words <n>', 'keep vectors for this many frequent words besides the training vocabulary (default 20000)', intOption('--extra-words', 0))
    .option(
      '--max-tokens <n>',
      "tokens kept per text by the classifier's tokenizer (the TF-IDF features of bow, hybrid and smoothed, with or without --encoder; word vectors; embedding networks), 0 = all (default 500); --model sentence: the encoder's tokens, as --encoder-max-tokens (0 = the model's default)",
      intOption('--max-tokens', 0),
    )
    .option(
      '--encoder-max-tokens <n>',
      `sentence encoder (--model sentence, and hybrid|smoothed with --encoder): tokens it reads per text, 2 or more (default: its sentence-transformers max_seq_length, else its limit, at most 512; use-lite: 1 to ${USE_LITE_PIECES} pieces, default ${USE_LITE_PIECES})`,
      intOption('--encoder-max-tokens', 1),
    )
    .option('--seed <n>', 'random seed', intOption('--seed', 0, MAX_SEED), 0)
    .option('--json', 'print the results as JSON');

  addEncoderOptions(
    addDataOptions(train),
    'sentence encoder:',
    'sentence encoder (stored in the bundle): the model of --model sentence, or a sentence block next to the TF-IDF features of --model hybrid (replacing its word vectors) or smoothed',
    "'query: '",
    `--encoder-max-tokens pieces (default ${USE_LITE_PIECES})`,
  ).action(async (o: TrainOpts, cmd: Command) => {
    checkKindOptions(ctx, o, cmd);
    await refuseChunksWithTransformers(o, '--encoder-max-tokens');
    await checkEncoderMaxTokens(o);
    // Checked here, before any data is read; without the flags the library's default (constant) runs.
    const schedule = scheduleFromOptions(o, 'constant');
    const textLib = await textClassify();
    const { formatOov, readDataset, requireKnownLabels, saveTextClassifier, trainingLabels, trainTextClassifier, TEXT_BUNDLE_KIND } = textLib;
    // Refuse a bad --out before reading data or training, not after (also a bundle folder holding files of yours).
    await checkBundleOutput(o.out, TEXT_BUNDLE_KIND);
    await refuseInputAsOutput({ flag: '--out', path: o.out, kind: 'folder' }, { '--encoder': o.encoder });
    await ctx.engine();
    const data = dataOptions(ctx, o);
    const train = await readDataset(o.train, data);
    const valid = o.valid ? await readDataset(o.valid, data) : undefined;
    const test = o.test ? await readDataset(o.test, data) : undefined;
    // Held-out data that shares no label with the training data is refused now, not after training.
    const labels = trainingLabels(train.examples);
    if (valid) requireKnownLabels(valid.examples, labels, 'validation');
    if (test) requireKnownLabels(test.examples, labels, 'test');
    const spec = await modelSpec(o);
    const neural = spec.kind === 'vectors' || spec.kind === 'embedding' || spec.kind === 'sentence';
    const usesVectors = textLib.usesWordVectors(spec);
    const using = [usesVectors ? `vectors ${o.vectors}` : '', o.encoder ? `sentence encoder ${o.encoder}` : ''].filter(Boolean).join(' and ');
    if (!o.json) ctx.note(`training '${o.model}' on ${train.examples.length} texts${using ? ` with ${using}` : ''}…`);
    // Loaded here (not by the library) so that what loading noticed reaches stderr.
    const vectors = usesVectors ? await loadVectorsNoting(ctx, o.vectors, { progress: ctx.progress(o.json) }) : undefined;
    const clf = await trainTextClassifier(train.examples, {
      model: spec,
      vectors,
      vectorsName: o.vectors,
      validation: valid?.examples,
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.lr,
      ...(schedule ? { schedule } : {}),
      extraWords: o.extraWords,
      tokenizer: tokenizerOptions(o),
      seed: o.seed,
      progress: ctx.progress(o.json),
      callbacks: neural && !o.json && !ctx.globals.quiet ? [new ProgressBarCallback((t) => ctx.io.err(t), ctx.io.interactive)] : [],
      // As vision train: Ctrl-C stops a neural model after the current batch and the weights so far are saved.
      // (The linear kinds are fitted in one synchronous run; Ctrl-C ends the command there, before anything is written.)
      handleInterrupt: true,
    });
    const metrics: Record<string, unknown> = {};
    // The library evaluated the validation texts it was given (clf.summary.validation has accuracy and macro-F1).
    const validEval = clf.validationEvaluation;
    const testEval = test ? await clf.evaluate(test.examples) : undefined;
    if (validEval) metrics.validation = { accuracy: validEval.report.accuracy, macroF1: validEval.report.macroF1, count: validEval.report.count };
    if (testEval) metrics.test = { accuracy: testEval.report.accuracy, macroF1: testEval.report.macroF1, count: testEval.report.count };
    await saveTextClassifier(o.out, clf, metrics);
    const s = clf.summary;
    for (const w of trainingWarnings(o, s)) ctx.note(w);
    if (o.json) {
      ctx.printJson({
        bundle: o.out,
        model: spec,
        labels: clf.labels,
        trainTexts: s.trainTexts,
        skippedEmptyTexts: train.skippedEmpty.count,
        seconds: s.seconds,
        epochs: s.epochs,
        interrupted: s.interrupted,
        // The neural kinds: the schedule they trained with and every epoch's logs (lr included).
        schedule: s.schedule,
        history: s.history,
        oov: s.oov,
        emptyRepresentations: s.emptyRepresentations,
        expansion: s.expansion,
        vectors: s.vectors,
        sentenceEncoder: s.sentenceEncoder,
        validation: validEval ? evaluationJson(validEval) : undefined,
        test: testEval ? evaluationJson(testEval) : undefined,
      });
    } else {
      ctx.print(`trained '${o.model}' on ${s.trainTexts} texts, ${clf.labels.length} labels (${clf.labels.join(', ')}) in ${s.seconds.toFixed(1)} s${s.epochs ? `, ${s.epochs} epochs` : ''}`);
      if (s.oov) ctx.print(`training texts: ${formatOov(s.oov)}`);
      if (s.sentenceEncoder) {
        const e = s.sentenceEncoder;
        const chunks = 'chunks' in e && e.chunks !== undefined && e.chunks > 1 ? e.chunks : undefined;
        const reads = chunks ? `a text as the mean of up to ${chunks} windows of ${e.maxTokens} pieces` : `up to ${e.maxTokens} tokens per text`;
        ctx.print(`sentence encoder: ${e.name} (${e.source}), dim ${e.dim}, ${reads}${'quantized' in e && e.quantized ? ', 8-bit' : ''}; stored in the bundle`);
      }
      if (s.emptyRepresentations) {
        ctx.print(`${s.emptyRepresentations} training text(s) ${s.sentenceEncoder ? 'were encoded as the zero vector by the sentence encoder' : 'had no word with a vector: encoded as the zero vector'}`);
      }
      if (s.expansion) {
        const e = s.expansion;
        ctx.print(`neighbour expansion: ${e.expandedWords} of ${e.trainingWords} training words with a vector got neighbours; ${e.neighbourColumns} words added as neighbours`);
      }
      if (validEval) printEvaluation(ctx, textLib, '\nvalidation', validEval);
      if (testEval) printEvaluation(ctx, textLib, '\ntest', testEval);
      ctx.note(`saved ${o.out}`);
    }
    clf.dispose();
  });

  addDataOptions(
    text
      .command('evaluate')
      .description('evaluate a trained classifier on labelled data: accuracy, macro-F1, per-class P/R/F1, confusion matrix')
      .argument('<dir>', 'bundle folder written by text train')
      .requiredOption('--data <file>', 'labelled data')
      .option('--top-k <k>', 'also report top-k accuracy', intOption('--top-k'))
      .option('--json', 'print the report as JSON'),
  ).action(async (dir: string, o: DataOpts & { data: string; topK?: number; json?: boolean }) => {
    const textLib = await textClassify();
    await ctx.engine();
    const clf = await textLib.loadTextClassifier(dir);
    const data = await textLib.readDataset(o.data, dataOptions(ctx, o));
    const topK = reportableTopK(o.topK, clf.labels.length, 'text', (line) => ctx.note(line));
    const ev = await clf.evaluate(data.examples, { topK });
    if (o.json) ctx.printJson({ ...evaluationJson(ev), skippedEmptyTexts: data.skippedEmpty.count });
    else printEvaluation(ctx, textLib, `${o.data} (${data.examples.length} texts)`, ev);
    clf.dispose();
  });

  addEncoderOptions(
    text
      .command('embed')
      .description('document vectors for index build, as JSONL {key, vector, label?, text}: from word vectors (their mean by default) or from a sentence encoder (--encoder)')
      .requiredOption('--data <file>', 'texts: CSV/TSV/JSONL with a text column, fastText lines, or one text per line')
      .requiredOption('--out <file>', 'output JSONL file (written atomically)')
      .option('--vectors <source>', 'word vectors: a file path or a bundled name', DEFAULT_TEXT_VECTORS)
      .option('--representation <name>', `${REPRESENTATION_CHOICES.join(', ')} (tfidf-mean and sif are fitted on --data: embed queries in the same run)`, choiceOption('--representation', REPRESENTATION_CHOICES), 'mean')
      .option('--query-prefix <text>', "with --encoder: the prefix a query text gets in index query --text (default: --prefix; e5: 'query: ')")
      .option('--format <format>', `data format: ${DATASET_FORMAT_CHOICES.join(', ')} (default: from the extension)`, choiceOption('--format', DATASET_FORMAT_CHOICES))
      .option('--text-column <name>', 'CSV/TSV column or JSONL field with the text (default: text)')
      .option('--label-column <name>', "column / field kept as each record's label (default: label, when present)")
      .option('--key-column <name>', 'column / field naming each text (default: its position in the file, 1 = first text)')
      .option('--snippet <n>', 'characters of each text kept as metadata, 0 = none', intOption('--snippet', 0), 200)
      .option('--max-tokens <n>', `tokens kept per text; word vectors: 0 = all (default 500); --encoder: 2 or more, 0 = the model's default (its sentence-transformers max_seq_length, else its limit, at most 512; use-lite: 1 to ${USE_LITE_PIECES} pieces, default ${USE_LITE_PIECES})`, intOption('--max-tokens', 0))
      .option('--json', 'print the summary as JSON'),
    'with --encoder:',
    'a sentence encoder instead of word vectors',
    "'passage: ' for documents to search",
    '--max-tokens pieces (default 128)',
  )
    .action(
      async (
        o: DataOpts & {
          data: string;
          out: string;
          vectors: string;
          representation: RepresentationName;
          encoder?: string;
          pooling?: SentencePooling;
          quantized?: boolean;
          prefix?: string;
          queryPrefix?: string;
          encoderChunks?: number;
          keyColumn?: string;
          snippet: number;
          maxTokens?: number;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        if (o.encoder === undefined) {
          const encoderOnly = (['pooling', 'quantized', 'prefix', 'queryPrefix', 'encoderChunks'] as const).filter((k) => o[k] !== undefined);
          if (encoderOnly.length) {
            throw new InvalidArgumentError(`${encoderFlag(encoderOnly[0], o)} applies to a sentence encoder`, { hint: 'add --encoder <model folder or hub id>, or drop it' });
          }
        } else {
          const wordOnly = (['vectors', 'representation'] as const).filter((k) => cmd.getOptionValueSource(k) === 'cli');
          if (wordOnly.length) throw new InvalidArgumentError(`--encoder replaces word vectors: drop --${wordOnly[0]}`);
          // Refused before the texts are read and embedded (the recipe would refuse it at the end).
          if (o.queryPrefix !== undefined && (await isUseLite(o.encoder))) {
            throw new InvalidArgumentError('--query-prefix applies to transformers.js models, not to use-lite (the Universal Sentence Encoder lite takes no prefix)', { hint: 'drop --query-prefix' });
          }
          await refuseChunksWithTransformers(o, '--max-tokens');
        }
        await checkOutputFile(o.out);
        await refuseInputAsOutput({ flag: '--out', path: o.out, kind: 'file' }, o.encoder === undefined ? { '--data': o.data, '--vectors': o.vectors } : { '--data': o.data, '--encoder': o.encoder });
        const { embedTexts, readTextRecords, formatOov } = await textClassify();
        const records = await readTextRecords(o.data, { format: o.format, textColumn: o.textColumn, labelColumn: o.labelColumn, keyColumn: o.keyColumn, onWarning: (w) => ctx.note(`warning: ${w}`) });
        const common = { snippet: o.snippet, progress: ctx.progress(o.json) };
        const r =
          o.encoder !== undefined
            ? await embedTexts(records, o.out, { ...common, queryPrefix: o.queryPrefix, encoder: { model: o.encoder, pooling: o.pooling, quantized: o.quantized, prefix: o.prefix, maxTokens: o.maxTokens || undefined, chunks: o.encoderChunks } })
            : await embedTexts(records, o.out, {
                ...common,
                vectors: await loadVectorsNoting(ctx, o.vectors, { progress: ctx.progress(o.json) }),
                vectorsName: o.vectors,
                representation: o.representation,
                tokenizer: o.maxTokens === undefined ? undefined : { maxTokens: o.maxTokens },
              });
        const from = r.encoder ? `sentence encoder ${r.encoder.source}` : o.vectors;
        // The recipe sidecar lets index build / index query --text embed a query the same way (a stale one is removed).
        const { writeRecipeFile, recipeFileFor } = await import('../../../embeddings/index.js');
        await writeRecipeFile(o.out, r.recipe);
        if (o.json) return ctx.printJson({ out: o.out, ...(r.encoder ? {} : { vectors: o.vectors }), ...r, recipe: r.recipe ?? null, noRecipe: r.noRecipe ?? null, recipeFile: r.recipe ? recipeFileFor(o.out) : null });
        if (r.oov) ctx.note(formatOov(r.oov));
        if (r.empty.length > 0) {
          const why = r.encoder ? 'whose encoding is a zero vector' : 'with no word that has a vector';
          ctx.note(`left out ${r.empty.length} text(s) ${why}: ${r.empty.slice(0, 20).join(', ')}${r.empty.length > 20 ? ', …' : ''}`);
        }
        const windows = r.encoder && o.encoderChunks !== undefined && o.encoderChunks > 1 ? `, mean of up to ${o.encoderChunks} windows of ${r.encoder.maxTokens} pieces` : '';
        ctx.note(`wrote ${r.count} document vectors (${r.encoder ? `${r.encoder.name}${windows}` : `${r.representation} of ${o.vectors}`}, dim ${r.dim}) to ${o.out} in ${r.seconds.toFixed(1)} s${r.encoder ? ` [${from}]` : ''}`);
        ctx.note(r.recipe ? `recipe for queries: ${recipeFileFor(o.out)} (index build saves it; then index query --text)` : `note: no recipe for query texts: ${r.noRecipe}`);
      },
    );

  text
    .command('predict')
    .description('classify texts given as arguments or read from a file (--data)')
    .argument('<dir>', 'bundle folder written by text train')
    .argument('[texts...]', 'texts to classify (quote each one), or use --data')
    .option('--data <file>', 'texts to classify: CSV/TSV/JSONL with a text column, or one text per line')
    .option('--format <format>', `format of --data: ${DATASET_FORMAT_CHOICES.join(', ')} (default: from the extension; other files are one text per line)`, choiceOption('--format', DATASET_FORMAT_CHOICES))
    .option('--text-column <name>', 'column / field with the text (default: text)')
    .option('--top-k <k>', 'labels per text', intOption('--top-k'), 1)
    .option('--json', 'print JSON')
    .action(async (dir: string, texts: string[], o: { data?: string; format?: DatasetFormat; textColumn?: string; topK: number; json?: boolean }) => {
      if (texts.length === 0 && !o.data) throw new InvalidArgumentError('nothing to classify', { hint: 'give texts as arguments or --data FILE' });
      if (texts.length > 0 && o.data) throw new InvalidArgumentError('give texts as arguments or --data, not both');
      const { loadTextClassifier, readTextRecords } = await textClassify();
      await ctx.engine();
      const clf = await loadTextClassifier(dir);
      const records: PredictInput[] = o.data
        ? (await readTextRecords(o.data, { format: o.format, textColumn: o.textColumn, onWarning: (w) => ctx.note(`warning: ${w}`) })).map((r) => ({ text: r.text, line: r.line }))
        : texts.map((text, i) => ({ text, position: i + 1 }));
      const kept = records.filter((r) => r.text.trim() !== '');
      const skipped = records.filter((r) => r.text.trim() === '').map(({ text: _, ...where }) => ({ ...where, reason: 'empty text' }));
      const preds = await clf.predict(
        kept.map((r) => r.text),
        { topK: o.topK },
      );
      const predictions = kept.map((r, i) => ({ text: r.text, top: preds[i].map((p) => ({ label: p.label, probability: p.score })) }));
      if (o.json) ctx.printJson({ predictions, skipped });
      else {
        if (skipped.length > 0) {
          const where = skipped.slice(0, 20).map((s) => ('line' in s ? `line ${s.line}` : `argument ${s.position}`));
          ctx.note(`skipped ${skipped.length} empty text${skipped.length === 1 ? '' : 's'}: ${where.join(', ')}${skipped.length > 20 ? ', …' : ''}`);
        }
        for (const p of predictions) {
          const shown = p.text.replace(/\s+/g, ' ').trim().slice(0, 60);
          ctx.print(`${shown}\t${p.top.map((t) => `${t.label} ${(100 * t.probability).toFixed(1)}%`).join('\t')}`);
        }
      }
      clf.dispose();
    });
}

