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
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Encoder, Provenance } from '../../src/encoder.js';
import { InvalidArgumentError, NotFoundError, OfflineError, TransferkitError } from '../../src/errors.js';
import { silentProgress, type Progress } from '../../src/progress.js';
import { cachePath, settings } from '../../src/settings.js';

export type SentencePooling = 'mean' | 'cls';
export const SENTENCE_POOLINGS: readonly SentencePooling[] = ['mean', 'cls'];

export interface SentenceEncoderOptions {
  /** A model folder (transformers.js layout) or a Hugging Face hub id such as 'Xenova/all-MiniLM-L6-v2'. */
  model: string;
  /** 'mean' over the tokens (sentence-transformers' usual pooling) or the 'cls' token. Default 'mean'. */
  pooling?: SentencePooling;
  /** L2-normalise each vector. Default true. */
  normalize?: boolean;
  /**
   * Use onnx/model_quantized.onnx (8-bit) instead of onnx/model.onnx. Default: for a folder, the
   * quantized file when the folder has it, else model.onnx; for a hub id, true (as transformers.js).
   */
  quantized?: boolean;
  /** Texts per model call. Default 16. */
  batchSize?: number;
  /**
   * Tokens kept per text, counting [CLS]; longer texts are cut at the end (transformers.js then drops the
   * closing [SEP] too). Default: the tokenizer's model_max_length, at most 512.
   */
  maxTokens?: number;
  /** Where hub downloads are kept. Default <transferkit cache>/transformers. */
  cacheDir?: string;
  /** Refuse hub downloads. Default: TRANSFERKIT_OFFLINE. */
  offline?: boolean;
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

/** Check a folder has what transformers.js will read, and pick the ONNX file. */
export function checkModelFolder(dir: string, quantized?: boolean): SentenceModelFolder {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new NotFoundError(`no model folder at ${dir}`, { hint: 'give a folder with config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx, or a hub id such as Xenova/all-MiniLM-L6-v2' });
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

function cachedFolder(dir: string, quantized: boolean): SentenceModelFolder | undefined {
  try {
    return checkModelFolder(dir, quantized);
  } catch {
    return undefined;
  }
}

type FeatureExtractor = {
  (texts: string[], options: { pooling: 'mean' | 'cls'; normalize: boolean }): Promise<{ data: Float32Array; dims: number[]; dispose?: () => void }>;
  tokenizer: { model_max_length?: number };
  dispose(): Promise<void>;
};

/** transformers.js keeps its settings in one global object: loads are serialised while they change it. */
let loading: Promise<unknown> = Promise.resolve();

async function loadExtractor(location: { folder?: SentenceModelFolder; hubId?: string }, options: SentenceEncoderOptions): Promise<FeatureExtractor> {
  const { env, pipeline } = await import('@xenova/transformers');
  const run = async () => {
    if (location.folder) {
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.useFSCache = false; // the folder, never a cached hub model of the same name
      env.localModelPath = `${dirname(location.folder.dir)}/`;
      return pipeline('feature-extraction', basename(location.folder.dir), { quantized: location.folder.quantized });
    }
    env.allowLocalModels = false;
    env.allowRemoteModels = !(options.offline ?? settings.offline);
    env.useFSCache = true;
    env.cacheDir = options.cacheDir ?? cachePath('transformers');
    return pipeline('feature-extraction', location.hubId!, { quantized: options.quantized ?? true });
  };
  const result = loading.then(run, run);
  loading = result.catch(() => undefined);
  return (await result) as unknown as FeatureExtractor;
}

export class SentenceEncoder implements Encoder<string> {
  readonly name: string;
  readonly dim: number;
  readonly provenance: Provenance;
  readonly pooling: SentencePooling;
  readonly normalize: boolean;
  readonly maxTokens: number;
  /** Whether the 8-bit onnx/model_quantized.onnx runs (else onnx/model.onnx). */
  readonly quantized: boolean;
  /** The model's files: the folder given, or where a hub model was cached (absent if that cannot be found). */
  readonly folder?: SentenceModelFolder;
  private extractor: FeatureExtractor | null;
  private readonly batchSize: number;

  private constructor(
    extractor: FeatureExtractor,
    dim: number,
    options: Required<Pick<SentenceEncoderOptions, 'pooling' | 'normalize' | 'batchSize' | 'quantized'>> & { model: string; maxTokens: number; folder?: SentenceModelFolder; local: boolean },
  ) {
    this.extractor = extractor;
    this.dim = dim;
    this.pooling = options.pooling;
    this.normalize = options.normalize;
    this.batchSize = options.batchSize;
    this.maxTokens = options.maxTokens;
    this.folder = options.folder;
    this.quantized = options.quantized;
    this.name = `${options.local && options.folder ? basename(options.folder.dir) : options.model}/${options.pooling}`;
    this.provenance = { source: options.local && options.folder ? options.folder.dir : options.model, description: `transformers.js feature extraction, ${options.pooling} pooling${options.normalize ? ', L2-normalised' : ''}` };
  }

  /** Load a model folder or hub model and probe its output size. */
  static async load(options: SentenceEncoderOptions): Promise<SentenceEncoder> {
    const pooling = options.pooling ?? 'mean';
    if (!SENTENCE_POOLINGS.includes(pooling)) throw new InvalidArgumentError(`unknown pooling '${pooling as string}'`, { hint: `use one of ${SENTENCE_POOLINGS.join(', ')}` });
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
    if (options.maxTokens !== undefined && (!Number.isInteger(options.maxTokens) || options.maxTokens < 2)) {
      throw new InvalidArgumentError(`maxTokens must be a whole number ≥ 2 (room for the special tokens), got ${options.maxTokens}`);
    }
    const model = options.model?.trim();
    if (!model) throw new InvalidArgumentError('no sentence model given', { hint: 'give a model folder or a hub id such as Xenova/all-MiniLM-L6-v2' });
    const isPath = existsSync(model) || /^(\.{0,2}\/|~)/.test(model) || !HUB_ID.test(model);
    const folder = isPath ? checkModelFolder(model, options.quantized) : undefined;
    let extractor: FeatureExtractor;
    try {
      extractor = await loadExtractor(folder ? { folder } : { hubId: model }, options);
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      if (!folder && (options.offline ?? settings.offline)) {
        throw new OfflineError(`sentence model ${model} is not in the cache and downloads are off (TRANSFERKIT_OFFLINE)`, { hint: 'unset TRANSFERKIT_OFFLINE once to download it, or give a local model folder' });
      }
      throw new TransferkitError('E_MODEL', `could not load sentence model ${model}: ${message}`, {
        hint: folder ? 'the folder must hold a transformers.js feature-extraction model (ONNX export of a BERT-like encoder)' : 'check the hub id, or download the model folder and give its path',
      });
    }
    const fromTokenizer = extractor.tokenizer.model_max_length;
    const maxTokens = options.maxTokens ?? Math.min(Number.isFinite(fromTokenizer) && fromTokenizer! > 0 ? fromTokenizer! : MAX_TOKENS_CAP, MAX_TOKENS_CAP);
    extractor.tokenizer.model_max_length = maxTokens;
    const probe = await extractor(['probe'], { pooling, normalize: false });
    const dim = probe.dims[probe.dims.length - 1];
    probe.dispose?.();
    const quantized = folder?.quantized ?? options.quantized ?? true;
    // A hub model is cached in the transformers.js layout under <cacheDir>/<id>: its files, for a bundle.
    const cached = folder ?? cachedFolder(join(options.cacheDir ?? cachePath('transformers'), model), quantized);
    return new SentenceEncoder(extractor, dim, { model, pooling, normalize: options.normalize ?? true, batchSize, maxTokens, folder: cached, quantized, local: Boolean(folder) });
  }

  /** Encode texts: row-major texts.length × dim. A text whose pooled vector is zero stays zero (it is not normalised). */
  async encode(texts: readonly string[], progress: Progress = silentProgress): Promise<Float32Array> {
    const extractor = this.extractor;
    if (!extractor) throw new InvalidArgumentError('this sentence encoder was disposed');
    const out = new Float32Array(texts.length * this.dim);
    progress.start('encoding texts', texts.length);
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize).map((t) => (typeof t === 'string' ? t : String(t)));
      const result = await extractor(batch, { pooling: this.pooling, normalize: false });
      out.set(result.data.subarray(0, batch.length * this.dim), i * this.dim);
      result.dispose?.();
      progress.update(i + batch.length);
    }
    progress.stop();
    if (this.normalize) {
      for (let r = 0; r < texts.length; r++) {
        const row = out.subarray(r * this.dim, (r + 1) * this.dim);
        let n = 0;
        for (let k = 0; k < row.length; k++) n += row[k] * row[k];
        if (n > 0) {
          const s = 1 / Math.sqrt(n);
          for (let k = 0; k < row.length; k++) row[k] *= s;
        }
      }
    }
    return out;
  }

  dispose(): void {
    const e = this.extractor;
    this.extractor = null;
    void e?.dispose();
  }
}
