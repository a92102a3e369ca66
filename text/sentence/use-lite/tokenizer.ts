/**
 * A SentencePiece unigram tokenizer for a vocabulary given as [piece, score] pairs (the ids are the
 * positions), as the Universal Sentence Encoder lite ships it in vocab.json.
 *
 * A text is normalised first: NFKC, surrounding whitespace dropped, every run of whitespace made one
 * '▁' (U+2581), and a '▁' put in front. The pieces are then chosen by a Viterbi pass: the
 * segmentation whose pieces' scores (log-probabilities) add up to the most. Candidate pieces at each
 * position are found by walking a trie of the pieces' code points.
 *
 * A character that begins no piece is covered by the unknown piece (id 0) at a penalty of the lowest
 * piece score − 10 (so any segmentation into known pieces is preferred); consecutive unknown
 * characters give one id 0. The first `reserved` ids (for USE lite: unknown, <s>, </s> and three
 * extra ids) are control symbols and never match text.
 *
 * A score given as null counts as 0, the highest score: USE lite's vocab.json has seven such pieces
 * (':', '://', '▁:)', '▁:(', '):', '▁:-)' and a second ':'), symbols added by hand to the vocabulary,
 * whose score SentencePiece keeps at 0 — and 0 is what the tfjs USE tokenizer's arithmetic makes of null.
 */
import { InvalidArgumentError } from '../../../src/errors.js';

/** The symbol that starts a word. */
export const WORD_START = '\u2581';
const WORD_START_CP = 0x2581;
/** Id of the unknown piece. */
export const UNKNOWN_ID = 0;
/** Penalty of an unknown character below the lowest piece score, as SentencePiece gives it. */
const UNKNOWN_PENALTY = 10;

export type VocabEntry = readonly [piece: string, score: number | null];

export interface SentencePieceUnigramOptions {
  /** Ids 0 … reserved − 1 are control symbols, never matched against text (id 0 is the unknown piece). Default 6 (USE lite's vocabulary). */
  reserved?: number;
}

export class SentencePieceUnigram {
  /** Trie over code points: one map per node, from a code point to the child node. */
  private readonly children: Array<Map<number, number>> = [new Map()];
  /** The id of the piece ending at each node, or −1. */
  private readonly pieceAt: number[] = [-1];
  private readonly scores: Float64Array;
  /** Score of an unknown character. */
  readonly unknownScore: number;
  /** Number of pieces (ids 0 … size − 1). */
  readonly size: number;
  /**
   * Whether no piece holds '▁' after its first character: every segmentation then breaks before each
   * '▁', so words can be segmented one at a time (and a text only as far as `maxPieces` needs).
   */
  private readonly wordsApart: boolean;

  constructor(vocab: readonly VocabEntry[], options: SentencePieceUnigramOptions = {}) {
    const reserved = options.reserved ?? 6;
    if (!Number.isInteger(reserved) || reserved < 1) throw new InvalidArgumentError(`reserved must be a whole number ≥ 1 (id 0 is the unknown piece), got ${reserved}`);
    if (!Array.isArray(vocab) || vocab.length <= reserved) {
      throw new InvalidArgumentError(`a vocabulary needs more than its ${reserved} reserved ids, got ${Array.isArray(vocab) ? vocab.length : 'no list'}`);
    }
    this.size = vocab.length;
    this.scores = new Float64Array(vocab.length);
    let lowest = 0;
    let wordsApart = true;
    vocab.forEach((entry, id) => {
      const score = Array.isArray(entry) && entry[1] === null ? 0 : entry?.[1];
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof score !== 'number' || !Number.isFinite(score)) {
        throw new InvalidArgumentError(`vocabulary entry ${id} is not a [piece, score] pair with a finite score (or null): ${JSON.stringify(entry)?.slice(0, 80)}`);
      }
      this.scores[id] = score;
      if (id < reserved || entry[0] === '') return;
      lowest = Math.min(lowest, score);
      if (entry[0].indexOf(WORD_START, 1) > 0) wordsApart = false;
      let node = 0;
      for (const ch of entry[0]) {
        const cp = ch.codePointAt(0)!;
        let next = this.children[node]!.get(cp);
        if (next === undefined) {
          next = this.children.length;
          this.children.push(new Map());
          this.pieceAt.push(-1);
          this.children[node]!.set(cp, next);
        }
        node = next;
      }
      // A piece listed twice keeps its first id.
      if (this.pieceAt[node] === -1) this.pieceAt[node] = id;
    });
    this.unknownScore = lowest - UNKNOWN_PENALTY;
    this.wordsApart = wordsApart;
  }

  /** The code points pieces are matched against: NFKC, whitespace runs as one '▁', a '▁' in front; none for a blank text. */
  static normalize(text: string): number[] {
    const t = text.normalize('NFKC').trim();
    if (t === '') return [];
    return Array.from(WORD_START + t.replace(/\s+/g, WORD_START), (c) => c.codePointAt(0)!);
  }

  /**
   * The piece ids of a text. With `maxPieces` > 0, only the first `maxPieces` ids (the same ids the
   * whole text begins with), segmenting no more of the text than that needs.
   */
  encode(text: string, maxPieces = 0): number[] {
    if (!Number.isInteger(maxPieces) || maxPieces < 0) throw new InvalidArgumentError(`maxPieces must be a whole number ≥ 0 (0: all), got ${maxPieces}`);
    const cps = SentencePieceUnigram.normalize(text);
    if (!this.wordsApart) {
      const ids = this.segment(cps, 0, cps.length);
      return maxPieces > 0 ? ids.slice(0, maxPieces) : ids;
    }
    const out: number[] = [];
    for (let start = 0; start < cps.length && (maxPieces === 0 || out.length < maxPieces); ) {
      let end = start + 1;
      while (end < cps.length && cps[end] !== WORD_START_CP) end++;
      const ids = this.segment(cps, start, end);
      // A run of unknowns across the break is one id, as it would be in one pass over the text.
      const from = ids[0] === UNKNOWN_ID && out.length > 0 && out[out.length - 1] === UNKNOWN_ID ? 1 : 0;
      for (let i = from; i < ids.length; i++) out.push(ids[i]!);
      start = end;
    }
    return maxPieces > 0 && out.length > maxPieces ? out.slice(0, maxPieces) : out;
  }

  /** The highest-scoring segmentation of cps[start, end). */
  private segment(cps: readonly number[], start: number, end: number): number[] {
    const n = end - start;
    if (n <= 0) return [];
    const best = new Float64Array(n + 1).fill(-Infinity);
    const lastId = new Int32Array(n + 1);
    const lastStart = new Int32Array(n + 1);
    best[0] = 0;
    for (let i = 0; i < n; i++) {
      const base = best[i]!;
      if (base === -Infinity) continue;
      let node = 0;
      let single = false;
      for (let j = i; j < n; j++) {
        const next = this.children[node]!.get(cps[start + j]!);
        if (next === undefined) break;
        node = next;
        const id = this.pieceAt[node]!;
        if (id < 0) continue;
        if (j === i) single = true;
        const score = base + this.scores[id]!;
        if (score > best[j + 1]!) {
          best[j + 1] = score;
          lastId[j + 1] = id;
          lastStart[j + 1] = i;
        }
      }
      // A character no one-character piece covers can be taken as unknown.
      if (!single && base + this.unknownScore > best[i + 1]!) {
        best[i + 1] = base + this.unknownScore;
        lastId[i + 1] = UNKNOWN_ID;
        lastStart[i + 1] = i;
      }
    }
    const ids: number[] = [];
    for (let e = n; e > 0; e = lastStart[e]!) {
      const id = lastId[e]!;
      if (id === UNKNOWN_ID && ids[ids.length - 1] === UNKNOWN_ID) continue;
      ids.push(id);
    }
    return ids.reverse();
  }
}
