/**
 * Sentence encoders: a transformer model in ONNX form (a sentence-transformers model as
 * transformers.js publishes them, e.g. Xenova/all-MiniLM-L6-v2) run by
 * `@xenova/transformers` on onnxruntime-node. A text becomes the pooled (mean over its
 * tokens, or the [CLS] token) and L2-normalised last hidden state.
 *
 * The model is a local folder in the transformers.js layout —
 *   config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx (and/or onnx/model_quantized.onnx)
 * — or a Hugging Face hub id, downloaded once into the transferkit cache (never with
 * TRANSFERKIT_OFFLINE=1). A folder is checked before anything is loaded, so a missing file
 * is named instead of surfacing as an ONNX runtime error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { format } from 'node:util';
import { basename, dirname, join, resolve } from 'node:path';
import type { Provenance } from '../../src/encoder.js';
import { InvalidArgumentError, InvalidFileError, NotFoundError, OfflineError, TransferkitError } from '../../src/errors.js';
import { silentProgress, type Progress } from '../../src/progress.js';
import { cachePath, settings } from '../../src/settings.js';
import { rowInverseNorms } from '../../embeddings/index.js';
import { PROBE_TEXT, PROBE_VALUES, SentenceEncoder, type TransformersEncoderDescription } from './sentence-encoder.js';

export type SentencePooling = 'mean' | 'cls';
export const SENTENCE_POOLINGS: readonly SentencePooling[] = ['mean', 'cls'];

export interface SentenceEncoderOptions {
  /** A model folder (transformers.js layout) or a Hugging Face hub id such as 'Xenova/all-MiniLM-L6-v2'. */
  model: string;
  /**
   * 'mean' over the tokens or the 'cls' token. Default: what the folder's sentence-transformers
   * `1_Pooling/config.json` says when it has one, else 'mean'.
   */
  pooling?: SentencePooling;
  /** L2-normalise each vector. Default true. */
  normalize?: boolean;
  /**
   * Use onnx/model_quantized.onnx (8-bit) instead of onnx/model.onnx. Default: for a folder, the
   * quantized file when the folder has it, else model.onnx; for a hub id, true (as transformers.js).
   */
  quantized?: boolean;
  /** Texts per model call (texts are sorted by length first, so a batch pads little). Default 16. */
  batchSize?: number;
  /**
   * Tokens kept per text, counting [CLS]; longer texts are cut at the end (transformers.js then drops the
   * closing [SEP] too). At most what the model's positions allow. Default: the folder's
   * sentence-transformers `max_seq_length` when it has one, else the tokenizer's limit; at most 512.
   */
  maxTokens?: number;
  /** Put before every text, for models trained with one (e5: 'passage: ' for documents, 'query: ' for queries). Default none. */
  prefix?: string;
  /** Where hub downloads are kept. Default <transferkit cache>/transformers. */
  cacheDir?: string;
  /** Refuse hub downloads (a cached hub model still loads). Default: TRANSFERKIT_OFFLINE. */
  offline?: boolean;
  /** `model` is a hub id even if a folder of that name exists here (a recipe's hub model). Default false. */
  hub?: boolean;
  /**
   * USE lite only (refused for transformers.js models, unless 1): read a text as up to this many
   * consecutive windows of `maxTokens` pieces and give it the L2-normalised piece-weighted mean of their vectors
   * (see `UseLiteEncoderOptions.chunks`). Default 1: the first window only.
   */
  chunks?: number;
}

/** Files a model folder needs besides the ONNX weights. */
export const SENTENCE_MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;
const ONNX_FULL = join('onnx', 'model.onnx');
const ONNX_QUANTIZED = join('onnx', 'model_quantized.onnx');
const DEFAULT_BATCH = 16;
const MAX_TOKENS_CAP = 512;
const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** A local model folder, checked. */
export interface SentenceModelFolder {
  dir: string;
  /** Relative paths of the files the encoder reads (the ONNX file last). */
  files: string[];
  quantized: boolean;
}

/** Largest tokenizer.json that checkModelFolder parses to name it when it is damaged. */
const JSON_CHECK_MAX_BYTES = 4 << 20;
const DAMAGED_HINT = 'the model folder is damaged: fetch its files again (for a hub model, delete its folder in the cache and load it online)';

/** Check a folder has what transformers.js will read, and pick the ONNX file. */
export function checkModelFolder(dir: string, quantized?: boolean): SentenceModelFolder {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new NotFoundError(`no model folder at ${dir}`, { hint: 'give a folder with config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx, or a hub id such as Xenova/all-MiniLM-L6-v2' });
  }
  // transformers.js's own message for a broken JSON file names no file: parse them here first
  // (tokenizer.json only when small: a multilingual one is tens of MB, parsed again by transformers.js).
  // Those present are checked before missing ones are reported: a first download cut short leaves a
  // damaged file and no ONNX file, and the damaged file must be named (going online reuses it).
  for (const f of SENTENCE_MODEL_FILES.filter((name) => name.endsWith('.json'))) {
    const path = join(abs, f);
    if (!existsSync(path)) continue;
    if (f === 'tokenizer.json' && statSync(path).size > JSON_CHECK_MAX_BYTES) continue;
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new InvalidFileError(`not valid JSON: ${(e as Error).message}`, { file: path, hint: DAMAGED_HINT, cause: e });
    }
    // An empty tokenizer_config.json is usable (defaults); the model's config and the tokenizer are not.
    const empty = value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
    if (value === null || typeof value !== 'object' || Array.isArray(value) || (empty && f !== 'tokenizer_config.json')) {
      throw new InvalidFileError('expected a non-empty JSON object', { file: path, hint: DAMAGED_HINT });
    }
  }
  const missing: string[] = SENTENCE_MODEL_FILES.filter((f) => !existsSync(join(abs, f)));
  const hasFull = existsSync(join(abs, ONNX_FULL));
  const hasQuantized = existsSync(join(abs, ONNX_QUANTIZED));
  const useQuantized = quantized ?? hasQuantized;
  if (useQuantized ? !hasQuantized : !hasFull) missing.push(useQuantized ? ONNX_QUANTIZED : ONNX_FULL);
  if (missing.length) {
    const other = useQuantized ? hasFull && 'onnx/model.onnx is there: drop --quantized' : hasQuantized && 'onnx/model_quantized.onnx is there: use --quantized';
    throw new NotFoundError(`model folder ${dir} lacks ${missing.join(', ')}`, {
      hint: other || 'a transformers.js model folder holds config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx (as in the Xenova/* repositories on the Hugging Face hub)',
    });
  }
  return { dir: abs, files: [...SENTENCE_MODEL_FILES, useQuantized ? ONNX_QUANTIZED : ONNX_FULL], quantized: useQuantized };
}

/**
 * Console capture shared by every caller (loads, encodes and probes may overlap): the first to start
 * puts a catcher in place of console.warn/error, the last to finish puts the originals back, and
 * each caller sees the lines printed while it ran.
 */
const consoleCapture = { active: new Set<ConsoleCapture>(), saved: undefined as undefined | { warn: typeof console.warn; error: typeof console.error } };

interface ConsoleCapture {
  lines: string[];
  /** Whether another capture was active at some point: its lines may then belong to someone else. */
  shared: boolean;
  release: () => void;
}

/** A console line as text; never throws (transformers.js logs objects without a prototype). */
function consoleLine(args: unknown[]): string {
  try {
    return format(...args);
  } catch {
    return args.map((a) => (typeof a === 'string' ? a : Object.prototype.toString.call(a))).join(' ');
  }
}

function captureConsole(): ConsoleCapture {
  if (consoleCapture.active.size === 0) {
    consoleCapture.saved = { warn: console.warn, error: console.error };
    console.warn = console.error = (...args: unknown[]) => {
      const line = consoleLine(args);
      for (const c of consoleCapture.active) c.lines.push(line);
    };
  }
  let released = false;
  const capture: ConsoleCapture = {
    lines: [],
    shared: consoleCapture.active.size > 0,
    release: () => {
      if (released) return;
      released = true;
      consoleCapture.active.delete(capture);
      if (consoleCapture.active.size === 0 && consoleCapture.saved) {
        console.warn = consoleCapture.saved.warn;
        console.error = consoleCapture.saved.error;
        consoleCapture.saved = undefined;
      }
    },
  };
  for (const c of consoleCapture.active) c.shared = true;
  consoleCapture.active.add(capture);
  return capture;
}

/** Run `fn` with console.warn/error kept (onnxruntime and transformers.js print failures, with input dumps, before throwing). */
async function quietly<T>(fn: () => Promise<T>): Promise<{ value: T } | { error: unknown; printed: string[] }> {
  const capture = captureConsole();
  try {
    return { value: await fn() };
  } catch (e) {
    return { error: e, printed: capture.shared ? [] : capture.lines };
  } finally {
    capture.release();
  }
}

/** fetch's own failure (no network, DNS, refused, reset): undici's 'fetch failed' with a system error code as its cause. */
const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);
export function isNetworkFailure(e: unknown): boolean {
  const err = e as { message?: unknown; code?: unknown; cause?: { code?: unknown } } | undefined;
  return err?.message === 'fetch failed' || NETWORK_CODES.has(String(err?.code)) || NETWORK_CODES.has(String(err?.cause?.code));
}

/** A cached hub model's folder, checked: the folder, or why it cannot be used (undefined when there is none). */
function cachedFolder(dir: string, quantized?: boolean): { folder?: SentenceModelFolder; problem?: TransferkitError } {
  if (!existsSync(dir)) return {};
  try {
    return { folder: checkModelFolder(dir, quantized) };
  } catch (e) {
    return { problem: e as TransferkitError };
  }
}

type FeatureExtractor = {
  (texts: string[], options: { pooling: 'mean' | 'cls'; normalize: boolean }): Promise<{ data: Float32Array; dims: number[]; dispose?: () => void }>;
  tokenizer: { model_max_length?: number };
  model: { config?: { max_position_embeddings?: number; model_type?: string } };
  dispose(): Promise<void>;
};

/** What the sentence-transformers files of a folder say (sentence_bert_config.json, 1_Pooling/config.json), when present. */
interface SentenceTransformersConfig {
  maxSeqLength?: number;
  pooling?: SentencePooling;
}

function readJsonIfPresent(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sentenceTransformersConfig(dir: string): SentenceTransformersConfig {
  const st = readJsonIfPresent(join(dir, 'sentence_bert_config.json'));
  const pool = readJsonIfPresent(join(dir, '1_Pooling', 'config.json'));
  const maxSeqLength = typeof st?.max_seq_length === 'number' && Number.isInteger(st.max_seq_length) && st.max_seq_length >= 2 ? st.max_seq_length : undefined;
  const pooling = pool?.pooling_mode_cls_token === true ? 'cls' : pool?.pooling_mode_mean_tokens === true ? 'mean' : undefined;
  return { maxSeqLength, pooling };
}

/** Tokens the model's position embeddings allow (RoBERTa-style models reserve two positions), if its config says. */
function positionLimit(extractor: FeatureExtractor): number | undefined {
  const config = extractor.model?.config;
  const positions = config?.max_position_embeddings;
  if (typeof positions !== 'number' || !(positions > 0)) return undefined;
  return /roberta|camembert/i.test(config?.model_type ?? '') ? positions - 2 : positions;
}

/** transformers.js keeps its settings in one global object: loads are serialised, and the settings restored after each. */
let loading: Promise<unknown> = Promise.resolve();
const ENV_FIELDS = ['allowLocalModels', 'allowRemoteModels', 'useFSCache', 'localModelPath', 'cacheDir'] as const;

async function loadExtractor(location: { folder: SentenceModelFolder } | { hubId: string }, options: SentenceEncoderOptions): Promise<{ extractor: FeatureExtractor; warnings: string[] }> {
  const { env, pipeline } = await import('@xenova/transformers');
  const run = async () => {
    const saved = Object.fromEntries(ENV_FIELDS.map((k) => [k, env[k]]));
    // transformers.js reports a model it cannot open on the console (with a stack) before its own error: keep it for ours.
    const capture = captureConsole();
    const warnings = capture.lines;
    const own = () => (capture.shared ? [] : warnings);
    try {
      if ('folder' in location) {
        env.allowLocalModels = true;
        env.allowRemoteModels = false;
        env.useFSCache = false; // the folder, never a cached hub model of the same name
        env.localModelPath = `${dirname(location.folder.dir)}/`;
        return { extractor: (await pipeline('feature-extraction', basename(location.folder.dir), { quantized: location.folder.quantized })) as unknown as FeatureExtractor, warnings };
      }
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
      env.useFSCache = true;
      env.cacheDir = options.cacheDir ?? cachePath('transformers');
      return { extractor: (await pipeline('feature-extraction', location.hubId, { quantized: options.quantized ?? true })) as unknown as FeatureExtractor, warnings };
    } catch (e) {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { warnings: own() });
    } finally {
      capture.release();
      Object.assign(env, saved);
    }
  };
  const result = loading.then(run, run);
  loading = result.catch(() => undefined);
  return result;
}

/** A model error as a typed one, with the first thing transformers.js printed about it. */
function modelError(model: string, e: unknown, hint: string): TransferkitError {
  const message = (e as Error)?.message ?? String(e);
  const printed = ((e as { warnings?: string[] })?.warnings ?? []).map((w) => w.split('\n')[0]).find((w) => w && !message.includes(w));
  return new TransferkitError('E_MODEL', `could not load sentence model ${model}: ${message}${printed ? ` (${printed})` : ''}`, { hint, cause: e });
}

/** A transformers.js feature-extraction model (see the module doc); `SentenceEncoder.load` gives one for any model but USE lite. */
export class TransformersSentenceEncoder extends SentenceEncoder {
  readonly name: string;
  readonly dim: number;
  readonly provenance: Provenance;
  readonly pooling: SentencePooling;
  readonly normalize: boolean;
  readonly maxTokens: number;
  readonly prefix: string;
  /** Whether the 8-bit onnx/model_quantized.onnx runs (else onnx/model.onnx). */
  readonly quantized: boolean;
  /**
   * A fingerprint of the model: the first `PROBE_VALUES` values of its pooled, unnormalised vector of
   * `PROBE_TEXT` (no prefix). Recipes record it, so a folder that later holds another model is caught.
   */
  readonly probe: number[];
  /** The model's files: the folder given, or where a hub model was cached (absent if that cannot be found). */
  readonly folder?: SentenceModelFolder;
  private extractor: FeatureExtractor | null;
  private readonly batchSize: number;

  private constructor(
    extractor: FeatureExtractor,
    dim: number,
    options: Required<Pick<SentenceEncoderOptions, 'pooling' | 'normalize' | 'batchSize' | 'quantized' | 'prefix'>> & { model: string; maxTokens: number; folder?: SentenceModelFolder; local: boolean; probe: number[] },
  ) {
    super();
    this.extractor = extractor;
    this.probe = options.probe;
    this.dim = dim;
    this.pooling = options.pooling;
    this.normalize = options.normalize;
    this.batchSize = options.batchSize;
    this.maxTokens = options.maxTokens;
    this.prefix = options.prefix;
    this.folder = options.folder;
    this.quantized = options.quantized;
    this.name = `${options.local && options.folder ? basename(options.folder.dir) : options.model}/${options.pooling}`;
    this.provenance = { source: options.local && options.folder ? options.folder.dir : options.model, description: `transformers.js feature extraction, ${options.pooling} pooling${options.normalize ? ', L2-normalised' : ''}` };
  }

  /** Load a model folder or hub model and probe its output size. */
  static override async load(options: SentenceEncoderOptions): Promise<TransformersSentenceEncoder> {
    if (options.chunks !== undefined && options.chunks !== 1) {
      throw new InvalidArgumentError(`chunks applies to the Universal Sentence Encoder lite, not to transformers.js models (${options.model})`, {
        hint: 'drop it (on the command line: --encoder-chunks): a transformers.js model reads the first maxTokens tokens of a text',
      });
    }
    if (options.pooling !== undefined && !SENTENCE_POOLINGS.includes(options.pooling)) {
      throw new InvalidArgumentError(`unknown pooling '${options.pooling as string}'`, { hint: `use one of ${SENTENCE_POOLINGS.join(', ')}` });
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
    if (options.maxTokens !== undefined && (!Number.isInteger(options.maxTokens) || options.maxTokens < 2)) {
      throw new InvalidArgumentError(`maxTokens must be a whole number ≥ 2 (room for the special tokens), got ${options.maxTokens}`, { hint: 'on the command line: --max-tokens N with N ≥ 2 (0 = the model\'s default)' });
    }
    const prefix = options.prefix ?? '';
    const model = options.model?.trim();
    if (!model) throw new InvalidArgumentError('no sentence model given', { hint: 'give a model folder or a hub id such as Xenova/all-MiniLM-L6-v2' });
    const offline = options.offline ?? settings.offline;
    const isPath = !options.hub && (existsSync(model) || /^(\.{0,2}\/|~)/.test(model) || !HUB_ID.test(model));
    if (options.hub && !HUB_ID.test(model)) throw new InvalidArgumentError(`'${model}' is not a hub id (owner/name)`);
    const given = isPath ? checkModelFolder(model, options.quantized) : undefined;
    // A hub model already in the cache is a folder in the transformers.js layout.
    const cachedModelDir = join(options.cacheDir ?? cachePath('transformers'), model);
    const cached = given ? {} : cachedFolder(cachedModelDir, options.quantized);
    const cachedHub = cached.folder;
    const problem = cached.problem;
    if (problem instanceof InvalidFileError && problem.file && !offline) {
      // transformers.js would reuse a damaged cached file as it is: name it instead of failing without a file.
      const what = problem.message.startsWith(`${problem.file}: `) ? problem.message.slice(problem.file.length + 2) : problem.message;
      throw new InvalidFileError(what, { file: problem.file, hint: `the cached copy of ${model} is damaged: delete ${cachedModelDir} and load it again`, cause: problem });
    }
    // Only a name that could have been a path gets "there is no folder …" (a recipe's hub id is never one).
    const noFolder = options.hub ? '' : ` (there is no folder ${resolve(model)})`;
    if (!given && !cachedHub && offline) {
      if (problem) {
        // The cache holds the model, but not all of it (or not the ONNX file asked for), or a damaged file: say which.
        const fix = problem instanceof InvalidFileError ? `delete ${cachedModelDir} and load the model once online` : ((problem.hint ?? '').match(/(drop|use) --quantized/) ?? [])[0];
        throw new OfflineError(`sentence model ${model} is in the cache, but it cannot be used and downloads are off (TRANSFERKIT_OFFLINE): ${problem.message}`, {
          hint: fix ?? 'unset TRANSFERKIT_OFFLINE once to fetch the rest',
        });
      }
      throw new OfflineError(`sentence model ${model} is not in the cache and downloads are off (TRANSFERKIT_OFFLINE)`, {
        hint: `unset TRANSFERKIT_OFFLINE once to download it${options.hub ? '' : ', or give a local model folder'}${noFolder}`,
      });
    }
    // A cached hub model loads from the cache, online or offline (so both pick the same ONNX file).
    const folder = given ?? cachedHub;
    let extractor: FeatureExtractor;
    let dim: number;
    let maxTokens: number;
    let probeValues: number[];
    const config = folder ? sentenceTransformersConfig(folder.dir) : {};
    const pooling = options.pooling ?? config.pooling ?? 'mean';
    try {
      ({ extractor } = await loadExtractor(folder ? { folder } : { hubId: model }, options));
    } catch (e) {
      if (!folder && isNetworkFailure(e)) {
        throw new OfflineError(`could not download sentence model ${model}: ${(e as Error).message}`, {
          hint: `check the network; without one, put the model's files in ${cachedModelDir} (the transformers.js layout)${options.hub ? '' : ' or give a local model folder'}`,
          cause: e,
        });
      }
      const notLocal = folder || options.hub ? '' : ` — and there is no local folder ${resolve(model)}`;
      throw modelError(
        `${model}${notLocal}`,
        e,
        folder
          ? 'the folder must hold a transformers.js feature-extraction model (ONNX export of a BERT-like encoder)'
          : `check the hub id and the network; without a network, put the model's files in ${cachedModelDir} (the transformers.js layout) or give a local model folder`,
      );
    }
    try {
      const fromTokenizer = extractor.tokenizer.model_max_length;
      const positions = positionLimit(extractor);
      const limit = Math.min(Number.isFinite(fromTokenizer) && fromTokenizer! > 0 ? fromTokenizer! : MAX_TOKENS_CAP, positions ?? MAX_TOKENS_CAP, MAX_TOKENS_CAP);
      if (options.maxTokens !== undefined && positions !== undefined && options.maxTokens > positions) {
        throw new InvalidArgumentError(`maxTokens ${options.maxTokens} is more than the ${positions} positions model ${model} has`, { hint: `use at most ${positions} (--max-tokens)` });
      }
      maxTokens = options.maxTokens ?? Math.min(config.maxSeqLength ?? limit, limit);
      extractor.tokenizer.model_max_length = maxTokens;
      const probe = await extractor([PROBE_TEXT], { pooling, normalize: false });
      dim = probe.dims[probe.dims.length - 1];
      probeValues = Array.from(probe.data.subarray(0, Math.min(PROBE_VALUES, dim)), (x) => Number(x.toPrecision(7)));
      probe.dispose?.();
    } catch (e) {
      void extractor.dispose();
      if (e instanceof TransferkitError) throw e;
      throw modelError(model, e, 'the model loads but does not run as a feature-extraction model (inputs input_ids / attention_mask [/ token_type_ids], output last_hidden_state)');
    }
    const quantized = folder?.quantized ?? options.quantized ?? true;
    // A hub model is cached in the transformers.js layout under <cacheDir>/<id>: its files, for a bundle.
    const files = folder ?? cachedFolder(cachedModelDir, quantized).folder;
    return new TransformersSentenceEncoder(extractor, dim, { model, pooling, normalize: options.normalize ?? true, batchSize, maxTokens, prefix, folder: files, quantized, local: Boolean(given), probe: probeValues });
  }

  /**
   * The model's fingerprint for `text`: the first `PROBE_VALUES` values of its pooled, unnormalised
   * vector, with no prefix (so it depends on the model and pooling only). Recipes record it for a text
   * of their data, which the model is known to give a direction.
   */
  async probeOf(text: string): Promise<number[]> {
    const extractor = this.extractor;
    if (!extractor) throw new InvalidArgumentError('this sentence encoder was disposed');
    const run = await quietly(() => extractor([text], { pooling: this.pooling, normalize: false }));
    if ('error' in run) throw new TransferkitError('E_MODEL', `sentence model ${this.provenance.source} failed on its probe text: ${(run.error as Error).message}`, { cause: run.error });
    const values = Array.from(run.value.data.subarray(0, Math.min(PROBE_VALUES, this.dim)), (x) => Number(x.toPrecision(7)));
    run.value.dispose?.();
    return values;
  }

  /** See `TransformersEncoderDescription`. */
  describe(): TransformersEncoderDescription {
    const { name, dim, pooling, maxTokens, quantized, normalize, prefix } = this;
    return { source: this.provenance.source, name, dim, pooling, maxTokens, quantized, normalize, prefix };
  }

  /** Encode texts: row-major texts.length × dim. A text whose pooled vector is zero stays zero (it is not normalised). */
  async encode(texts: readonly string[], progress: Progress = silentProgress): Promise<Float32Array> {
    const extractor = this.extractor;
    if (!extractor) throw new InvalidArgumentError('this sentence encoder was disposed');
    const out = new Float32Array(texts.length * this.dim);
    // Longest first, so each batch holds texts of about one length and pads little; rows go back in place.
    const order = texts.map((_, i) => i).sort((a, b) => String(texts[b]).length - String(texts[a]).length || a - b);
    progress.start('encoding texts', texts.length);
    try {
      for (let i = 0; i < order.length; i += this.batchSize) {
        const rows = order.slice(i, i + this.batchSize);
        const batch = rows.map((r) => this.prefix + (typeof texts[r] === 'string' ? texts[r] : String(texts[r])));
        const run = await quietly(() => extractor(batch, { pooling: this.pooling, normalize: false }));
        if ('error' in run) {
          const e = run.error;
          const reason = run.printed.map((l) => l.split('\n')[0]!).find((l) => /\[E:onnxruntime|error occurred during model execution/i.test(l) && !((e as Error).message ?? '').includes(l));
          throw new TransferkitError('E_MODEL', `sentence model ${this.provenance.source} failed on a batch of ${batch.length} texts: ${(e as Error).message ?? String(e)}${reason ? ` (${reason.slice(0, 300)})` : ''}`, {
            hint: 'the model does not accept these inputs: its tokenizer may give ids beyond its embedding table (a tokenizer from another model), or the texts may be longer than it takes (try a smaller --max-tokens)',
            cause: e,
          });
        }
        const result = run.value;
        rows.forEach((r, j) => out.set(result.data.subarray(j * this.dim, (j + 1) * this.dim), r * this.dim));
        result.dispose?.();
        progress.update(i + rows.length);
      }
    } finally {
      progress.stop();
    }
    if (this.normalize) {
      // Unit rows; a zero row's inverse norm is 0, so it stays zero.
      const inverse = rowInverseNorms(out, this.dim, texts.length);
      for (let i = 0; i < out.length; i++) out[i] *= inverse[Math.floor(i / this.dim)]!;
    }
    return out;
  }

  /** The folder's files (config, tokenizer, the ONNX file that runs), by their place in a transformers.js folder. */
  async modelFiles(): Promise<Record<string, Uint8Array> | undefined> {
    const folder = this.folder;
    if (!folder) return undefined;
    const files: Record<string, Uint8Array> = {};
    for (const rel of folder.files) files[rel.split(/[\\/]/).join('/')] = await readFile(join(folder.dir, rel));
    return files;
  }

  dispose(): void {
    const e = this.extractor;
    this.extractor = null;
    void e?.dispose();
  }
}
