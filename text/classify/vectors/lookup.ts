/**
 * Token → vector-row lookup with a case fallback, and the out-of-vocabulary
 * (OOV) report: how many tokens and distinct types of a dataset the vectors miss.
 */

/** What the classifiers need from a set of word vectors (text/vectors' `WordVectors` satisfies it). */
export interface PretrainedVectors {
  readonly words: readonly string[];
  readonly dim: number;
  /** Row-major words.length × dim. */
  readonly matrix: Float32Array;
  /** Row of `word`, −1 when absent. */
  indexOf(word: string): number;
}

export interface LookupOptions {
  /** When a token is missing, try its lowercase, Capitalised and UPPERCASE forms. Default true. */
  caseFallback?: boolean;
}

/** The case variants the fallback tries, in order: lowercase, Capitalised, UPPERCASE (each only when it differs from the token). */
export function caseVariants(token: string): string[] {
  const lower = token.toLowerCase();
  const cap = lower.charAt(0).toUpperCase() + lower.slice(1);
  const upper = token.toUpperCase();
  return [lower, cap, upper].filter((v, i, all) => v !== token && all.indexOf(v) === i);
}

/** The first of a token's case variants (see caseVariants) that `find` knows (≥ 0), else −1. */
export function findCaseVariant(token: string, find: (form: string) => number): number {
  for (const v of caseVariants(token)) {
    const r = find(v);
    if (r >= 0) return r;
  }
  return -1;
}

/** Bound on the per-token memo of case-fallback lookups. */
export const LOOKUP_CACHE_LIMIT = 1_000_000;

export class VectorLookup {
  private readonly cache = new Map<string, number>();
  readonly caseFallback: boolean;

  constructor(
    readonly vectors: PretrainedVectors,
    options: LookupOptions = {},
  ) {
    this.caseFallback = options.caseFallback ?? true;
  }

  get dim(): number {
    return this.vectors.dim;
  }

  /** Vector row of `token`, −1 when neither it nor (with caseFallback) a case variant is known. */
  row(token: string): number {
    const hit = this.cache.get(token);
    if (hit !== undefined) return hit;
    let r = this.vectors.indexOf(token);
    if (r < 0 && this.caseFallback) r = findCaseVariant(token, (v) => this.vectors.indexOf(v));
    if (this.cache.size < LOOKUP_CACHE_LIMIT) this.cache.set(token, r);
    return r;
  }
}

export interface OovReport {
  tokens: number;
  oovTokens: number;
  /** oovTokens / tokens. */
  tokenRate: number;
  types: number;
  oovTypes: number;
  /** oovTypes / types. */
  typeRate: number;
  /** Documents in which no token has a vector. */
  documentsWithoutKnownWords: number;
  /** The most frequent missing types. */
  topOov: Array<{ token: string; count: number }>;
}

export function oovReport(docs: readonly (readonly string[])[], lookup: VectorLookup, top = 10): OovReport {
  const missing = new Map<string, number>();
  const types = new Set<string>();
  let tokens = 0;
  let oovTokens = 0;
  let empty = 0;
  for (const doc of docs) {
    let known = 0;
    for (const t of doc) {
      tokens++;
      types.add(t);
      if (lookup.row(t) < 0) {
        oovTokens++;
        missing.set(t, (missing.get(t) ?? 0) + 1);
      } else known++;
    }
    if (known === 0) empty++;
  }
  const topOov = [...missing]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([token, count]) => ({ token, count }));
  return {
    tokens,
    oovTokens,
    tokenRate: tokens ? oovTokens / tokens : 0,
    types: types.size,
    oovTypes: missing.size,
    typeRate: types.size ? missing.size / types.size : 0,
    documentsWithoutKnownWords: empty,
    topOov,
  };
}

/** One line: "OOV 3.1% of 12,345 tokens, 18.0% of 2,345 types; 2 texts with no known word". */
export function formatOov(r: OovReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const extra = r.documentsWithoutKnownWords ? `; ${r.documentsWithoutKnownWords} text(s) with no known word` : '';
  return `OOV ${pct(r.tokenRate)} of ${r.tokens} tokens, ${pct(r.typeRate)} of ${r.types} types${extra}`;
}
