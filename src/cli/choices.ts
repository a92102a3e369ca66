/**
 * The domain values command registration shows in `--help` (option choices and defaults),
 * held here so that start-up imports no domain module: text, vision, embeddings and
 * TensorFlow.js load only when a command that needs them runs.
 *
 * Each list is tied to its domain's type: a member added to or removed from the type
 * without updating the list here fails `tsc`. test/cli/choices.test.ts compares every
 * value (order and defaults included) with the domain's own constant.
 */
import type { Metric } from '../../embeddings/index.js';
import type { DatasetFormat, RepresentationName, SentencePooling, VectorFormat, WritableFormat } from '../../text/index.js';
import type { StrategyName } from '../../vision/index.js';

/** `true` only when A and B have the same members. */
type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
type Check<T extends true> = T;

/** embeddings METRICS. */
export const METRIC_CHOICES = ['cosine', 'l2', 'ip'] as const satisfies readonly Metric[];
export type MetricChecked = Check<SameMembers<(typeof METRIC_CHOICES)[number], Metric>>;

/** embeddings DEFAULT_M, DEFAULT_EF_CONSTRUCTION, DEFAULT_EF. */
export const HNSW_DEFAULTS = { M: 16, efConstruction: 200, ef: 256 } as const;

/** text VECTOR_FORMATS and WRITABLE_FORMATS. */
export const VECTOR_FORMAT_CHOICES = ['glove', 'word2vec', 'fasttext', 'word2vec-bin', 'wink'] as const satisfies readonly VectorFormat[];
export type VectorFormatChecked = Check<SameMembers<(typeof VECTOR_FORMAT_CHOICES)[number], VectorFormat>>;
export const WRITABLE_FORMAT_CHOICES = ['glove', 'word2vec', 'fasttext', 'word2vec-bin'] as const satisfies readonly WritableFormat[];
export type WritableFormatChecked = Check<SameMembers<(typeof WRITABLE_FORMAT_CHOICES)[number], WritableFormat>>;

/** text DATASET_FORMATS. */
export const DATASET_FORMAT_CHOICES = ['csv', 'tsv', 'jsonl', 'fasttext'] as const satisfies readonly DatasetFormat[];
export type DatasetFormatChecked = Check<SameMembers<(typeof DATASET_FORMAT_CHOICES)[number], DatasetFormat>>;

/** text REPRESENTATIONS. */
export const REPRESENTATION_CHOICES = ['mean', 'tfidf-mean', 'sif', 'mean-max'] as const satisfies readonly RepresentationName[];
export type RepresentationChecked = Check<SameMembers<(typeof REPRESENTATION_CHOICES)[number], RepresentationName>>;

/** text SENTENCE_POOLINGS. */
export const SENTENCE_POOLING_CHOICES = ['mean', 'cls'] as const satisfies readonly SentencePooling[];
export type SentencePoolingChecked = Check<SameMembers<(typeof SENTENCE_POOLING_CHOICES)[number], SentencePooling>>;

/** text DEFAULT_TEXT_VECTORS. */
export const DEFAULT_TEXT_VECTORS = 'glove-wink-100d';

/** vision STRATEGY_NAMES. */
export const STRATEGY_CHOICES = ['feature-extract', 'fine-tune-top', 'fine-tune-all', 'fine-tune'] as const satisfies readonly StrategyName[];
export type StrategyChecked = Check<SameMembers<(typeof STRATEGY_CHOICES)[number], StrategyName>>;

/**
 * Text library limits that --help shows and the option checks enforce (test/cli/text.test.ts compares
 * them with MAX_BLOCK_WEIGHT, USE_LITE_MAX_CHUNKS and USE_LITE_MAX_TOKENS).
 */
export const TEXT_CLI_LIMITS = { maxBlockWeight: 100, useLiteMaxChunks: 64, useLiteMaxTokens: 128 } as const;
