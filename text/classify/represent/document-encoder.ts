/**
 * Document representations from word vectors. Every representation is an
 * `Encoder<string>` (texts → fixed-size vectors) fitted on the training texts
 * (idf, word frequencies, principal component) and serialisable into a bundle.
 *
 * A text with no known word (every token out of vocabulary, or no token at all)
 * is encoded as the all-zero vector by default (`emptyDocument: 'zero'`); the
 * count is kept in `emptyCount` and reported by the classifier. Use
 * `emptyDocument: 'error'` to make such texts an error instead.
 */
import type { Encoder, Provenance } from '../../../src/encoder.js';
import { DataError } from '../../../src/errors.js';
import { checkBoolean, checkChoice, checkPositive } from '../options.js';
import type { Tokenizer } from '../tokenize/tokenizer.js';
import type { VectorLookup } from '../vectors/lookup.js';

export type RepresentationName = 'mean' | 'tfidf-mean' | 'sif' | 'mean-max';
export const REPRESENTATIONS: readonly RepresentationName[] = ['mean', 'tfidf-mean', 'sif', 'mean-max'];

export type EmptyDocumentPolicy = 'zero' | 'error';

export interface RepresentationOptions {
  /** What a text with no known word becomes. Default 'zero' (the zero vector). */
  emptyDocument?: EmptyDocumentPolicy;
  /** SIF smoothing a in a/(a + p(w)). Default 1e-3 (Arora et al.). */
  sifA?: number;
  /** SIF: remove the first principal component. Default true. */
  sifRemovePc?: boolean;
}

/** Throw an `InvalidArgumentError` naming a representation option that is not one of its values. */
export function checkRepresentationOptions(options: RepresentationOptions): void {
  checkChoice('representation.emptyDocument', options.emptyDocument, ['zero', 'error']);
  checkPositive('representation.sifA', options.sifA);
  checkBoolean('representation.sifRemovePc', options.sifRemovePc);
}

export interface RepresentationState {
  name: RepresentationName;
  emptyDocument: EmptyDocumentPolicy;
  /** Per-word weights learned on the training texts (tfidf-mean: idf; sif: a/(a+p(w))), keyed by token. */
  weights?: Record<string, number>;
  /** Weight for tokens with a vector but no learned weight (not seen in training). */
  defaultWeight?: number;
  /** SIF's removed principal component. */
  pc?: number[];
  sifA?: number;
}

export abstract class DocumentEncoder implements Encoder<string> {
  abstract readonly kind: RepresentationName;
  /** Texts with no known word met by the last encode call. */
  emptyCount = 0;
  readonly emptyDocument: EmptyDocumentPolicy;

  constructor(
    readonly tokenizer: Tokenizer,
    readonly lookup: VectorLookup,
    readonly provenance: Provenance,
    options: RepresentationOptions = {},
  ) {
    checkRepresentationOptions(options);
    this.emptyDocument = options.emptyDocument ?? 'zero';
  }

  get name(): string {
    return `${this.provenance.source}/${this.kind}`;
  }

  get dim(): number {
    return this.lookup.dim;
  }

  /** Learn what the representation needs from tokenised training texts (no-op for plain means). */
  fit(_docs: readonly (readonly string[])[]): this {
    return this;
  }

  /** Weight of a token with vector row `row` (1 for the plain mean). */
  protected weight(_token: string): number {
    return 1;
  }

  /** Rows of the known tokens of a text (unknown tokens dropped). */
  protected knownRows(tokens: readonly string[]): { rows: number[]; known: string[] } {
    const rows: number[] = [];
    const known: string[] = [];
    for (const t of tokens) {
      const r = this.lookup.row(t);
      if (r >= 0) {
        rows.push(r);
        known.push(t);
      }
    }
    return { rows, known };
  }

  /** Weighted mean of known word vectors into out[o..o+dim); false when no token is known. */
  protected weightedMean(tokens: readonly string[], out: Float32Array, o: number, rows = this.knownRows(tokens)): boolean {
    const { matrix } = this.lookup.vectors;
    const d = this.lookup.dim;
    let total = 0;
    for (let i = 0; i < rows.rows.length; i++) {
      const r = rows.rows[i];
      const w = this.weight(rows.known[i]);
      total += w;
      for (let k = 0, base = r * d; k < d; k++) out[o + k] += w * matrix[base + k];
    }
    if (total === 0) return false;
    for (let k = 0; k < d; k++) out[o + k] /= total;
    return true;
  }

  /** Encode one tokenised text into out[o..o+dim); false when it has no known word. */
  protected abstract encodeOne(tokens: readonly string[], out: Float32Array, o: number): boolean;

  /** Post-processing over the whole batch (SIF removes its component here). */
  protected finish(_out: Float32Array, _n: number): void {}

  encodeTokens(docs: readonly (readonly string[])[]): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(docs.length * dim);
    this.emptyCount = 0;
    docs.forEach((tokens, i) => {
      if (!this.encodeOne(tokens, out, i * dim)) {
        this.emptyCount++;
        if (this.emptyDocument === 'error') {
          throw new DataError(`text ${i} has no word with a vector (${tokens.length} tokens)`, {
            hint: "use emptyDocument: 'zero' to encode such texts as the zero vector",
          });
        }
        out.fill(0, i * dim, (i + 1) * dim);
      }
    });
    this.finish(out, docs.length);
    return out;
  }

  async encode(inputs: readonly string[]): Promise<Float32Array> {
    return this.encodeTokens(this.tokenizer.tokenizeAll(inputs));
  }

  abstract toJSON(): RepresentationState;
}
