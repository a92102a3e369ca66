/**
 * Embedding recipes for text: how `embedTexts` made its vectors, recorded so that a query text
 * can later be embedded into the same space (`transferkit index query --text`). Only
 * representations that depend on each text alone have one: `mean` and `mean-max` of word
 * vectors, and sentence encoders. `tfidf-mean` and `sif` are fitted on the collection, so a text
 * embedded outside that run would land in another space: they get no recipe. Nor do vectors that
 * cannot be loaded again as they were (built in memory, or only the first words of a file).
 *
 * A recipe names its files (absolute paths) and carries a check of what they held: for word
 * vectors, their number and a hash of a sample of words' values (`vectorsCheck`); for a sentence encoder,
 * its dimension and its vector of a text of the data (`SentenceEncoder.probeOf`; failing that, of the
 * fixed probe text, and nothing when that has no direction either). Loading a recipe whose files now
 * hold something else is an error, not queries answered in another space.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Encoder } from '../../src/encoder.js';
import { DataError, InvalidArgumentError, TransferkitError } from '../../src/errors.js';
import type { Progress } from '../../src/progress.js';
import { SentenceEncoder, SENTENCE_POOLINGS, USE_LITE, USE_LITE_MAX_CHUNKS, type SentencePooling } from '../sentence/index.js';
import { findBundled, loadVectors } from '../vectors/index.js';
import { createRepresentation, type RepresentationName } from './represent/index.js';
import { DEFAULT_TOKENIZER_OPTIONS, Tokenizer, tokenizerFor, type ResolvedTokenizerOptions } from './tokenize/tokenizer.js';
import { VectorLookup, type PretrainedVectors } from './vectors/lookup.js';

/** Representations whose vectors depend on each text alone. */
export const PER_TEXT_REPRESENTATIONS = ['mean', 'mean-max'] as const satisfies readonly RepresentationName[];
export type PerTextRepresentation = (typeof PER_TEXT_REPRESENTATIONS)[number];

export interface TextVectorsRecipe {
  kind: 'text-vectors';
  /** A bundled name or an absolute file path. */
  vectors: string;
  representation: PerTextRepresentation;
  tokenizer: ResolvedTokenizerOptions;
  caseFallback: boolean;
  dim: number;
  /** What the vectors held (absent in recipes written before it was recorded, and for vectors loaded only in part). */
  check?: VectorsCheck;
}

/** Words of the vectors whose values `vectorsCheck` hashes (evenly spaced rows, first and last included). */
export const VECTORS_CHECK_WORDS = 64;

/**
 * What a recipe records of word vectors: their number of words, a sample of them (evenly spaced
 * rows) and a sha256 of the sampled words' values. Checked by word, not by row, so the same vectors
 * in another row order pass.
 */
export interface VectorsCheck {
  words: number;
  sample: string[];
  sha256: string;
}

function sampleHash(vectors: PretrainedVectors, sample: readonly string[]): string | undefined {
  const hash = createHash('sha256').update(`${vectors.dim}\n`);
  for (const word of sample) {
    const r = vectors.indexOf(word);
    if (r < 0) return undefined;
    const row = vectors.matrix.subarray(r * vectors.dim, (r + 1) * vectors.dim);
    hash.update(`${word}\n`).update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
  }
  return hash.digest('hex');
}

/** The check of loaded vectors (see `VectorsCheck`). */
export function vectorsCheck(vectors: PretrainedVectors): VectorsCheck {
  const n = vectors.words.length;
  const m = Math.min(n, VECTORS_CHECK_WORDS);
  const rows = [...new Set(Array.from({ length: m }, (_, i) => Math.round((i * (n - 1)) / Math.max(m - 1, 1))))];
  const sample = rows.map((r) => vectors.words[r]);
  return { words: n, sample, sha256: sampleHash(vectors, sample)! };
}

/** Why loaded vectors are not the ones a check was recorded for, or undefined when they are. */
export function vectorsCheckProblem(vectors: PretrainedVectors, check: VectorsCheck): string | undefined {
  if (vectors.words.length !== check.words) return `${vectors.words.length} words, the data was embedded with ${check.words}`;
  const missing = check.sample.find((w) => vectors.indexOf(w) < 0);
  if (missing !== undefined) return `the word '${missing}' is no longer in them`;
  if (sampleHash(vectors, check.sample) !== check.sha256) return 'the same words, other values';
  return undefined;
}

/** A transformers.js sentence encoder's recipe (recipes without `family` are this kind). */
export interface TransformersEncoderRecipe {
  kind: 'text-encoder';
  family?: undefined;
  /** An absolute model folder or a hub id. */
  model: string;
  pooling: SentencePooling;
  maxTokens: number;
  quantized: boolean;
  /** Whether vectors are L2-normalised (absent: true). */
  normalize?: boolean;
  /** Put before every embedded text (absent: none). */
  prefix?: string;
  /** Put before a query text instead of `prefix` (e5: documents 'passage: ', queries 'query: '). */
  queryPrefix?: string;
  dim: number;
  /**
   * The model's fingerprint: `SentenceEncoder.probeOf(probeText)` — first values of its pooled vector
   * of one text of the data (absent in recipes written before it was recorded; without `probeText`,
   * of `SentenceEncoder.probe`'s fixed text).
   */
  probe?: number[];
  probeText?: string;
}

/** The Universal Sentence Encoder lite's recipe. */
export interface UseLiteEncoderRecipe {
  kind: 'text-encoder';
  family: 'use-lite';
  /** 'use-lite' (the packaged model) or an absolute folder in its layout. */
  model: string;
  /** Pieces kept per text (per window, with `chunks`). */
  maxTokens: number;
  /** Windows of `maxTokens` pieces a text is read as, its vector their normalised mean (absent: 1, as in recipes written before it existed). */
  chunks?: number;
  dim: number;
  /** As in `TransformersEncoderRecipe` (the model's vector, which is unit length; with `chunks`, the mean over the windows of `probeText`). */
  probe?: number[];
  probeText?: string;
}

export type TextEncoderRecipe = TransformersEncoderRecipe | UseLiteEncoderRecipe;

export type TextEmbeddingRecipe = TextVectorsRecipe | TextEncoderRecipe;

/**
 * The source to name in a recipe for word vectors — a string source as given (a bundled name, or an
 * existing file made absolute), or what loaded vectors came from when they were loaded whole — or why
 * there is none. `name` is what the caller calls the vectors (for the reason).
 */
function reloadableVectors(given: string | PretrainedVectors | undefined, name: string): { source: string } | { reason: string } {
  const origin = typeof given === 'object' ? (given as { origin?: { source?: string; limit?: number } }).origin : undefined;
  const source = typeof given === 'object' ? origin?.source : (given ?? name);
  if (origin?.limit !== undefined) return { reason: `the vectors '${source}' cannot be loaded again as they were (only their first words were loaded)` };
  if (source !== undefined && findBundled(source)) return { source };
  if (source !== undefined && existsSync(source)) return { source: resolve(source) };
  return { reason: `the vectors '${source ?? name}' cannot be loaded again as they were (built in memory, or not a file or bundled name)` };
}

/**
 * The recipe of a word-vector representation (vectors as given to `embedTexts`, named `name`), or why
 * there is none: the representation is fitted on the collection, or the vectors cannot be loaded again.
 */
export function textVectorsRecipe(
  given: string | PretrainedVectors | undefined,
  name: string,
  representation: RepresentationName,
  tokenizer: ResolvedTokenizerOptions,
  caseFallback: boolean,
  dim: number,
  /** The vectors as loaded, to record their check (left out for vectors loaded only in part). */
  loaded?: PretrainedVectors,
): TextVectorsRecipe | string {
  if (!PER_TEXT_REPRESENTATIONS.includes(representation as PerTextRepresentation)) {
    return `'${representation}' is fitted on the collection: a query embedded on its own would land in another space`;
  }
  const vectors = reloadableVectors(given, name);
  if ('reason' in vectors) return vectors.reason;
  const partial = (loaded as { origin?: { limit?: number } } | undefined)?.origin?.limit !== undefined;
  const check = loaded && !partial ? { check: vectorsCheck(loaded) } : {};
  return { kind: 'text-vectors', vectors: vectors.source, representation: representation as PerTextRepresentation, tokenizer, caseFallback, dim, ...check };
}

/**
 * The recipe of a loaded sentence encoder; `queryPrefix` is recorded when it differs from the
 * encoder's prefix. `probe` is the model's fingerprint for one text of the data (see
 * `SentenceEncoder.probeOf`); without it, the fixed probe text's is recorded when it has a direction
 * (a zero fingerprint would match any model), else none.
 */
export function textEncoderRecipe(encoder: SentenceEncoder, queryPrefix?: string, probe?: { text: string; values: number[] }): TextEncoderRecipe {
  const e = encoder.describe();
  // The fixed probe text's vector only when it has a direction: a zero fingerprint matches any model.
  const fingerprint = probe ? { probe: probe.values, probeText: probe.text } : encoder.probe.some((x) => x !== 0) ? { probe: encoder.probe } : {};
  if (e.family === 'use-lite') {
    if (queryPrefix !== undefined && queryPrefix !== '') {
      throw new InvalidArgumentError('a query prefix applies to transformers.js models, not to the Universal Sentence Encoder lite', { hint: 'drop it (--query-prefix)' });
    }
    return { kind: 'text-encoder', family: 'use-lite', model: e.source, maxTokens: e.maxTokens, ...(e.chunks !== undefined && e.chunks !== 1 ? { chunks: e.chunks } : {}), dim: e.dim, ...fingerprint };
  }
  return {
    kind: 'text-encoder',
    model: e.source,
    pooling: e.pooling,
    maxTokens: e.maxTokens,
    quantized: e.quantized,
    ...(e.normalize ? {} : { normalize: false }),
    ...(e.prefix ? { prefix: e.prefix } : {}),
    ...(queryPrefix !== undefined && queryPrefix !== e.prefix ? { queryPrefix } : {}),
    dim: e.dim,
    ...fingerprint,
  };
}

const isInt = (x: unknown, min: number) => Number.isInteger(x) && (x as number) >= min;
const isBool = (x: unknown) => typeof x === 'boolean';
const isText = (x: unknown) => typeof x === 'string';

function tokenizerProblem(t: unknown): string | undefined {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return 'tokenizer is not an object';
  const o = t as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_TOKENIZER_OPTIONS) as (keyof ResolvedTokenizerOptions)[]) {
    if (!(key in o)) return `tokenizer.${key} is missing`;
  }
  for (const key of ['lowercase', 'urls', 'emails', 'numbers', 'punctuation'] as const) if (!isBool(o[key])) return `tokenizer.${key} must be true or false`;
  if (!['NFC', 'NFKC', 'none'].includes(o.unicodeForm as string)) return "tokenizer.unicodeForm must be 'NFC', 'NFKC' or 'none'";
  if (!isInt(o.maxTokens, 0) || !isInt(o.maxTokenLength, 1)) return 'tokenizer.maxTokens / maxTokenLength must be whole numbers';
  const p = o.placeholders as Record<string, unknown> | null;
  if (p === null || typeof p !== 'object' || !['url', 'email', 'number'].every((k) => isText(p[k]))) return 'tokenizer.placeholders must name url, email and number';
  return undefined;
}

function probeProblem(r: Record<string, unknown>): string | undefined {
  if (r.probe !== undefined && !(Array.isArray(r.probe) && r.probe.length > 0 && r.probe.every((x) => typeof x === 'number' && Number.isFinite(x)))) return 'probe must be a list of numbers';
  if (r.probeText !== undefined && (!isText(r.probeText) || r.probe === undefined)) return 'probeText must be a string, given with probe';
  return undefined;
}

/** What is wrong with a value as a text recipe (undefined: it is a usable one). */
export function textRecipeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  if (!isInt(r.dim, 1)) return 'dim must be a whole number ≥ 1';
  if (r.kind === 'text-vectors') {
    if (!isText(r.vectors) || !r.vectors) return 'vectors must name a vectors file or bundled set';
    if (!PER_TEXT_REPRESENTATIONS.includes(r.representation as PerTextRepresentation)) return `representation must be ${PER_TEXT_REPRESENTATIONS.join(' or ')} (others are fitted on the collection)`;
    if (!isBool(r.caseFallback)) return 'caseFallback must be true or false';
    if (r.check !== undefined) {
      const c = r.check as Record<string, unknown> | null;
      const sampleOk = Array.isArray(c?.sample) && (c!.sample as unknown[]).length <= VECTORS_CHECK_WORDS && (c!.sample as unknown[]).every(isText);
      if (c === null || typeof c !== 'object' || !isInt(c.words, 0) || !sampleOk || !/^[0-9a-f]{64}$/.test(String(c.sha256))) return 'check must be { words, sample, sha256 } as text embed writes it';
    }
    return tokenizerProblem(r.tokenizer);
  }
  if (r.kind === 'text-encoder' && r.family !== undefined) {
    if (r.family !== 'use-lite') return `family '${String(r.family)}' is not a sentence encoder this version knows (use-lite, or none for transformers.js)`;
    if (!isText(r.model) || !(r.model === USE_LITE || isAbsolute(r.model as string))) return "model must be 'use-lite' or an absolute model folder";
    if (!isInt(r.maxTokens, 1)) return 'maxTokens must be a whole number ≥ 1';
    if (r.chunks !== undefined && !(isInt(r.chunks, 1) && (r.chunks as number) <= USE_LITE_MAX_CHUNKS)) return `chunks must be a whole number from 1 to ${USE_LITE_MAX_CHUNKS}`;
    return probeProblem(r);
  }
  if (r.kind === 'text-encoder') {
    if (!isText(r.model) || !r.model) return 'model must name a model folder or hub id';
    if (!SENTENCE_POOLINGS.includes(r.pooling as SentencePooling)) return `pooling must be ${SENTENCE_POOLINGS.join(' or ')}`;
    if (!isInt(r.maxTokens, 2)) return 'maxTokens must be a whole number ≥ 2';
    if (!isBool(r.quantized)) return 'quantized must be true or false';
    if (r.normalize !== undefined && !isBool(r.normalize)) return 'normalize must be true or false';
    if ((r.prefix !== undefined && !isText(r.prefix)) || (r.queryPrefix !== undefined && !isText(r.queryPrefix))) return 'prefix and queryPrefix must be strings';
    if (r.chunks !== undefined && r.chunks !== 1) return "chunks applies to the Universal Sentence Encoder lite (family 'use-lite'), not to a transformers.js model";
    return probeProblem(r);
  }
  return `kind '${String(r.kind)}' is not a text recipe`;
}

/** Whether a JSON value is a text recipe this version can use. */
export function isTextRecipe(value: unknown): value is TextEmbeddingRecipe {
  return textRecipeProblem(value) === undefined;
}

/** The mean recipe of a word-vectors source (an index built from the vectors themselves can then be queried with a text). */
export function wordVectorsRecipe(vectors: PretrainedVectors & { words: readonly string[] }, source: string): TextVectorsRecipe | undefined {
  // The source as named (an index over the first N words still embeds a query with all of them).
  const recipe = textVectorsRecipe(source, source, 'mean', tokenizerFor(vectors.words).toJSON(), true, vectors.dim, vectors);
  return typeof recipe === 'string' ? undefined : recipe;
}

/** Whether two probe vectors agree (cosine ≥ 0.999 over the recorded values: same model, up to float noise). */
function sameProbe(recorded: readonly number[], now: readonly number[]): boolean {
  if (recorded.length !== now.length) return false;
  let dot = 0, a = 0, b = 0;
  for (let i = 0; i < now.length; i++) {
    dot += recorded[i] * now[i];
    a += recorded[i] ** 2;
    b += now[i] ** 2;
  }
  return a > 0 && b > 0 ? dot / Math.sqrt(a * b) >= 0.999 : a === b;
}

/**
 * Load what a recipe names (word vectors or a sentence encoder) as an encoder of query texts into the
 * recipe's space. Failures say they come from the recipe.
 */
export async function textQueryEncoder(recipe: TextEmbeddingRecipe, options: { progress?: Progress; vectors?: PretrainedVectors } = {}): Promise<Encoder<string>> {
  const problem = textRecipeProblem(recipe);
  if (problem) throw new InvalidArgumentError(`not a usable text embedding recipe: ${problem}`, { hint: 'rebuild the index from the JSONL that text embed wrote, or give index build --recipe FILE' });
  try {
    if (recipe.kind === 'text-encoder') {
      const encoder = await SentenceEncoder.load(
        recipe.family === 'use-lite'
          ? { model: recipe.model, maxTokens: recipe.maxTokens, chunks: recipe.chunks }
          : {
              model: recipe.model,
              // Local models are recorded by absolute path: anything else is a hub id, whatever folder of that name is here.
              hub: !isAbsolute(recipe.model),
              pooling: recipe.pooling,
              maxTokens: recipe.maxTokens,
              quantized: recipe.quantized,
              normalize: recipe.normalize ?? true,
              prefix: recipe.queryPrefix ?? recipe.prefix,
            },
      );
      try {
        const problem =
          encoder.dim !== recipe.dim
            ? `it gives ${encoder.dim}-d vectors, the data was embedded with ${recipe.dim}-d ones`
            : recipe.probe && !sameProbe(recipe.probe, recipe.probeText !== undefined ? await encoder.probeOf(recipe.probeText) : encoder.probe)
              ? `its vector of ${recipe.probeText !== undefined ? 'a text of the data' : 'a fixed probe text'} differs`
              : undefined;
        if (problem) throw new DataError(`the model there is not the one the data was embedded with (${problem})`);
      } catch (e) {
        encoder.dispose();
        throw e;
      }
      return encoder;
    }
    // Vectors the caller has loaded already serve when they are the very ones the recipe names.
    const given = options.vectors && reloadableVectors(options.vectors, '');
    const vectors = given && 'source' in given && given.source === recipe.vectors ? options.vectors! : await loadVectors(recipe.vectors, { progress: options.progress });
    const changed = recipe.check && vectorsCheckProblem(vectors, recipe.check);
    if (changed) throw new DataError(`the vectors there are not the ones the data was embedded with (${changed})`);
    const tokenizer = new Tokenizer(recipe.tokenizer);
    const lookup = new VectorLookup(vectors, { caseFallback: recipe.caseFallback });
    // A per-text representation needs no fitting: it is an Encoder<string> as it stands.
    const representation = createRepresentation(recipe.representation, tokenizer, lookup, { source: recipe.vectors });
    if (representation.dim !== recipe.dim) throw new InvalidArgumentError(`the vectors now give ${representation.dim}-d ${recipe.representation} vectors, the recipe says ${recipe.dim}`);
    return representation;
  } catch (e) {
    const what = recipe.kind === 'text-encoder' ? `sentence encoder ${recipe.model}` : `word vectors ${recipe.vectors}`;
    const code = (e as TransferkitError).code ?? 'E_DATA';
    throw new TransferkitError(code, `the index's recipe names ${what}, which cannot be used: ${(e as Error).message}`, {
      // Offline and download failures have their own remedy; anything else means the files moved or changed.
      hint:
        code === 'E_OFFLINE' || code === 'E_MODEL'
          ? (e as TransferkitError).hint
          : 'the files it names must still be where they were when the data was embedded; otherwise embed the data again and rebuild the index',
      cause: e,
    });
  }
}
