import type { Progress } from '../../../src/progress.js';
import type { WordIndex } from '../word-index.js';

/** What every format reader produces. `matrix` is row-major `words.length × dim`. */
export interface RawVectors {
  words: string[];
  matrix: Float32Array;
  dim: number;
  /** Rows dropped because their word had already appeared (first occurrence wins). */
  duplicates: number;
  /** word → row, built while reading (saves rebuilding it). */
  index?: WordIndex;
}

/** Options shared by the format readers. */
export interface ReadOptions {
  /** Keep only the first `limit` distinct words. Default: all. */
  limit?: number;
  /** Progress over bytes read. */
  progress: Progress;
  /** Invalid UTF-8 in a word: `strict` (default) throws, `replace` substitutes U+FFFD. */
  unicodeErrors?: 'strict' | 'replace';
}
