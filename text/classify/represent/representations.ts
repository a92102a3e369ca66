/** The four document representations: mean, TF-IDF-weighted mean, SIF, mean‖max. */
import type { Provenance } from '../../../src/encoder.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { Tokenizer } from '../tokenize/tokenizer.js';
import type { VectorLookup } from '../vectors/lookup.js';
import { DocumentEncoder, REPRESENTATIONS, type RepresentationName, type RepresentationOptions, type RepresentationState } from './document-encoder.js';

/** Plain average of the known word vectors. */
export class MeanEncoder extends DocumentEncoder {
  readonly kind = 'mean' as const;
  protected encodeOne(tokens: readonly string[], out: Float32Array, o: number): boolean {
    return this.weightedMean(tokens, out, o);
  }
  toJSON(): RepresentationState {
    return { name: this.kind, emptyDocument: this.emptyDocument };
  }
}

/** Mean and element-wise maximum of the known word vectors, concatenated (2 × dim). */
export class MeanMaxEncoder extends DocumentEncoder {
  readonly kind = 'mean-max' as const;
  override get dim(): number {
    return 2 * this.lookup.dim;
  }
  protected encodeOne(tokens: readonly string[], out: Float32Array, o: number): boolean {
    const d = this.lookup.dim;
    const known = this.knownRows(tokens);
    if (!this.weightedMean(tokens, out, o, known)) return false;
    const { matrix } = this.lookup.vectors;
    const max = out.subarray(o + d, o + 2 * d).fill(-Infinity);
    for (const r of known.rows) {
      for (let k = 0, base = r * d; k < d; k++) if (matrix[base + k] > max[k]) max[k] = matrix[base + k];
    }
    return true;
  }
  toJSON(): RepresentationState {
    return { name: this.kind, emptyDocument: this.emptyDocument };
  }
}

/** Each token weighted by its idf on the training texts (counts give the tf). */
export class TfidfMeanEncoder extends DocumentEncoder {
  readonly kind = 'tfidf-mean' as const;
  idf = new Map<string, number>();
  defaultWeight = 1;

  override fit(docs: readonly (readonly string[])[]): this {
    const df = new Map<string, number>();
    for (const doc of docs) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
    const n = docs.length;
    this.idf = new Map([...df].filter(([t]) => this.lookup.row(t) >= 0).map(([t, d]) => [t, Math.log((1 + n) / (1 + d)) + 1]));
    // A word never seen in training is as rare as can be.
    this.defaultWeight = Math.log(1 + n) + 1;
    return this;
  }
  protected override weight(token: string): number {
    return this.idf.get(token) ?? this.defaultWeight;
  }
  protected encodeOne(tokens: readonly string[], out: Float32Array, o: number): boolean {
    return this.weightedMean(tokens, out, o);
  }
  toJSON(): RepresentationState {
    return { name: this.kind, emptyDocument: this.emptyDocument, weights: Object.fromEntries(this.idf), defaultWeight: this.defaultWeight };
  }
}

/**
 * Smooth inverse frequency (Arora, Liang & Ma 2017): weights a/(a + p(w)) with
 * p(w) the word's frequency in the training texts, then the projection on the
 * first principal component of the training representations is removed.
 */
export class SifEncoder extends DocumentEncoder {
  readonly kind = 'sif' as const;
  readonly a: number;
  readonly removePc: boolean;
  sifWeights = new Map<string, number>();
  pc: Float32Array | null = null;

  constructor(tokenizer: Tokenizer, lookup: VectorLookup, provenance: Provenance, options: RepresentationOptions = {}) {
    super(tokenizer, lookup, provenance, options);
    this.a = options.sifA ?? 1e-3;
    this.removePc = options.sifRemovePc ?? true;
  }

  override fit(docs: readonly (readonly string[])[]): this {
    const counts = new Map<string, number>();
    let total = 0;
    for (const doc of docs) {
      for (const t of doc) {
        counts.set(t, (counts.get(t) ?? 0) + 1);
        total++;
      }
    }
    this.sifWeights = new Map(
      [...counts].filter(([t]) => this.lookup.row(t) >= 0).map(([t, c]) => [t, this.a / (this.a + c / Math.max(total, 1))]),
    );
    this.pc = null;
    if (this.removePc) {
      const x = this.encodeTokens(docs);
      this.pc = firstPrincipalComponent(x, docs.length, this.dim);
    }
    return this;
  }
  protected override weight(token: string): number {
    // p(w) = 0 for words not in the training texts: weight 1.
    return this.sifWeights.get(token) ?? 1;
  }
  protected encodeOne(tokens: readonly string[], out: Float32Array, o: number): boolean {
    return this.weightedMean(tokens, out, o);
  }
  protected override finish(out: Float32Array, n: number): void {
    const pc = this.pc;
    if (!pc) return;
    const d = this.dim;
    for (let i = 0; i < n; i++) {
      let p = 0;
      for (let k = 0; k < d; k++) p += out[i * d + k] * pc[k];
      if (p === 0) continue;
      for (let k = 0; k < d; k++) out[i * d + k] -= p * pc[k];
    }
  }
  toJSON(): RepresentationState {
    return {
      name: this.kind,
      emptyDocument: this.emptyDocument,
      weights: Object.fromEntries(this.sifWeights),
      defaultWeight: 1,
      pc: this.pc ? Array.from(this.pc) : undefined,
      sifA: this.a,
    };
  }
}

/** First right singular vector of the n × d matrix (uncentred, as SIF): power iteration on XᵀX. */
export function firstPrincipalComponent(x: Float32Array, n: number, d: number): Float32Array {
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const va = x[o + a];
      if (va === 0) continue;
      for (let b = 0; b < d; b++) cov[a * d + b] += va * x[o + b];
    }
  }
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  for (let it = 0; it < 200; it++) {
    const w = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += cov[a * d + b] * v[b];
      w[a] = s;
    }
    const norm = Math.hypot(...w);
    if (norm === 0) break;
    let change = 0;
    for (let a = 0; a < d; a++) {
      w[a] /= norm;
      change = Math.max(change, Math.abs(w[a] - v[a]));
    }
    v = w;
    if (change < 1e-9) break;
  }
  return Float32Array.from(v);
}

export function createRepresentation(
  name: RepresentationName,
  tokenizer: Tokenizer,
  lookup: VectorLookup,
  provenance: Provenance,
  options: RepresentationOptions = {},
): DocumentEncoder {
  switch (name) {
    case 'mean':
      return new MeanEncoder(tokenizer, lookup, provenance, options);
    case 'mean-max':
      return new MeanMaxEncoder(tokenizer, lookup, provenance, options);
    case 'tfidf-mean':
      return new TfidfMeanEncoder(tokenizer, lookup, provenance, options);
    case 'sif':
      return new SifEncoder(tokenizer, lookup, provenance, options);
  }
  throw new InvalidArgumentError(`unknown representation '${name as string}'`, { hint: `use one of ${REPRESENTATIONS.join(', ')}` });
}

/** Rebuild a fitted representation from its bundle state. */
export function restoreRepresentation(state: RepresentationState, tokenizer: Tokenizer, lookup: VectorLookup, provenance: Provenance): DocumentEncoder {
  const enc = createRepresentation(state.name, tokenizer, lookup, provenance, { emptyDocument: state.emptyDocument, sifA: state.sifA });
  if (enc instanceof TfidfMeanEncoder) {
    enc.idf = new Map(Object.entries(state.weights ?? {}));
    enc.defaultWeight = state.defaultWeight ?? 1;
  } else if (enc instanceof SifEncoder) {
    enc.sifWeights = new Map(Object.entries(state.weights ?? {}));
    enc.pc = state.pc ? Float32Array.from(state.pc) : null;
  }
  return enc;
}
