/**
 * Document embeddings for the nearest-neighbour index: a representation built from
 * pretrained word vectors (mean, TF-IDF-weighted mean, SIF or mean‖max), written one
 * JSON object per line — `{"key", "vector", "label"?, "text"}` — the format
 * `transferkit index build` reads. Texts with no word that has a vector have no
 * direction (a zero vector) and are left out, with their keys reported. Written atomically.
 *
 * `mean` and `mean-max` depend on each text alone, so texts embedded later (a query)
 * land in the same space. `tfidf-mean` and `sif` are fitted on the collection given
 * (idf, word frequencies, SIF's common component): vectors from separate runs are not
 * comparable, and SIF needs a collection large enough to have a common component.
 *
 * With `encoder`, a sentence encoder (../sentence: use-lite or a transformers.js ONNX model) replaces
 * the word vectors; its vectors depend on each text alone.
 */
import type { Provenance } from '../../src/encoder.js';
import { DataError, InvalidArgumentError } from '../../src/errors.js';
import { streamFileAtomic, writeChunk } from '../../src/io/atomic.js';
import { silentProgress, type Progress } from '../../src/progress.js';
import { SentenceEncoder, type SentenceEncoderOptions } from '../sentence/index.js';
import { textEncoderRecipe, textVectorsRecipe, type TextEmbeddingRecipe } from './query-encoder.js';
import { createRepresentation, REPRESENTATIONS, type RepresentationName } from './represent/index.js';
import { tokenizerFor, type TokenizerOptions } from './tokenize/tokenizer.js';
import { oovReport, VectorLookup, type OovReport, type PretrainedVectors } from './vectors/lookup.js';
import { resolveTextVectors } from './vectors/source.js';

/** A text to embed; `key` defaults to its position among the texts (1 = first), as a string. */
export interface EmbeddableText {
  text: string;
  key?: string;
  label?: string;
}

export interface EmbedTextsOptions {
  /**
   * A sentence encoder (a transformers.js ONNX model: folder, hub id, options or a loaded encoder)
   * instead of word vectors: each text becomes the model's pooled output. Excludes `vectors`,
   * `representation`, `tokenizer` and `caseFallback`. A loaded encoder is left open; one this
   * function loads is disposed when it ends.
   */
  encoder?: SentenceEncoder | SentenceEncoderOptions | string;
  /**
   * With `encoder`: the prefix a query text gets, recorded in the recipe, when it differs from the
   * prefix the embedded texts got (e5: texts 'passage: ', queries 'query: '). Default: the same.
   */
  queryPrefix?: string;
  /** Word vectors: a loaded set, or a source for `loadVectors` (path or bundled name). Default 'glove-wink-100d'. */
  vectors?: PretrainedVectors | string;
  /** Name recorded for in-memory vectors. */
  vectorsName?: string;
  /** Document representation. Default 'mean': per text, so later queries share the space (see the module doc). */
  representation?: RepresentationName;
  /** Tokeniser options; `lowercase` defaults to whether the vectors look lowercase. */
  tokenizer?: TokenizerOptions;
  /** Retry a word's lowercase form when it has no vector. Default true. */
  caseFallback?: boolean;
  /** Characters of each text kept as `text` metadata (0: none). Default 200. */
  snippet?: number;
  /** Significant digits per component. Default 6. */
  precision?: number;
  progress?: Progress;
}

/** Texts to embed: an array of { text, key?, label? } records with a string text (and a string key and label when given). */
function checkEmbeddable(texts: readonly EmbeddableText[]): void {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`);
  if (!Array.isArray(texts)) throw new InvalidArgumentError(`the texts to embed must be an array of { text, key?, label? } records, got ${kind(texts)}`);
  texts.forEach((t: unknown, i) => {
    const where = `record ${i + 1} of the texts to embed`;
    if (t === null || typeof t !== 'object') throw new DataError(`${where} is ${kind(t)}, not a { text, key?, label? } object`);
    const { text, key, label } = t as Record<string, unknown>;
    if (typeof text !== 'string') throw new DataError(`${where} has a text that is ${kind(text)}, not a string`, { hint: 'every text is a string' });
    if (key !== undefined && typeof key !== 'string') throw new DataError(`${where} has a key that is ${kind(key)}, not a string`, { hint: 'keys are strings (String(n) for a number)' });
    if (label !== undefined && typeof label !== 'string') throw new DataError(`${where} has a label that is ${kind(label)}, not a string`, { hint: 'labels are strings (String(n) for a number)' });
  });
}

/** Fewest distinct texts (with a known word) SIF accepts. */
export const SIF_MIN_TEXTS = 10;

/** The first `n` characters of `text`, never cutting a surrogate pair in two. */
function snippetOf(text: string, n: number): string {
  if (text.length <= n) return text;
  const cut = /[\uD800-\uDBFF]/.test(text[n - 1] ?? '') ? n - 1 : n;
  return `${text.slice(0, cut)}…`;
}

export interface EmbedTextsResult {
  /** Documents written. */
  count: number;
  dim: number;
  /** The word-vector representation, or 'sentence' for a sentence encoder. */
  representation: RepresentationName | 'sentence';
  /** Keys of the texts left out because their vector is zero (no word with a vector, or an encoder output of zero). */
  empty: string[];
  /** Out-of-vocabulary rates (word vectors only). */
  oov?: OovReport;
  /** The sentence encoder's name and source (sentence encoders only). */
  /** The sentence encoder used; `chunks` for use-lite reading more than one window of `maxTokens` pieces. */
  encoder?: { name: string; source: string; maxTokens: number; chunks?: number };
  /**
   * How to embed a query text into the same space (`textQueryEncoder`; saved with an index by
   * `index build`), or undefined with `noRecipe` saying why (tfidf-mean and sif are fitted on the
   * collection; in-memory vectors cannot be loaded again).
   */
  recipe?: TextEmbeddingRecipe;
  noRecipe?: string;
  seconds: number;
}

/** Embed texts with a word-vector document representation and write them as JSONL for `index build`. */
export async function embedTexts(texts: readonly EmbeddableText[], out: string, options: EmbedTextsOptions = {}): Promise<EmbedTextsResult> {
  const started = performance.now();
  if (options.encoder !== undefined) {
    const clash = (['vectors', 'representation', 'tokenizer', 'caseFallback'] as const).filter((k) => options[k] !== undefined);
    if (clash.length) throw new InvalidArgumentError(`a sentence encoder replaces word vectors: drop ${clash.join(', ')}`, { hint: 'give either a sentence encoder or word vectors with a representation' });
  } else if (options.queryPrefix !== undefined) {
    throw new InvalidArgumentError('queryPrefix applies to a sentence encoder', { hint: 'give encoder, or drop queryPrefix' });
  }
  const representation = options.representation ?? 'mean';
  if (!REPRESENTATIONS.includes(representation)) {
    throw new InvalidArgumentError(`unknown representation '${representation as string}'`, { hint: `use one of ${REPRESENTATIONS.join(', ')}` });
  }
  const snippet = options.snippet ?? 200;
  const precision = options.precision ?? 6;
  if (!Number.isInteger(snippet) || snippet < 0) throw new InvalidArgumentError(`snippet must be a whole number of characters ≥ 0, got ${snippet}`);
  if (!Number.isInteger(precision) || precision < 1 || precision > 9) throw new InvalidArgumentError(`precision must be 1–9 significant digits, got ${precision}`);
  checkEmbeddable(texts);
  if (texts.length === 0) throw new DataError('no texts to embed', { hint: 'give a file with at least one text' });
  const keys = texts.map((t, i) => t.key ?? String(i + 1));
  const seen = new Map<string, number>();
  keys.forEach((k, i) => {
    const first = seen.get(k);
    if (first !== undefined) {
      throw new DataError(`key '${k}' names two texts (records ${first + 1} and ${i + 1})`, { hint: 'every text needs its own key: choose a key column with unique values' });
    }
    seen.set(k, i);
  });

  const progress = options.progress ?? silentProgress;
  const embedded =
    options.encoder !== undefined ? await embedWithEncoder(texts, options.encoder, options.queryPrefix, progress) : await embedWithVectors(texts, representation, options, progress);
  const { matrix: vectorsOut, dim } = embedded;

  const empty: string[] = [];
  let count = 0;
  await streamFileAtomic(out, async (stream) => {
    progress.start('write', texts.length);
    try {
      let chunk = '';
      for (let i = 0; i < texts.length; i++) {
        const v = vectorsOut.subarray(i * dim, (i + 1) * dim);
        if (v.every((x) => x === 0)) {
          empty.push(keys[i]);
          continue;
        }
        const record: Record<string, unknown> = { key: keys[i], vector: Array.from(v, (x) => Number(x.toPrecision(precision))) };
        if (texts[i].label !== undefined) record.label = texts[i].label;
        if (snippet > 0) record.text = snippetOf(texts[i].text, snippet);
        chunk += JSON.stringify(record) + '\n';
        count++;
        if (chunk.length > 1 << 20) {
          await writeChunk(stream, chunk);
          chunk = '';
          progress.update(i + 1);
        }
      }
      if (count === 0) {
        throw embedded.oov
          ? new DataError(`none of the ${texts.length} texts has a word with a vector: nothing to index`, {
              hint: 'check the text column and that the vectors match the language and case of the texts',
            })
          : new DataError(`the sentence encoder gave a zero vector for all ${texts.length} texts: nothing to index`, { hint: 'check the text column and the model' });
      }
      await writeChunk(stream, chunk);
      progress.update(texts.length);
    } finally {
      progress.stop();
    }
  });
  return {
    count,
    dim,
    representation: embedded.encoder ? 'sentence' : representation,
    empty,
    ...(embedded.oov ? { oov: embedded.oov } : {}),
    ...(embedded.encoder ? { encoder: embedded.encoder } : {}),
    ...(typeof embedded.recipe === 'string' ? { noRecipe: embedded.recipe } : { recipe: embedded.recipe }),
    seconds: (performance.now() - started) / 1000,
  };
}

interface Embedded {
  matrix: Float32Array;
  dim: number;
  oov?: OovReport;
  encoder?: EmbedTextsResult['encoder'];
  /** The recipe, or why there is none. */
  recipe: TextEmbeddingRecipe | string;
}

/** Characters of a text kept as a recipe's probe text (enough for any model to see several tokens). */
const PROBE_TEXT_CHARS = 200;
/** Texts tried as the probe text before giving up (each costs one short encoding). */
const PROBE_CANDIDATES = 20;

/**
 * The recipe's fingerprint of the model: its vector (no prefix) of the first text of the data, cut
 * to PROBE_TEXT_CHARS, that it gives a direction to — or none when no candidate does (a zero
 * fingerprint would match any model).
 */
async function fingerprint(encoder: SentenceEncoder, texts: readonly EmbeddableText[]): Promise<{ text: string; values: number[] } | undefined> {
  for (const t of texts.slice(0, PROBE_CANDIDATES)) {
    const text = t.text.slice(0, PROBE_TEXT_CHARS);
    if (text.trim() === '') continue;
    const values = await encoder.probeOf(text);
    if (values.some((x) => x !== 0)) return { text, values };
  }
  return undefined;
}

async function embedWithEncoder(texts: readonly EmbeddableText[], given: NonNullable<EmbedTextsOptions['encoder']>, queryPrefix: string | undefined, progress: Progress): Promise<Embedded> {
  const owned = !(given instanceof SentenceEncoder);
  const encoder = given instanceof SentenceEncoder ? given : await SentenceEncoder.load(typeof given === 'string' ? { model: given } : given);
  try {
    const matrix = await encoder.encode(texts.map((t) => t.text), progress);
    const chunks = (encoder.describe() as { chunks?: number }).chunks;
    const encoderInfo = { name: encoder.name, source: encoder.provenance.source, maxTokens: encoder.maxTokens, ...(chunks !== undefined && chunks !== 1 ? { chunks } : {}) };
    return { matrix, dim: encoder.dim, encoder: encoderInfo, recipe: textEncoderRecipe(encoder, queryPrefix, await fingerprint(encoder, texts)) };
  } finally {
    if (owned) encoder.dispose();
  }
}

async function embedWithVectors(texts: readonly EmbeddableText[], representation: RepresentationName, options: EmbedTextsOptions, progress: Progress): Promise<Embedded> {
  const { vectors, source } = await resolveTextVectors(options.vectors, { vectorsName: options.vectorsName, progress });
  const tokenizer = tokenizerFor(vectors.words, options.tokenizer);
  const lookup = new VectorLookup(vectors, { caseFallback: options.caseFallback });
  const provenance: Provenance = { source };
  const docs = tokenizer.tokenizeAll(texts.map((t) => t.text));
  if (representation === 'sif') {
    // SIF removes the collection's common direction: with a handful of texts that direction is
    // the texts themselves (two texts come out exactly opposite, duplicates as zero vectors).
    const distinct = new Set(docs.filter((d) => d.some((t) => lookup.row(t) >= 0)).map((d) => d.join(' '))).size;
    if (distinct < SIF_MIN_TEXTS) {
      throw new DataError(`SIF needs at least ${SIF_MIN_TEXTS} distinct texts with known words to estimate their common component; got ${distinct}`, {
        hint: "use the 'mean' representation (the default) for small collections",
      });
    }
  }
  const encoder = createRepresentation(representation, tokenizer, lookup, provenance).fit(docs);
  const matrix = encoder.encodeTokens(docs);
  const recipe = textVectorsRecipe(options.vectors, source, representation, tokenizer.toJSON(), lookup.caseFallback, encoder.dim, vectors);
  return { matrix, dim: encoder.dim, oov: oovReport(docs, lookup), recipe };
}
