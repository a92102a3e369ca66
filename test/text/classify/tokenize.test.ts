import { describe, expect, it } from 'vitest';
import { WordVectors } from '../../../text/vectors/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { DEFAULT_TEXT_MAX_TOKENS, formatOov, looksLowercase, oovReport, Tokenizer, tokenizerFor, VectorLookup } from '../../../text/classify/index.js';

describe('Tokenizer', () => {
  it('splits Unicode words, keeps inner apostrophes/hyphens, punctuation as tokens, lowercases', () => {
    const t = new Tokenizer();
    expect(t.tokenize("Don't panic — Zürich's café, e-mail ÉTÉ naïve 東京!")).toEqual([
      "don't", 'panic', '—', "zürich's", 'café', ',', 'e-mail', 'été', 'naïve', '東京', '!',
    ]);
    expect(t.tokenize('It’s fine')).toEqual(["it's", 'fine']);
  });

  it('normalises URLs, e-mails and (optionally) numbers', () => {
    const t = new Tokenizer({ numbers: true });
    expect(t.tokenize('See https://example.com/a?b=1 or mail Bob.Smith@example.co.uk by 12,000.50 now')).toEqual([
      'see', 'url', 'or', 'mail', 'email', 'by', 'number', 'now',
    ]);
    const keep = new Tokenizer({ urls: false, emails: false, punctuation: false, lowercase: false });
    expect(keep.tokenize('Go to www.x.org now')).toEqual(['Go', 'to', 'www.x.org', 'now']);
  });

  it('private-use U+E000/U+E001 in a text (its placeholder markers) never read as placeholders: they separate tokens', () => {
    const t = new Tokenizer();
    // Spelled like a mark: became the URL placeholder of the real URL, or undefined without one.
    expect(t.tokenize('\uE0000\uE001 see https://example.com now')).toEqual(['0', 'see', 'url', 'now']);
    expect(t.tokenize('hello \uE0007\uE001 world')).toEqual(['hello', '7', 'world']);
    expect(t.tokenize('mail a@b.org \uE0001\uE001 or \uE0000\uE001')).toEqual(['mail', 'email', '1', 'or', '0']);
    // A lone marker character splits a word, as any private-use character does (U+E002 did already).
    expect(t.tokenize('caf\uE000é ok\uE001ay')).toEqual(['caf', 'é', 'ok', 'ay']);
    expect(t.tokenize('caf\uE002é')).toEqual(['caf', 'é']);
    // With a budget (tokenised by prefixes) and without normalisation, the same tokens.
    const long = '\uE0000\uE001 word '.repeat(50) + 'https://x.org';
    expect(new Tokenizer({ maxTokens: 3 }).tokenize(long)).toEqual(['0', 'word', '0']);
    expect(new Tokenizer({ unicodeForm: 'none' }).tokenize('\uE0000\uE001 www.x.org')).toEqual(['0', 'url']);
    for (const tokens of [t.tokenize('\uE0000\uE001\uE0001\uE001'), new Tokenizer({ maxTokens: 2 }).tokenize('\uE0003\uE001 x')]) {
      expect(tokens.every((x) => typeof x === 'string')).toBe(true);
    }
  });

  it('applies NFKC, caps token length and the token budget', () => {
    const t = new Tokenizer({ maxTokenLength: 5, maxTokens: 3 });
    expect(t.tokenize('ﬁne abcdefghij x y z')).toEqual(['fine', 'abcde', 'x']);
    expect(() => new Tokenizer({ maxTokens: -1 })).toThrow(/maxTokens/);
  });

  it('keeps the first maxTokens tokens of any text, however long its tokens or gaps (the budget counts tokens, not characters)', () => {
    const t = new Tokenizer({ maxTokens: 3 });
    // A 25,000-character word before the words: the budget is not spent on characters.
    expect(new Tokenizer({ maxTokens: 500 }).tokenize('x'.repeat(25000) + ' free money now')).toEqual(['x'.repeat(40), 'free', 'money', 'now']);
    // Long whitespace runs between words.
    expect(t.tokenize('a' + ' '.repeat(100_000) + 'b\n'.repeat(3))).toEqual(['a', 'b', 'b']);
    // Whatever the text, the budgeted tokens are the first tokens of the whole text: URLs, e-mails,
    // normalisation and punctuation across the place where a prefix is cut.
    const whole = new Tokenizer();
    const pieces = ['see https://example.com/' + 'p'.repeat(300), 'ﬁne', 'Bob@example.org', '12,000', '!!', 'x'.repeat(150), ' '.repeat(90), 'café', 'e-mail', '\t\n'];
    for (let seed = 0; seed < 30; seed++) {
      const text = Array.from({ length: 60 }, (_, i) => pieces[(i * 7 + seed * 13 + ((i * seed) % 5)) % pieces.length]).join(seed % 2 ? ' ' : '\n');
      for (const n of [1, 2, 5, 17]) expect(new Tokenizer({ maxTokens: n }).tokenize(text)).toEqual(whole.tokenize(text).slice(0, n));
    }
  });

  it('keeps the default of an option given as undefined, and refuses unusable options', () => {
    expect(new Tokenizer({ urls: undefined }).tokenize('see https://x.com')).toEqual(['see', 'url']);
    expect(new Tokenizer({ unicodeForm: undefined }).tokenize('ﬁne')).toEqual(['fine']); // NFKC, not NFC
    expect(new Tokenizer({ maxTokens: undefined, maxTokenLength: undefined }).options).toMatchObject({ maxTokens: 0, maxTokenLength: 40 });
    expect(new Tokenizer({ placeholders: { url: undefined, email: 'mail' } }).tokenize('https://x.com a@b.org')).toEqual(['url', 'mail']);
    expect(tokenizerFor(['the'], { maxTokens: undefined, lowercase: undefined }).options).toMatchObject({ maxTokens: DEFAULT_TEXT_MAX_TOKENS, lowercase: true });
    expect(() => new Tokenizer({ maxTokens: 2.5 })).toThrow(InvalidArgumentError);
    expect(() => new Tokenizer({ unicodeForm: 'NFD' as 'NFC' })).toThrow(/unicodeForm must be 'NFKC' or 'NFC' or 'none', got 'NFD'/);
    expect(() => new Tokenizer({ urls: 'no' as unknown as boolean })).toThrow(/urls must be true or false/);
    expect(() => new Tokenizer({ placeholders: { url: '' } })).toThrow(/placeholders\.url must be a non-empty string/);
  });

  it('detects lowercase vocabularies', () => {
    expect(looksLowercase(['the', 'a', 'zürich'])).toBe(true);
    expect(looksLowercase(['The', 'Paris', 'a'])).toBe(false);
  });
});

describe('VectorLookup and OOV report', () => {
  const v = WordVectors.fromArrays({ words: ['paris', 'Berlin', 'NASA', 'the'], matrix: new Float32Array(8), dim: 2 });

  it('falls back to lower, Capitalised and UPPER case', () => {
    const l = new VectorLookup(v);
    expect(l.row('Paris')).toBe(0);
    expect(l.row('berlin')).toBe(1);
    expect(l.row('nasa')).toBe(2);
    expect(l.row('rome')).toBe(-1);
    expect(new VectorLookup(v, { caseFallback: false }).row('Paris')).toBe(-1);
  });

  it('reports token and type OOV rates and texts with no known word', () => {
    const r = oovReport([['the', 'paris', 'zzz', 'zzz'], ['qqq']], new VectorLookup(v));
    expect(r).toMatchObject({ tokens: 5, oovTokens: 3, types: 4, oovTypes: 2, documentsWithoutKnownWords: 1 });
    expect(r.tokenRate).toBeCloseTo(0.6);
    expect(r.typeRate).toBeCloseTo(0.5);
    expect(r.topOov[0]).toEqual({ token: 'zzz', count: 2 });
    expect(formatOov(r)).toBe('OOV 60.0% of 5 tokens, 50.0% of 4 types; 1 text(s) with no known word');
  });
});
