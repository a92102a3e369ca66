/**
 * A Unicode-aware word tokeniser matched to the vectors it feeds: GloVe-style
 * vectors are lowercase, so texts are lowercased by default. Words are runs of
 * letters/marks/digits (with inner apostrophes, hyphens and dots, as in "don't",
 * "e-mail", "u.s" — a final dot is punctuation, so "u.s." gives "u.s" and ".");
 * punctuation and symbols are single-character tokens
 * (GloVe has vectors for "!", "$", "?"). URLs, e-mail addresses and numbers can
 * be replaced by placeholder tokens.
 */
import { InvalidArgumentError } from '../../../src/errors.js';
import { checkBoolean, checkChoice, checkWholeNumber, definedOptions } from '../options.js';

export interface TokenizerOptions {
  /** Lowercase every token. Default true (GloVe and the bundled vectors are lowercase). */
  lowercase?: boolean;
  /** Unicode normalisation applied first. Default 'NFKC'. */
  unicodeForm?: 'NFC' | 'NFKC' | 'none';
  /** Replace URLs by `placeholders.url`. Default true. */
  urls?: boolean;
  /** Replace e-mail addresses by `placeholders.email`. Default true. */
  emails?: boolean;
  /**
   * Replace numbers by `placeholders.number`. Default false: numbers stay as written. (GloVe 6B and
   * 840B have vectors for common numbers; the bundled glove-wink-100d has no digit-only word, so with
   * it a number is out of vocabulary unless `numbers: true` maps it to 'number', which it knows.)
   */
  numbers?: boolean;
  /** Keep punctuation and symbols as one-character tokens. Default true. */
  punctuation?: boolean;
  /** Tokens replacing URLs, e-mails and numbers. Defaults: 'url', 'email', 'number' — words the bundled vectors know. */
  placeholders?: { url?: string; email?: string; number?: string };
  /** Longer tokens are cut to this many characters (guards against base64 blobs). Default 40. */
  maxTokenLength?: number;
  /** Keep only the first N tokens of a text (0 = all), however many characters they span. Default 0. Long texts cost time, rarely accuracy. */
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
/** The private-use characters the tokeniser marks placeholders with (see tokenizeWhole). */
const PRIVATE_MARK_RE = /[\uE000\uE001]/;
const PRIVATE_MARKS_RE = /[\uE000\uE001]/g;
/** With a token budget, the first prefix tokenised holds this many characters per token (most texts need far fewer). */
const PREFIX_CHARS_PER_TOKEN = 40;

/** Index of the first ASCII whitespace character (space, tab, LF, VT, FF, CR) at or after `from`, or the text's length. */
function nextAsciiSpace(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return i;
  }
  return text.length;
}

export class Tokenizer {
  readonly options: ResolvedTokenizerOptions;

  constructor(options: TokenizerOptions = {}) {
    // An option given as undefined keeps its default (as it does for NeighbourExpansion).
    const given = definedOptions(options);
    this.options = {
      ...DEFAULT_TOKENIZER_OPTIONS,
      ...given,
      placeholders: { ...DEFAULT_TOKENIZER_OPTIONS.placeholders, ...definedOptions(given.placeholders) },
    };
    const o = this.options;
    checkWholeNumber('tokenizer maxTokens', o.maxTokens, 0, Number.MAX_SAFE_INTEGER, 'the first N tokens of a text are kept; 0 keeps all');
    checkWholeNumber('tokenizer maxTokenLength', o.maxTokenLength, 1);
    checkChoice('tokenizer unicodeForm', o.unicodeForm, ['NFKC', 'NFC', 'none']);
    for (const name of ['lowercase', 'urls', 'emails', 'numbers', 'punctuation'] as const) checkBoolean(`tokenizer ${name}`, o[name]);
    if (typeof given.placeholders !== 'undefined' && (given.placeholders === null || typeof given.placeholders !== 'object')) {
      throw new InvalidArgumentError(`tokenizer placeholders must be an object { url?, email?, number? }, got ${String(given.placeholders)}`);
    }
    for (const [name, token] of Object.entries(o.placeholders)) {
      if (typeof token !== 'string' || token.trim() === '') {
        throw new InvalidArgumentError(`tokenizer placeholders.${name} must be a non-empty string, got ${typeof token === 'string' ? `'${token}'` : String(token)}`, {
          hint: `the token that replaces each ${name} (default '${DEFAULT_TOKENIZER_OPTIONS.placeholders[name as 'url']}')`,
        });
      }
    }
  }

  /**
   * The tokens of one text: with `maxTokens`, its first `maxTokens` tokens. A long text is not
   * read whole to find them: a prefix is tokenised, and doubled until it holds the budget (or is
   * the whole text). Prefixes end just before an ASCII whitespace character, where no token, URL
   * or e-mail address can continue and Unicode normalisation is independent of what follows, so
   * a prefix's tokens are exactly the first tokens of the whole text.
   */
  tokenize(text: string): string[] {
    const budget = this.options.maxTokens;
    if (budget === 0 || text.length <= budget * PREFIX_CHARS_PER_TOKEN) return this.tokenizeWhole(text, budget);
    let end = budget * PREFIX_CHARS_PER_TOKEN;
    for (;;) {
      const cut = nextAsciiSpace(text, end);
      const tokens = this.tokenizeWhole(cut < text.length ? text.slice(0, cut) : text, budget);
      if (tokens.length >= budget || cut >= text.length) return tokens;
      end = 2 * cut;
    }
  }

  /** The first `budget` tokens (0: all) of `text`, read whole. */
  private tokenizeWhole(text: string, budget: number): string[] {
    const o = this.options;
    let s = o.unicodeForm === 'none' ? text : text.normalize(o.unicodeForm);
    // Placeholders are protected with private-use markers (U+E000 n U+E001) so the token regex keeps
    // them whole. Those characters in the text itself would read as marks (an "\uE0000\uE001" in an
    // e-mail became a URL placeholder, or undefined): they become spaces first. Private-use characters
    // are never part of a token (not letters, marks, digits, punctuation or symbols), so a space in
    // their place splits words where they did already (a URL or e-mail address now ends there too).
    if (PRIVATE_MARK_RE.test(s)) s = s.replace(PRIVATE_MARKS_RE, ' ');
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
    const limit = budget > 0 ? budget : Infinity;
    for (const m of s.matchAll(re)) {
      if (out.length >= limit) break;
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
  const given = definedOptions(options);
  const lowercase = given.lowercase ?? (words ? looksLowercase(words) : true);
  return new Tokenizer({ maxTokens: DEFAULT_TEXT_MAX_TOKENS, ...given, lowercase });
}
