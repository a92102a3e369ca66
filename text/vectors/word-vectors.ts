/**
 * `WordVectors`: words, one float32 matrix, and the gensim KeyedVectors queries
 * over them. Independent of how the vectors were made or loaded.
 *
 * Cosine similarity is computed as gensim does: dot products with the raw rows
 * times cached inverse row norms, so queries never need a normalised copy of the
 * matrix (2.4 GB for 2M × 300). The unit-norm matrix is still available, computed
 * on first request and cached (`unitMatrix()`), e.g. to build an index.
 *
 * Nearest-neighbour queries are exact by default (the blocked SIMD kernel of
 * `embeddings/`, over the matrix as is); `useIndex` plugs in any `VectorIndex`
 * (e.g. HNSW). The loaders put the matrix in the kernel's WebAssembly memory
 * (`WordVectors.allocateMatrix`), so exact queries scan it in place rather than
 * copying it block by block.
 */
import { ExactIndex, exactTopK, TopK, type VectorIndex } from '../../embeddings/index.js';
import { allocateRows, LiveMatrix } from '../../embeddings/rowstore.js';
import { FLOAT32_MAX, firstNonFinite } from '../../embeddings/vectors.js';
import { DimensionMismatchError, InvalidArgumentError, KeyNotFoundError } from '../../src/errors.js';
import { definedOptions } from '../../src/options.js';
import { evaluateAnalogies, evaluateWordPairs, type AnalogyEvaluation, type AnalogyEvaluationOptions, type EvaluateOptions, type WordPairsEvaluation } from './evaluate.js';
import { dotAll } from './scan.js';
import { WordIndex } from './word-index.js';

/** What happens when a word is not in the vocabulary: throw `KeyNotFoundError`, or return `undefined`. */
export type OovPolicy = 'throw' | 'undefined';

/** A word (or raw vector) and its cosine similarity to the query. */
export interface Neighbor {
  word: string;
  score: number;
}

/** A term of a query: a word of the vocabulary or a raw vector of dimension `dim`. */
export type Term = string | ArrayLike<number>;

/**
 * The terms of one side of a query: a list of terms, or — as gensim accepts — a single word or a
 * single raw vector (a typed array, or an array of numbers).
 */
export type Terms = readonly Term[] | Term;

export interface MostSimilarOptions {
  /** Terms that pull towards the result (weight +1): a list, or one word or vector. */
  positive?: Terms;
  /** Terms that push away from it (weight −1): a list, or one word or vector. */
  negative?: Terms;
  /** Number of neighbours. Default 10. */
  topn?: number;
  /**
   * Search only the first N words (files are sorted by frequency, so this skips
   * rare words). Default: all. Always exact (bypasses a plugged-in index).
   */
  restrictVocab?: number;
}

/** 3CosAdd (gensim `most_similar`) or 3CosMul (Levy & Goldberg; gensim `most_similar_cosmul`). */
export type AnalogyMethod = 'add' | 'mul';

export interface AnalogyOptions {
  /** Default `add`. */
  method?: AnalogyMethod;
  /** Number of answers. Default 10. */
  topn?: number;
  /** As in `MostSimilarOptions`. */
  restrictVocab?: number;
}

/** Where a WordVectors came from (set by the loaders). */
export interface VectorsOrigin {
  /** File path or bundled name given to `loadVectors`. */
  source?: string;
  /** The file actually read. */
  file?: string;
  format?: string;
  /** Rows dropped because their word had appeared before (first one wins). */
  duplicates: number;
  /** True when the vectors were read from the binary cache. */
  fromCache: boolean;
  cacheFile?: string;
  /** Problems that did not stop the load (e.g. the cache could not be written). */
  warnings: string[];
  /** Set when only the first `limit` words were loaded. */
  limit?: number;
}

export interface FromArraysOptions {
  words: readonly string[];
  /**
   * Row-major `words.length × dim`. Used as is (borrowed, never copied); do not
   * modify it afterwards. A matrix from `WordVectors.allocateMatrix` (as the
   * loaders use) is scanned in place by exact queries; any other is copied into
   * the kernel block by block on every exact query (1.7–1.9× slower per query
   * on 341k × 100).
   */
  matrix: Float32Array;
  dim: number;
  origin?: Partial<VectorsOrigin>;
  /** A lookup table already built over `words` (trusted: no duplicate check). */
  wordIndex?: WordIndex;
}

/** Default number of neighbours. */
export const DEFAULT_TOPN = 10;
/** `useIndex` compares the index's stored vectors of this many evenly spaced keys with the word vectors. */
export const INDEX_CHECK_SAMPLE = 48;
/** … and accepts a stored vector whose cosine with the word vector is at least 1 − this (float32 normalisation). */
const INDEX_CHECK_TOLERANCE = 1e-4;
/** 3CosMul's ε (as gensim). */
const COSMUL_EPSILON = 1e-6;

export class WordVectors {
  readonly words: readonly string[];
  readonly dim: number;
  readonly origin: VectorsOrigin;
  private readonly rowOf: WordIndex;
  private unit: Float32Array | null = null;
  private rowNorms: Float32Array | null = null;
  private inverseNorms: Float32Array | null = null;
  private index: VectorIndex | null = null;
  private defaultIndex: ExactIndex | null = null;
  /** The matrix, re-read if it is in WebAssembly memory and that memory moved. */
  private readonly rows: LiveMatrix;

  private constructor(words: readonly string[], matrix: Float32Array, dim: number, rowOf: WordIndex, origin: VectorsOrigin) {
    this.words = words;
    this.rows = new LiveMatrix(matrix);
    this.dim = dim;
    this.rowOf = rowOf;
    this.origin = origin;
  }

  /**
   * A zero-filled `size × dim` matrix for `fromArrays` that exact queries scan in
   * place: it lives in a WebAssembly memory of the exact kernel (up to 4 GiB with
   * the kernel's scratch space; past that, or without WebAssembly SIMD, it is an
   * ordinary Float32Array). The loaders read rows straight into one of these.
   */
  static allocateMatrix(size: number, dim: number): Float32Array {
    return allocateRows(size, dim);
  }

  /**
   * Row-major `size × dim` float32 (do not modify). Read it when you need it: a
   * matrix in WebAssembly memory is re-read if that memory ever moved (queries
   * never grow it, so a view held across queries stays valid).
   */
  get matrix(): Float32Array {
    return this.rows.view;
  }

  /**
   * Build from words and a matrix in memory (tests, classifier bundles that keep a
   * vocabulary subset). Duplicate words are an error here: loaders resolve them. Every value
   * must be finite: NaN or ±Infinity is refused, naming the word and the dimension.
   */
  static fromArrays(options: FromArraysOptions): WordVectors {
    return WordVectors.build(options, true);
  }

  /** `fromArrays`; `checkValues: false` for matrices whose values were checked as they were read (`fromCheckedArrays`). */
  private static build(options: FromArraysOptions, checkValues: boolean): WordVectors {
    const { words, matrix, dim } = options;
    if (!Number.isInteger(dim) || dim < 1) throw new InvalidArgumentError(`dim must be a positive integer, got ${dim}`);
    if (!(matrix instanceof Float32Array)) throw new InvalidArgumentError('matrix must be a Float32Array');
    if (matrix.length !== words.length * dim) {
      throw new InvalidArgumentError(`matrix has ${matrix.length} values, expected ${words.length} words × ${dim} = ${words.length * dim}`);
    }
    const rowOf = options.wordIndex ?? WordIndex.fromWords(words);
    if (rowOf.firstDuplicate) {
      const [a, b] = rowOf.firstDuplicate;
      throw new InvalidArgumentError(`duplicate word '${words[b]}' (rows ${a} and ${b})`);
    }
    // A NaN or ±Infinity would turn every similarity it enters into NaN (34 million values: ~30 ms).
    if (checkValues) {
      const at = firstNonFinite(matrix);
      if (at >= 0) {
        const row = Math.floor(at / dim);
        throw new InvalidArgumentError(`the vector of '${words[row]}' (row ${row}) holds ${String(matrix[at])} at dimension ${at % dim}: word vectors must be finite numbers`, {
          hint: 'check how the matrix was computed (a division by zero, a log of 0) or where it was read from; every value must be a finite number',
        });
      }
    }
    // An origin field given as undefined keeps its default.
    const origin = definedOptions<Partial<VectorsOrigin>>(options.origin);
    return new WordVectors(words, matrix, dim, rowOf, { duplicates: 0, fromCache: false, warnings: [], ...origin });
  }

  /** Number of words. */
  get size(): number {
    return this.words.length;
  }

  /** Row of `word`, or −1 when absent. */
  indexOf(word: string): number {
    return this.rowOf.get(word);
  }

  has(word: string): boolean {
    return this.rowOf.get(word) >= 0;
  }

  /** A copy of the vector of `word`; OOV throws `KeyNotFoundError` (default) or returns undefined. */
  get(word: string, options?: { oov?: 'throw' }): Float32Array;
  get(word: string, options: { oov: 'undefined' }): Float32Array | undefined;
  get(word: string, options: { oov?: OovPolicy } = {}): Float32Array | undefined {
    const row = this.rowOf.get(word);
    if (row < 0) {
      if (options.oov === 'undefined') return undefined;
      throw this.oovError(word, "; pass { oov: 'undefined' } to get undefined instead of an error");
    }
    return this.matrix.slice(row * this.dim, (row + 1) * this.dim);
  }

  /** L2 norm of every row (computed once). */
  norms(): Float32Array {
    if (!this.rowNorms) {
      const n = new Float32Array(this.size);
      const { matrix, dim } = this;
      for (let r = 0; r < n.length; r++) {
        // Four accumulators: independent chains run in parallel.
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let o = r * dim;
        const e = o + dim;
        for (; o + 4 <= e; o += 4) {
          const a = matrix[o]!;
          const b = matrix[o + 1]!;
          const c = matrix[o + 2]!;
          const d = matrix[o + 3]!;
          s0 += a * a;
          s1 += b * b;
          s2 += c * c;
          s3 += d * d;
        }
        for (; o < e; o++) s0 += matrix[o]! * matrix[o]!;
        n[r] = Math.sqrt(s0 + s1 + s2 + s3);
      }
      this.rowNorms = n;
    }
    return this.rowNorms;
  }

  /**
   * 1/‖row‖ for every row, computed once; 0 for a zero row, and for a row whose norm is below
   * 1/FLOAT32_MAX (≈ 2.9e-39, e.g. [1e-40, 0]), whose inverse norm would be Infinity as a float32:
   * such a row is treated as a zero row (it never matches, and is refused as a query term).
   */
  inverseNorm(): Float32Array {
    if (!this.inverseNorms) {
      const norms = this.norms();
      const inv = new Float32Array(norms.length);
      for (let r = 0; r < norms.length; r++) {
        const f = Math.fround(1 / norms[r]!);
        inv[r] = norms[r]! > 0 && Number.isFinite(f) ? f : 0;
      }
      this.inverseNorms = inv;
    }
    return this.inverseNorms;
  }

  /**
   * The matrix with every row scaled to unit length (zero rows stay zero);
   * computed on first call and cached. Queries do not need it (they scale dot
   * products by the inverse norms); it is for callers, e.g. to build an index.
   */
  unitMatrix(): Float32Array {
    if (!this.unit) {
      const inv = this.inverseNorm();
      const { matrix, dim } = this;
      const u = new Float32Array(matrix.length);
      for (let r = 0; r < inv.length; r++) {
        const f = inv[r]!;
        for (let o = r * dim, e = o + dim; o < e; o++) u[o] = matrix[o]! * f;
      }
      this.unit = u;
    }
    return this.unit;
  }

  /** Whether row `r` has no direction: all zeros, or too small for its inverse norm (see inverseNorm). */
  private directionless(r: number): boolean {
    const f = this.inverseNorm()[r]!;
    return !(f > 0 && Number.isFinite(f));
  }

  /** The error for a query word whose row has no direction: all zeros, or too small (see inverseNorm). */
  private directionlessTerm(word: string, r: number): InvalidArgumentError {
    const norm = this.norms()[r]!;
    return norm > 0 ? tinyTermError(`the vector of '${word}'`, norm) : zeroTermError(`the vector of '${word}'`);
  }

  /** Unit vector of row `r` (float64), without the unit matrix. */
  private unitRow(r: number): Float64Array {
    const f = this.inverseNorm()[r]!;
    const out = new Float64Array(this.dim);
    for (let k = 0, o = r * this.dim; k < this.dim; k++) out[k] = this.matrix[o + k]! * f;
    return out;
  }

  /**
   * Use `index` for nearest-neighbour queries, or `null` to go back to exact search. The index
   * must have been built from these vectors: its metric must be cosine, its dimension theirs, its
   * keys words of theirs, and (when it can give its stored vectors) the vectors stored under
   * `INDEX_CHECK_SAMPLE` evenly spaced keys must point the way the word vectors do (cosine ≥
   * 0.9999: float32 normalisation passes, vectors of another space do not). `name` (e.g. the
   * index folder) is used in error messages.
   */
  useIndex(index: VectorIndex | null, options: { name?: string } = {}): void {
    if (index) {
      const which = options.name === undefined ? 'the index' : `the index at ${options.name}`;
      const rebuild = `rebuild ${which === 'the index' ? 'it' : options.name} from these vectors (transferkit index build <source> --out DIR), or use the vectors it was built from`;
      if (index.dim !== this.dim) throw new DimensionMismatchError(this.dim, index.dim, { what: which, hint: rebuild });
      if (index.metric !== 'cosine') throw new InvalidArgumentError(`${which} uses metric ${index.metric}; word similarity needs cosine`, { hint: 'build the index with --metric cosine (the default)' });
      // Answers come back as index keys: they must be words of these vectors.
      const keys = index.keys();
      const stranger = keys.find((key) => this.indexOf(key) < 0);
      if (stranger !== undefined) {
        throw new InvalidArgumentError(`${which} holds '${stranger}', which is not a word of these vectors`, { hint: rebuild });
      }
      const mismatch = this.storedVectorMismatch(index, keys);
      if (mismatch) throw new InvalidArgumentError(`${which} was built from other vectors: ${mismatch}`, { hint: rebuild });
    }
    this.index = index;
  }

  /** Why the index's stored vectors are not these word vectors (a sample of keys), or undefined. */
  private storedVectorMismatch(index: VectorIndex, keys: readonly string[]): string | undefined {
    if (typeof index.vector !== 'function' || keys.length === 0) return undefined;
    const n = keys.length;
    const count = Math.min(INDEX_CHECK_SAMPLE, n);
    const m = this.matrix;
    const dim = this.dim;
    for (let i = 0; i < count; i++) {
      const key = keys[count === 1 ? 0 : Math.round((i * (n - 1)) / (count - 1))]!;
      const stored = index.vector(key);
      if (stored === undefined) continue;
      const o = this.indexOf(key) * dim;
      let dot = 0;
      let ww = 0;
      let ss = 0;
      for (let d = 0; d < dim; d++) {
        const w = m[o + d]!;
        const x = stored[d]!;
        dot += w * x;
        ww += w * w;
        ss += x * x;
      }
      if (ww === 0 && ss === 0) continue;
      const cos = ww === 0 || ss === 0 ? 0 : dot / Math.sqrt(ww * ss);
      if (!(cos >= 1 - INDEX_CHECK_TOLERANCE)) {
        const what = ww === 0 ? 'the word vector is all zeros, the stored one is not' : ss === 0 ? 'the stored vector is all zeros, the word vector is not' : `cosine ${cos.toFixed(4)} between them`;
        return `its vector of '${key}' is not the word vector of '${key}' (${what})`;
      }
    }
    return undefined;
  }

  /** The plugged-in index, or null when queries use exact search. */
  get pluggedIndex(): VectorIndex | null {
    return this.index;
  }

  /**
   * These vectors as a `VectorIndex`: the plugged-in index, or an exact
   * `ExactIndex` over the matrix (zero-copy; built on first call — building its
   * key table costs time, which is why `mostSimilar` calls the exact kernel directly).
   */
  get searchIndex(): VectorIndex {
    if (this.index) return this.index;
    if (!this.defaultIndex) {
      this.defaultIndex = ExactIndex.fromMatrix({ keys: this.words, matrix: this.matrix, dim: this.dim, metric: 'cosine' });
    }
    return this.defaultIndex;
  }

  /**
   * Cosine similarity of two words. A word whose stored vector is all zeros has no direction; its
   * similarity to any word is 0, as in gensim (queries refuse such a word as a term instead).
   */
  similarity(a: string, b: string): number {
    const m = this.matrix;
    const inv = this.inverseNorm();
    const ra = this.rowOrThrow(a);
    const rb = this.rowOrThrow(b);
    let s = 0;
    for (let k = 0, oa = ra * this.dim, ob = rb * this.dim; k < this.dim; k++) s += m[oa + k]! * m[ob + k]!;
    return s * inv[ra]! * inv[rb]!;
  }

  /**
   * Words closest (cosine) to the normalised mean of the unit `positive` terms
   * minus the unit `negative` terms; query words are never returned. A word, a
   * raw vector or a list of terms is shorthand for `{ positive: … }` (as gensim's
   * `most_similar('king')`, `most_similar(['king', 'woman'])`).
   */
  mostSimilar(query: Terms | MostSimilarOptions, topn?: number): Neighbor[] {
    const options: MostSimilarOptions = isOptionsObject(query) ? { ...query, topn: query.topn ?? topn } : { positive: query, topn };
    const k = checkTopn(options.topn ?? DEFAULT_TOPN);
    const { vector, exclude } = this.combine(termList(options.positive, 'positive'), termList(options.negative, 'negative'));
    const restrict = this.checkRestrict(options.restrictVocab);
    if (this.index === null || restrict < this.size) return this.exactSearch(vector, k, exclude, restrict);
    return this.index.query(vector, { k, exclude: [...exclude].map((r) => this.words[r]!) }).map((h) => ({ word: h.key, score: h.score }));
  }

  /**
   * "a is to b as c is to ?" — 3CosAdd (`b − a + c`, gensim `most_similar`) or
   * 3CosMul (gensim `most_similar_cosmul`). a, b and c are never returned.
   */
  analogy(a: string, b: string, c: string, options: AnalogyOptions = {}): Neighbor[] {
    const method = options.method ?? 'add';
    if (method === 'add') return this.mostSimilar({ positive: [b, c], negative: [a], topn: options.topn, restrictVocab: options.restrictVocab });
    if (method !== 'mul') throw new InvalidArgumentError(`analogy method must be 'add' or 'mul', got '${method as string}'`);
    return this.mostSimilarCosmul([b, c], [a], options.topn ?? DEFAULT_TOPN, options.restrictVocab);
  }

  /**
   * gensim `most_similar_cosmul`: ∏ sim⁺ / (∏ sim⁻ + ε), with similarities shifted to [0, 1]. Terms
   * are words (a single word may stand for a list of one). A word whose stored vector is all zeros
   * is an `InvalidArgumentError`, as in 3CosAdd: it has no direction, so its cosine is undefined.
   */
  mostSimilarCosmul(positive: readonly string[] | string, negative: readonly string[] | string = [], topn = DEFAULT_TOPN, restrictVocab?: number): Neighbor[] {
    const k = checkTopn(topn);
    const rows = this.checkRestrict(restrictVocab);
    const inv = this.inverseNorm();
    const exclude = new Set<number>();
    const words = (list: readonly string[] | string, side: string) => termList(list, side).map((t, i) => {
      if (typeof t !== 'string') throw new InvalidArgumentError(`3CosMul takes words; ${side}[${i}] is a vector`, { hint: 'use mostSimilar (3CosAdd) for raw vectors' });
      return t;
    });
    positive = words(positive, 'positive');
    negative = words(negative, 'negative');
    const sims = (word: string) => {
      const r = this.rowOrThrow(word);
      if (this.directionless(r)) throw this.directionlessTerm(word, r);
      exclude.add(r);
      const out = dotAll(this.matrix, this.dim, rows, this.unitRow(r), new Float32Array(rows));
      for (let i = 0; i < rows; i++) out[i] = (1 + out[i]! * inv[i]!) / 2;
      return out;
    };
    if (positive.length === 0) throw new InvalidArgumentError('3CosMul needs at least one positive word');
    const pos = positive.map(sims);
    const neg = negative.map(sims);
    const score = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let p = 1;
      for (const s of pos) p *= s[i]!;
      let n = 1;
      for (const s of neg) n *= s[i]!;
      score[i] = p / (n + COSMUL_EPSILON);
    }
    const top = new TopK(k);
    // Zero rows have no direction (their shifted similarity would be 0.5): they never match.
    for (let r = 0; r < rows; r++) if (score[r]! > top.threshold && inv[r] !== 0 && !exclude.has(r)) top.push(score[r]!, r);
    return Array.from(top.sorted().ids, (r) => ({ word: this.words[r]!, score: score[r]! }));
  }

  /**
   * The word least similar to the mean of the others (gensim `doesnt_match`); OOV words are ignored. A
   * word whose stored vector is all zeros has no direction, so its similarity is undefined: it is an
   * `InvalidArgumentError` naming the word, as a zero term is in `mostSimilar` (gensim scores it 0,
   * which makes it the odd one out whenever the others are similar at all).
   */
  doesntMatch(words: readonly string[]): string {
    if (typeof words === 'string') {
      throw new InvalidArgumentError(`doesntMatch takes a list of words, got the string '${words as string}'`, { hint: "pass the words as an array: doesntMatch(['breakfast', 'cereal', 'dinner', 'lunch'])" });
    }
    if (!Array.isArray(words)) throw new InvalidArgumentError(`doesntMatch takes a list of words, got ${words === null ? 'null' : typeof words}`);
    const notWord = words.findIndex((w) => typeof w !== 'string');
    if (notWord >= 0) throw new InvalidArgumentError(`doesntMatch takes words; words[${notWord}] is ${words[notWord] === null ? 'null' : typeof words[notWord]}`);
    const used = words.filter((w) => this.has(w));
    if (used.length === 0) {
      throw new KeyNotFoundError(words.join(', '), { message: `none of the words is in the vocabulary: ${words.join(', ')}`, hint: 'give at least one known word; check case and spelling' });
    }
    const zero = used.filter((w) => this.directionless(this.rowOf.get(w)));
    const tiny = zero.find((w) => this.norms()[this.rowOf.get(w)]! > 0);
    if (tiny !== undefined) throw this.directionlessTerm(tiny, this.rowOf.get(tiny));
    if (zero.length > 0) {
      const named = zero.map((w) => `'${w}'`).join(', ');
      throw new InvalidArgumentError(`the vector of ${named} is all zeros: a zero vector has no direction, so how well ${zero.length === 1 ? 'it matches' : 'they match'} the others is undefined`, {
        hint: `leave ${named} out of the words (zero rows stay legal in the vectors; they never match)`,
      });
    }
    const dim = this.dim;
    const unit = used.map((w) => this.unitRow(this.rowOf.get(w)));
    const mean = new Float64Array(dim);
    for (const u of unit) for (let k = 0; k < dim; k++) mean[k]! += u[k]!;
    if (!normalize(mean)) {
      throw new InvalidArgumentError(`the vectors of ${used.map((w) => `'${w}'`).join(', ')} cancel out (their mean is zero): no word is further from it than another`, {
        hint: 'give words whose vectors do not cancel out, e.g. more than two',
      });
    }
    let worst = used[0]!;
    let worstScore = Infinity;
    for (let i = 0; i < used.length; i++) {
      const w = used[i]!;
      const u = unit[i]!;
      let s = 0;
      for (let k = 0; k < dim; k++) s += u[k]! * mean[k]!;
      if (s < worstScore) {
        worstScore = s;
        worst = w;
      }
    }
    return worst;
  }

  /** Vectors (copies) of several words; OOV words follow `oov`. */
  subset(words: readonly string[], options: { oov?: 'throw' | 'skip' } = {}): WordVectors {
    const keep: string[] = [];
    const seen = new Set<string>();
    for (const w of words) {
      if (seen.has(w)) continue;
      if (!this.has(w)) {
        if (options.oov === 'skip') continue;
        throw this.oovError(w);
      }
      seen.add(w);
      keep.push(w);
    }
    const m = new Float32Array(keep.length * this.dim);
    keep.forEach((w, i) => {
      const r = this.rowOf.get(w);
      m.set(this.matrix.subarray(r * this.dim, (r + 1) * this.dim), i * this.dim);
    });
    return fromCheckedArrays({ words: keep, matrix: m, dim: this.dim });
  }

  /** Accuracy on a `questions-words.txt`-format file (per section and total; OOV questions counted). */
  evaluateAnalogies(file: string, options?: AnalogyEvaluationOptions): Promise<AnalogyEvaluation> {
    return evaluateAnalogies(this, file, options);
  }

  /** Spearman ρ between `word1 word2 score` lines and cosine similarity (OOV pairs counted). */
  evaluateWordPairs(file: string, options?: EvaluateOptions): Promise<WordPairsEvaluation> {
    return evaluateWordPairs(this, file, options);
  }

  /**
   * A word outside the vocabulary. The hint fits the CLI commands (neighbours, similarity, analogy)
   * as well as the library; `get()`, which only the library calls, adds its own alternative.
   */
  private oovError(word: string, more = ''): KeyNotFoundError {
    return new KeyNotFoundError(word, {
      what: 'word',
      hint: `the vocabulary has ${this.size} words; check case and spelling${more}`,
    });
  }

  private rowOrThrow(word: string): number {
    const r = this.rowOf.get(word);
    if (r < 0) throw this.oovError(word);
    return r;
  }

  private checkRestrict(restrict: number | undefined): number {
    if (restrict === undefined) return this.size;
    if (!Number.isInteger(restrict) || restrict < 1) throw new InvalidArgumentError(`restrictVocab must be a positive integer, got ${restrict}`);
    return Math.min(restrict, this.size);
  }

  /** Normalised mean of unit positive terms minus unit negative terms, and the rows of query words. */
  private combine(positive: readonly Term[], negative: readonly Term[]): { vector: Float32Array; exclude: Set<number> } {
    if (positive.length + negative.length === 0) throw new InvalidArgumentError('give at least one positive or negative term');
    const dim = this.dim;
    const mean = new Float64Array(dim);
    const exclude = new Set<number>();
    const addTerm = (t: Term, weight: number) => {
      if (typeof t === 'string') {
        const r = this.rowOrThrow(t);
        exclude.add(r);
        if (this.directionless(r)) throw this.directionlessTerm(t, r);
        const u = this.unitRow(r);
        for (let k = 0; k < dim; k++) mean[k]! += weight * u[k]!;
      } else {
        if (t.length !== dim) throw new DimensionMismatchError(dim, t.length, { what: 'query vector' });
        // Scaled by the largest magnitude first, so that huge (finite) values do not overflow the norm.
        let max = 0;
        for (let k = 0; k < dim; k++) {
          const x = t[k]!;
          if (typeof x !== 'number' || !Number.isFinite(x)) {
            throw new InvalidArgumentError(`the query vector has a non-finite value (${String(x)} at index ${k}): it has no direction`, {
              hint: 'query with finite numbers (check how the vector was computed: a division by zero, a log of 0)',
            });
          }
          max = Math.max(max, Math.abs(x));
        }
        if (max === 0) throw zeroTermError('the query vector');
        let n = 0;
        for (let k = 0; k < dim; k++) n += (t[k]! / max) ** 2;
        const inv = 1 / (max * Math.sqrt(n));
        for (let k = 0; k < dim; k++) mean[k]! += weight * t[k]! * inv;
      }
    };
    for (const t of positive) addTerm(t, 1);
    for (const t of negative) addTerm(t, -1);
    if (!normalize(mean)) throw new InvalidArgumentError('the query terms cancel out (their combined vector is zero)');
    return { vector: Float32Array.from(mean), exclude };
  }

  private exactSearch(vector: Float32Array, k: number, exclude: ReadonlySet<number>, rows: number): Neighbor[] {
    const [res] = exactTopK({ matrix: this.matrix, dim: this.dim, rows, metric: 'cosine', rowScale: this.inverseNorm() }, vector, 1, {
      k: Math.min(k, rows - [...exclude].filter((r) => r < rows).length),
      accept: exclude.size > 0 ? (row) => !exclude.has(row) : undefined,
    });
    return Array.from(res!.rows, (r, i) => ({ word: this.words[r]!, score: res!.scores[i]! }));
  }
}

function isOptionsObject(query: Terms | MostSimilarOptions): query is MostSimilarOptions {
  return typeof query === 'object' && query !== null && !Array.isArray(query) && !ArrayBuffer.isView(query);
}

/**
 * One side of a query as a list of terms: undefined is none; a word, a typed array or an array of
 * numbers (one raw vector) is a list of one — a gensim habit; `positive: 'king'` must not become the
 * letters k, i, n, g. Anything else that is not a term is an `InvalidArgumentError`.
 */
function termList(terms: Terms | undefined, side: string): readonly Term[] {
  if (terms === undefined) return [];
  if (typeof terms === 'string' || ArrayBuffer.isView(terms)) return [terms as Term];
  if (!Array.isArray(terms)) {
    throw new InvalidArgumentError(`${side} must be a word, a vector or a list of them, got ${terms === null ? 'null' : typeof terms}`);
  }
  if (terms.length > 0 && terms.every((t) => typeof t === 'number')) return [terms as readonly number[]];
  terms.forEach((t: unknown, i) => {
    const ok = typeof t === 'string' || ArrayBuffer.isView(t) || (Array.isArray(t) && t.every((x) => typeof x === 'number'));
    if (!ok) throw new InvalidArgumentError(`${side}[${i}] is ${t === null ? 'null' : Array.isArray(t) ? 'an array that is not a vector' : typeof t}, not a word or a vector`);
  });
  return terms as readonly Term[];
}

/** A zero term under cosine: refused rather than dropped or matched arbitrarily. */
function zeroTermError(what: string): InvalidArgumentError {
  return new InvalidArgumentError(`${what} is all zeros: a zero vector has no direction; cosine similarity is undefined`, {
    hint: 'query with a vector that has at least one non-zero value (zero rows stay legal in the vectors; they just never match)',
  });
}

/** A term whose vector is not zero but too small for float32 cosine (norm below 1/FLOAT32_MAX): refused as a zero one is. */
function tinyTermError(what: string, norm: number): InvalidArgumentError {
  return new InvalidArgumentError(
    `${what} has norm ${norm.toPrecision(3)}, too small to have a direction in float32 (1/norm overflows past ${FLOAT32_MAX.toPrecision(3)}; the norm must be at least ${(1 / FLOAT32_MAX).toPrecision(3)}): it is treated as a zero vector`,
    { hint: 'leave the word out of the query, or scale the vectors up (rows this small never match; they stay legal in the vectors)' },
  );
}

function normalize(v: Float64Array): boolean {
  let n = 0;
  for (let k = 0; k < v.length; k++) n += v[k]! * v[k]!;
  if (!(n > 0)) return false;
  const inv = 1 / Math.sqrt(n);
  for (let k = 0; k < v.length; k++) v[k]! *= inv;
  return true;
}

function checkTopn(topn: number): number {
  if (!Number.isInteger(topn) || topn < 1) throw new InvalidArgumentError(`topn must be a positive integer, got ${topn}`);
  return topn;
}

/**
 * `WordVectors.fromArrays` without the check of its values, for matrices whose values were checked as
 * they were read (the loaders: parsers refuse NaN and ±Infinity, and so does the cache reader) or copied from
 * a WordVectors. Not exported from the package.
 */
export function fromCheckedArrays(options: FromArraysOptions): WordVectors {
  return WordVectors['build'](options, false);
}
