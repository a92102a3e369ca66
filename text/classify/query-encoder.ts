/**
 * Embedding recipes for text: how `embedTexts` made its vectors, recorded so that a query text
 * can later be embedded into the same space (`transferkit index query --text`). Only
 * representations that depend on each text alone have one: `mean` and `mean-max` of word
 * vectors, and sentence encoders. `tfidf-mean` and `sif` are fitted on the collection, so a text
 * embedded outside that run would land in another space: they get no recipe.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Encoder } from '../../src/encoder.js';
import { InvalidArgumentError } from '../../src/errors.js';
import type { Progress } from '../../src/progress.js';
import { SentenceEncoder, SENTENCE_POOLINGS, type SentencePooling } from '../sentence/index.js';
import { findBundled, loadVectors } from '../vectors/index.js';
import { createRepresentation, type RepresentationName } from './represent/index.js';
import { Tokenizer, type ResolvedTokenizerOptions } from './tokenize/tokenizer.js';
import { VectorLookup } from './vectors/lookup.js';

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
}

export interface TextEncoderRecipe {
  kind: 'text-encoder';
  /** An absolute model folder or a hub id. */
  model: string;
  pooling: SentencePooling;
  maxTokens: number;
  quantized: boolean;
  /** Put before every text (absent: none). */
  prefix?: string;
  dim: number;
}

export type TextEmbeddingRecipe = TextVectorsRecipe | TextEncoderRecipe;

/** A vectors source that can be loaded again from elsewhere: a bundled name, or an existing file made absolute; else undefined. */
export function reloadableVectorsSource(source: string): string | undefined {
  if (findBundled(source)) return source;
  return existsSync(source) ? resolve(source) : undefined;
}

/** Whether a JSON value is a text recipe this version can use. */
export function isTextRecipe(value: unknown): value is TextEmbeddingRecipe {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  if (r.kind === 'text-vectors') {
    return typeof r.vectors === 'string' && PER_TEXT_REPRESENTATIONS.includes(r.representation as PerTextRepresentation) && typeof r.tokenizer === 'object' && r.tokenizer !== null;
  }
  if (r.kind === 'text-encoder') return typeof r.model === 'string' && SENTENCE_POOLINGS.includes(r.pooling as SentencePooling);
  return false;
}

/** Load what a recipe names (word vectors or a sentence encoder) as an encoder of texts into the recipe's space. */
export async function textQueryEncoder(recipe: TextEmbeddingRecipe, options: { progress?: Progress } = {}): Promise<Encoder<string>> {
  if (!isTextRecipe(recipe)) throw new InvalidArgumentError('not a text embedding recipe', { hint: "a recipe written by 'text embed' has kind 'text-vectors' or 'text-encoder'" });
  if (recipe.kind === 'text-encoder') {
    return SentenceEncoder.load({ model: recipe.model, pooling: recipe.pooling, maxTokens: recipe.maxTokens, quantized: recipe.quantized, prefix: recipe.prefix });
  }
  const vectors = await loadVectors(recipe.vectors, { progress: options.progress });
  const tokenizer = new Tokenizer(recipe.tokenizer);
  const lookup = new VectorLookup(vectors, { caseFallback: recipe.caseFallback });
  // A per-text representation needs no fitting: it is an Encoder<string> as it stands.
  return createRepresentation(recipe.representation, tokenizer, lookup, { source: recipe.vectors });
}
