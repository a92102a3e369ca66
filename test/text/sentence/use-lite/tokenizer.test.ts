import { describe, expect, it } from 'vitest';
import { SentencePieceUnigram, UNKNOWN_ID, WORD_START, type VocabEntry } from '../../../../text/sentence/use-lite/tokenizer.js';

const W = WORD_START;
/** ids 0–5 reserved as in USE lite's vocabulary, then a few pieces with hand-picked scores. */
const VOCAB: VocabEntry[] = [
  ['\uFFFD', 0], ['<s>', 0], ['</s>', 0], ['x1', 0], ['x2', 0], ['x3', 0],
  [W, -2], // 6
  [`${W}the`, -1], // 7
  [`${W}th`, -3], // 8
  ['e', -3], // 9
  [`${W}cat`, -2], // 10
  [`${W}ca`, -2], // 11
  ['t', -2], // 12
  ['s', -2.5], // 13
  [`${W}cats`, -6], // 14: worse than ▁cat + s (−4.5)
  ['a', -3], // 15
  ['c', -3], // 16
  ['fi', -4], // 17
];
const tok = new SentencePieceUnigram(VOCAB);

describe('SentencePieceUnigram', () => {
  it('picks the segmentation with the highest total score', () => {
    // ▁the (−1) beats ▁th + e (−6); ▁cat (−2) beats ▁ca + t (−4)
    expect(tok.encode('the cat')).toEqual([7, 10]);
    // ▁cat + s (−4.5) beats the single piece ▁cats (−6)
    expect(tok.encode('cats')).toEqual([10, 13]);
  });

  it('prefers a longer piece when it scores better than its parts', () => {
    const v = [...VOCAB.slice(0, 14), [`${W}cats`, -3] as VocabEntry];
    expect(new SentencePieceUnigram(v).encode('cats')).toEqual([14]);
  });

  it('gives id 0 to a character no piece starts with, one id for a run of them', () => {
    expect(tok.encode('the ☃ cat')).toEqual([7, 6, UNKNOWN_ID, 10]);
    expect(tok.encode('the ☃☃☃ cat')).toEqual([7, 6, UNKNOWN_ID, 10]);
    // 'z' and 'q' start no piece: one unknown id; 'a' is known, so the run is broken.
    expect(tok.encode('cat zqazq')).toEqual([10, 6, UNKNOWN_ID, 15, UNKNOWN_ID]);
  });

  it('never matches the reserved pieces against text', () => {
    expect(tok.encode('<s>')).not.toContain(1);
    expect(tok.encode('x1')).toEqual([6, UNKNOWN_ID]);
  });

  it('applies NFKC (ﬁ is fi; full-width letters are ASCII)', () => {
    expect(tok.encode('\uFB01')).toEqual(tok.encode('fi'));
    expect(tok.encode('ｃａｔ')).toEqual([10]);
  });

  it('makes each whitespace run one word break and ignores surrounding whitespace', () => {
    expect(SentencePieceUnigram.normalize('  the \t\n cat  ')).toEqual(Array.from(`${W}the${W}cat`, (c) => c.codePointAt(0)));
    expect(tok.encode('  the \t\n cat  ')).toEqual(tok.encode('the cat'));
    expect(tok.encode('')).toEqual([]);
    expect(tok.encode(' \n\t ')).toEqual([]);
  });

  it('keeps the first maxPieces ids, the same ones the whole text begins with', () => {
    const text = 'the cats the cat the ☃ cats';
    const all = tok.encode(text);
    expect(all.length).toBeGreaterThan(6);
    for (let m = 1; m <= all.length + 1; m++) expect(tok.encode(text, m)).toEqual(all.slice(0, m));
    expect(() => tok.encode(text, -1)).toThrow(/maxPieces/);
  });

  it('segments the same with pieces that cross a word break (one pass over the text)', () => {
    const crossing = new SentencePieceUnigram([...VOCAB, [`t${W}c`, -0.5]]);
    // ▁ca + t▁c + a + t scores −7.5, below ▁cat + ▁cat (−4): the crossing piece is not used…
    expect(crossing.encode('cat cat')).toEqual([10, 10]);
    // …but it is when it pays: a very good crossing piece.
    const better = new SentencePieceUnigram([...VOCAB, [`t${W}cat`, 1]]);
    expect(better.encode('cat cat')).toEqual([11, VOCAB.length]);
    expect(better.encode('cat cat', 1)).toEqual([11]);
  });

  it('scores a piece whose score is null as 0 (the best)', () => {
    const v = new SentencePieceUnigram([...VOCAB, [`${W}ca`, null]]);
    // The null-scored ▁ca (listed twice: the first id, 11, keeps the piece) is not used; a new one is.
    expect(v.encode('cat')).toEqual([10]);
    // ▁c + at score 0 + 0, above ▁cat's −2.
    const w = new SentencePieceUnigram([...VOCAB, [`${W}c`, null], ['at', null]]);
    expect(w.encode('cat')).toEqual([VOCAB.length, VOCAB.length + 1]);
    expect(new SentencePieceUnigram([...VOCAB, [`${W}c`, -5], ['at', -5]]).encode('cat')).toEqual([10]);
  });

  it('refuses a vocabulary that is not [piece, score] pairs', () => {
    expect(() => new SentencePieceUnigram([...VOCAB, ['bad', Number.NaN]])).toThrow(/entry 18/);
    expect(() => new SentencePieceUnigram(VOCAB.slice(0, 6))).toThrow(/reserved/);
  });
});
