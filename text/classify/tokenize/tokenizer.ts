/**
 * A Unicode-aware word tokeniser matched to the vectors it feeds: GloVe-style
 * vectors are lowercase, so texts are lowercased by default. Words are runs of
 * letters/marks/digits (with inner apostrophes, hyphens and dots, as in "don't",
 * "e-mail", "u.s."); punctuation and symbols are single-character tokens
 * (GloVe has vectors for "!", "$", "?"). URLs, e-mail addresses and numbers can
 * be replaced by placeholder tokens.
 */
import { InvalidArgumentError } from '../../../src/errors.js';

export interface TokenizerOptions {
  /** Lowercase every token. Default true (GloVe and the bundled vectors are lowercase). */
  lowercase?: boolean;
  /** Unicode normalisation applied first. Default 'NFKC'. */
  unicodeForm?: 'NFC' | 'NFKC' | 'none';
  /** Replace URLs by `placeholders.url`. Default true. */
  urls?: boolean;
  /** Replace e-mail addresses by `placeholders.email`. Default true. */
  emails?: boolean;
  /** Replace numbers by `placeholders.number`. Default false (GloVe has vectors for common numbers). */
  numbers?: boolean;
  /** Keep punctuation and symbols as one-character tokens. Default true. */
  punctuation?: boolean;
  /** Tokens replacing URLs, e-mails and numbers. Defaults: 'url', 'email', 'number' — words the bundled vectors know. */
  placeholders?: { url?: string; email?: string; number?: string };
  /** Longer tokens are cut to this many characters (guards against base64 blobs). Default 40. */
  maxTokenLength?: number;
  /** Keep only the first N tokens of a text (0 = all). Default 0. Long texts cost time, rarely accuracy. */
  maxTokens?: number;
}

export type ResolvedTokenizerOptions = Required<Omit<TokenizerOptions, 'placeholders'>> & { placeholders: Required<NonNullable<TokenizerOptions['placeholders']>> };

/** Token budget the trainer uses unless told otherwise (see TrainTextOptions.tokenizer). */
export const DEFAULT_TEXT_MAX_TOKENS = 500;

export const DEFAULT_TOKENIZER_OPTIONS: ResolvedTokenizerOptions = {
  lowercase: true,
  unicodeForm: 'NFKC',
  urls: true,
  emails: true,
  numbers: false,
  punctuation: true,
  placeholders: { url: 'url', email: 'email', number: 'number' },
  maxTokenLength: 40,
  maxTokens: 0,
};

const URL_RE = /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"']+/giu;
const EMAIL_RE = /\b[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}\b/giu;
const NUMBER_RE = /^[+-]?\p{N}+(?:[.,]\p{N}+)*$/u;
const WORD_START = /[\p{L}\p{M}\p{N}]/u;

export class Tokenizer {
  readonly options: ResolvedTokenizerOptions;

  constructor(options: TokenizerOptions = {}) {
    this.options = {
      ...DEFAULT_TOKENIZER_OPTIONS,
      ...options,
      placeholders: { ...DEFAULT_TOKENIZER_OPTIONS.placeholders, ...options.placeholders },
    };
    if (!Number.isInteger(this.options.maxTokens) || this.options.maxTokens < 0) {
      throw new InvalidArgumentError(`maxTokens must be an integer ≥ 0, got ${this.options.maxTokens}`);
    }
    if (!Number.isInteger(this.options.maxTokenLength) || this.options.maxTokenLength < 1) {
      throw new InvalidArgumentError(`maxTokenLength must be a positive integer, got ${this.options.maxTokenLength}`);
    }
  }

  /** The tokens of one text. */
  tokenize(text: string): string[] {
    const o = this.options;
    // With a token budget, only a prefix of the text can matter (40 characters per token is generous).
    const prefix = o.maxTokens > 0 && text.length > o.maxTokens * 40 ? text.slice(0, o.maxTokens * 40) : text;
    let s = o.unicodeForm === 'none' ? prefix : prefix.normalize(o.unicodeForm);
    // Placeholders are protected with a private-use marker so the token regex keeps them whole.
    const marks: string[] = [];
    const protect = (word: string) => {
      marks.push(word);
      return ` \uE000${marks.length - 1}\uE001 `;
    };
    if (o.urls && (s.includes('://') || /www\./i.test(s))) s = s.replace(URL_RE, () => protect(o.placeholders.url));
    if (o.emails && s.includes('@')) s = s.replace(EMAIL_RE, () => protect(o.placeholders.email));
    const out: string[] = [];
    // A placeholder mark; or a word: letters/marks/digits, optionally joined by ' ’ - . inside;
    // digit groups joined by commas (12,000); or one punctuation/symbol character.
    const re = /\uE000(\d+)\uE001|[\p{L}\p{M}\p{N}]+(?:['’\-.][\p{L}\p{M}\p{N}]+|(?<=\p{N}),\p{N}+)*|[\p{P}\p{S}]/gu;
    const budget = o.maxTokens > 0 ? o.maxTokens : Infinity;
    for (const m of s.matchAll(re)) {
      if (out.length >= budget) break;
      if (m[1] !== undefined) {
        out.push(marks[Number(m[1])]);
        continue;
      }
      let t = m[0];
      if (!WORD_START.test(t[0])) {
        if (o.punctuation) out.push(t);
        continue;
      }
      if (o.numbers && NUMBER_RE.test(t)) {
        out.push(o.placeholders.number);
        continue;
      }
      if (t.includes('’')) t = t.replace(/’/g, "'");
      if (o.lowercase) t = t.toLowerCase();
      if (t.length > o.maxTokenLength) t = t.slice(0, o.maxTokenLength);
      out.push(t);
    }
    return out;
  }

  tokenizeAll(texts: readonly string[]): string[][] {
    return texts.map((t) => this.tokenize(t));
  }

  /** JSON form stored in bundles. */
  toJSON(): ResolvedTokenizerOptions {
    return this.options;
  }
}

/** True when (almost) no word in the first `sample` words has an uppercase letter. */
export function looksLowercase(words: readonly string[], sample = 5000): boolean {
  let upper = 0;
  const n = Math.min(sample, words.length);
  for (let i = 0; i < n; i++) if (words[i] !== words[i].toLowerCase()) upper++;
  return upper <= n * 0.01;
}

/**
 * A tokeniser matched to word vectors with these words: lowercase when they look lowercase
 * (GloVe), at most DEFAULT_TEXT_MAX_TOKENS tokens per text; `options` override both.
 */
export function tokenizerFor(words: readonly string[] | undefined, options: TokenizerOptions = {}): Tokenizer {
  const lowercase = options.lowercase ?? (words ? looksLowercase(words) : true);
  return new Tokenizer({ maxTokens: DEFAULT_TEXT_MAX_TOKENS, ...options, lowercase });
}
