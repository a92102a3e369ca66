/**
 * Text classifiers from pretrained word vectors (issue #5): datasets, tokeniser,
 * document representations, model kinds, bundles, evaluation. See docs/text.md.
 */
export * from './data/types.js';
export { readDataset, parseDataset, readTexts, readTextRecords, detectFormat as detectDatasetFormat, DATASET_FORMATS } from './data/read.js';
export type { TextRecord, ReadTextRecordsOptions } from './data/read.js';
export { trainingLabels, encodeLabels, requireKnownLabels, type EncodedLabels } from './data/labels.js';
export { splitExamples, stratifiedSample, type TextSplit, type TextSplitOptions } from './data/split.js';
export { loadSpamAssassin } from './data/spam-assassin.js';
export { parseEmail } from './data/email.js';
export { Tokenizer, DEFAULT_TOKENIZER_OPTIONS, DEFAULT_TEXT_MAX_TOKENS, looksLowercase, tokenizerFor, type TokenizerOptions, type ResolvedTokenizerOptions } from './tokenize/tokenizer.js';
export { VectorLookup, oovReport, formatOov, type PretrainedVectors, type LookupOptions, type OovReport } from './vectors/lookup.js';
export { VectorTable } from './vectors/table.js';
export * from './represent/index.js';
export { TfidfVectorizer, DEFAULT_TFIDF, type TfidfOptions, type TfidfState } from './bow/tfidf.js';
export { NeighbourExpansion, DEFAULT_NEIGHBOUR_EXPANSION, MAX_NEIGHBOURS, type NeighbourExpansionOptions, type NeighbourExpansionState, type ExpansionStats } from './bow/neighbour-expansion.js';
export { SoftmaxRegression, type SoftmaxRegressionOptions, type SoftmaxRegressionState } from './linear/softmax-regression.js';
export { hstackCsr, type Csr, type Dense, type Features } from './linear/features.js';
export * from './models/model.js';
export { TkPretrainedEmbedding, TkMaskedPooling, TkWindowConv } from './models/layers.js';
export {
  trainTextClassifier,
  TextClassifier,
  DEFAULT_TEXT_VECTORS,
  type TrainTextOptions,
  type TrainingSummary,
  type Prediction,
  type TextEvaluation,
} from './classifier.js';
export { saveTextClassifier, loadTextClassifier, TEXT_BUNDLE_KIND } from './bundle.js';
export { embedTexts, type EmbeddableText, type EmbedTextsOptions, type EmbedTextsResult } from './embed.js';
export {
  textQueryEncoder,
  isTextRecipe,
  textRecipeProblem,
  wordVectorsRecipe,
  PER_TEXT_REPRESENTATIONS,
  type TextEmbeddingRecipe,
  type TextVectorsRecipe,
  type TextEncoderRecipe,
  type PerTextRepresentation,
} from './query-encoder.js';
export { runTextDemo, type TextDemoOptions, type TextDemoResult } from './demo.js';
export { runSearchDemo, DEFAULT_SEARCH_QUERIES, type SearchDemoOptions, type SearchDemoResult } from './search-demo.js';
