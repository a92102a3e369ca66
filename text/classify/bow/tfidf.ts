/**
 * TF-IDF bag of n-grams (scikit-learn's TfidfVectorizer semantics): smooth idf
 * log((1+n)/(1+df)) + 1, optional sublinear tf 1 + log(tf), rows L2-normalised.
 */
import { DataError, InvalidArgumentError } from '../../../src/errors.js';
import { appendL2Row, type Csr } from '../linear/features.js';
import { checkBoolean, checkChoice, checkWholeNumber, definedOptions } from '../options.js';

/** scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1, for n documents of which df hold the term. */
export function smoothIdf(n: number, df: number): number {
  return Math.log((1 + n) / (1 + df)) + 1;
}

export interface TfidfOptions {
  /** Largest n-gram length: 1 (unigrams) or 2 (unigrams and bigrams). Default 2. */
  maxN?: number;
  /** Keep n-grams that occur in at least this many training texts. Default 2. */
  minDf?: number;
  /** Drop n-grams that occur in more than this fraction of texts. Default 1 (keep all). */
  maxDfRatio?: number;
  /** Keep at most this many features (highest document frequency first). Default 200000. */
  maxFeatures?: number;
  /** Use 1 + log(tf) instead of raw counts. Default true. */
  sublinearTf?: boolean;
}

export const DEFAULT_TFIDF: Required<TfidfOptions> = { maxN: 2, minDf: 2, maxDfRatio: 1, maxFeatures: 200_000, sublinearTf: true };

export interface TfidfState {
  options: Required<TfidfOptions>;
  terms: string[];
  idf: number[];
}

export class TfidfVectorizer {
  readonly options: Required<TfidfOptions>;
  private terms: string[] = [];
  private idf = new Float32Array(0);
  private index = new Map<string, number>();

  constructor(options: TfidfOptions = {}) {
    // An option given as undefined keeps its default.
    this.options = { ...DEFAULT_TFIDF, ...definedOptions(options) };
    const o = this.options;
    checkChoice('tfidf maxN', o.maxN, [1, 2]);
    checkWholeNumber('tfidf minDf', o.minDf, 1);
    checkWholeNumber('tfidf maxFeatures', o.maxFeatures, 1, Number.MAX_SAFE_INTEGER, 'the most document-frequent n-grams kept as columns (default 200000)');
    if (typeof o.maxDfRatio !== 'number' || !(o.maxDfRatio > 0 && o.maxDfRatio <= 1)) {
      throw new InvalidArgumentError(`tfidf maxDfRatio must be a number in (0, 1], got ${String(o.maxDfRatio)}`, {
        hint: 'n-grams in more than this fraction of the training texts are dropped; 1 (the default) keeps all',
      });
    }
    checkBoolean('tfidf sublinearTf', o.sublinearTf);
  }

  get size(): number {
    return this.terms.length;
  }

  /** The feature names (n-grams), column order. */
  get vocabulary(): readonly string[] {
    return this.terms;
  }

  /** Learn the n-gram vocabulary and idf weights from tokenised training texts. */
  fit(docs: readonly (readonly string[])[]): this {
    const o = this.options;
    // N-grams are counted as numbers (unigram id, or id₁·2²² + id₂ for bigrams): much faster than string keys.
    const uid = new Map<string, number>();
    const names: string[] = [];
    const df = new Map<number, number>();
    for (const doc of docs) {
      const ids = doc.map((t) => {
        let i = uid.get(t);
        if (i === undefined) {
          i = names.length;
          if (i >= UNIGRAM) throw new DataError(`more than ${UNIGRAM} distinct tokens; the bag-of-words cannot index them`, { hint: 'use fewer or shorter texts (tokenizer maxTokens)' });
          uid.set(t, i);
          names.push(t);
        }
        return i;
      });
      const keys = Float64Array.from(gramKeys(ids, o.maxN)).sort();
      for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) df.set(keys[i], (df.get(keys[i]) ?? 0) + 1);
    }
    const n = docs.length;
    const maxDf = o.maxDfRatio * n;
    // Small training sets: keep everything seen at least once.
    const minDf = n < 20 * o.minDf ? 1 : o.minDf;
    let kept = [...df].filter(([, d]) => d >= minDf && d <= maxDf).map(([k, d]) => [keyName(k, names), d] as [string, number]);
    if (kept.length > o.maxFeatures) kept = kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, o.maxFeatures);
    kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (kept.length === 0) {
      if (df.size === 0) throw new DataError('the training texts have no terms to build a bag-of-words from', { hint: 'check the text column: every text has no token' });
      throw new DataError(
        `none of the ${df.size} n-grams of the ${n} training texts is in at least ${minDf} and at most ${maxDf} texts (tfidf minDf ${o.minDf}, maxDfRatio ${o.maxDfRatio})`,
        { hint: 'raise tfidf maxDfRatio (1 keeps every n-gram) or lower minDf' },
      );
    }
    this.terms = kept.map(([t]) => t);
    this.idf = Float32Array.from(kept, ([, d]) => smoothIdf(n, d));
    this.buildIndex();
    return this;
  }

  private unigramId = new Map<string, number>();
  private gramColumn = new Map<number, number>();

  /** Numeric keys of the kept n-grams, for fast transforms. */
  private buildIndex(): void {
    this.index = new Map(this.terms.map((t, i) => [t, i]));
    this.unigramId = new Map();
    this.gramColumn = new Map();
    const idOf = (w: string) => {
      let i = this.unigramId.get(w);
      if (i === undefined) {
        i = this.unigramId.size;
        this.unigramId.set(w, i);
      }
      return i;
    };
    this.terms.forEach((t, col) => {
      const sp = t.indexOf(' ');
      const key = sp < 0 ? idOf(t) * BIGRAM_BASE + UNIGRAM : idOf(t.slice(0, sp)) * BIGRAM_BASE + idOf(t.slice(sp + 1));
      this.gramColumn.set(key, col);
    });
  }

  /** Column of an n-gram, −1 when not in the vocabulary. */
  column(term: string): number {
    return this.index.get(term) ?? -1;
  }

  transform(docs: readonly (readonly string[])[]): Csr {
    if (this.terms.length === 0) throw new InvalidArgumentError('TfidfVectorizer.transform called before fit');
    const indptr = new Int32Array(docs.length + 1);
    const cols: number[] = [];
    const vals: number[] = [];
    for (let r = 0; r < docs.length; r++) {
      const ids = docs[r].map((t) => this.unigramId.get(t) ?? -1);
      const colsOf: number[] = [];
      for (const g of gramKeys(ids, this.options.maxN)) {
        const c = this.gramColumn.get(g);
        if (c !== undefined) colsOf.push(c);
      }
      const sorted = Int32Array.from(colsOf).sort();
      const entries: Array<[number, number]> = [];
      for (let i = 0; i < sorted.length; i++) {
        if (i > 0 && sorted[i] === sorted[i - 1]) entries[entries.length - 1][1]++;
        else entries.push([sorted[i], 1]);
      }
      appendL2Row(
        entries.map(([c, tf]) => [c, (this.options.sublinearTf ? 1 + Math.log(tf) : tf) * this.idf[c]]),
        cols,
        vals,
      );
      indptr[r + 1] = cols.length;
    }
    return { rows: docs.length, cols: this.terms.length, indptr, indices: Int32Array.from(cols), values: Float32Array.from(vals) };
  }

  toJSON(): TfidfState {
    return { options: this.options, terms: this.terms, idf: Array.from(this.idf) };
  }

  static fromJSON(state: TfidfState): TfidfVectorizer {
    const v = new TfidfVectorizer(state.options);
    v.terms = state.terms;
    v.idf = Float32Array.from(state.idf);
    v.buildIndex();
    return v;
  }
}

/** Bigram key = id₁ · BIGRAM_BASE + id₂; unigram key = id · BIGRAM_BASE + UNIGRAM. Ids stay below 2²² − 1. */
const BIGRAM_BASE = 2 ** 22;
const UNIGRAM = BIGRAM_BASE - 1;

/** Keys of the unigrams and (maxN 2) bigrams of a document; unknown ids (−1) are skipped. */
function gramKeys(ids: readonly number[], maxN: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const a = ids[i];
    if (a < 0) continue;
    out.push(a * BIGRAM_BASE + UNIGRAM);
    if (maxN >= 2 && i + 1 < ids.length && ids[i + 1] >= 0) out.push(a * BIGRAM_BASE + ids[i + 1]);
  }
  return out;
}

function keyName(key: number, names: readonly string[]): string {
  const a = Math.floor(key / BIGRAM_BASE);
  const b = key - a * BIGRAM_BASE;
  return b === UNIGRAM ? names[a] : `${names[a]} ${names[b]}`;
}
