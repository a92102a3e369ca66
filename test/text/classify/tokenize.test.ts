import { describe, expect, it } from 'vitest';
import { WordVectors } from '../../../text/vectors/index.js';
import { formatOov, looksLowercase, oovReport, Tokenizer, VectorLookup } from '../../../text/classify/index.js';

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

  it('applies NFKC, caps token length and the token budget', () => {
    const t = new Tokenizer({ maxTokenLength: 5, maxTokens: 3 });
    expect(t.tokenize('ﬁne abcdefghij x y z')).toEqual(['fine', 'abcde', 'x']);
    expect(() => new Tokenizer({ maxTokens: -1 })).toThrow(/maxTokens/);
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
