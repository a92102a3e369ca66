/**
 * word → row lookup: an open-addressing hash table in one Int32Array of
 * (hash, row) pairs, so a probe touches one cache line and the stored word is
 * compared only when the hashes match. Building it for 341k words is several
 * times faster than filling a `Map` (no per-entry objects), which matters for
 * load time; loaders also use it to drop duplicate words as they parse.
 */
export class WordIndex {
  private table: Int32Array;
  private mask: number;
  private count = 0;
  private words: string[];

  /** Rows of the first duplicated word met by `fromWords`, if any. */
  firstDuplicate: [number, number] | undefined;

  /** An empty index expecting about `expected` words (it grows past that). */
  constructor(expected = 16) {
    this.words = [];
    const cap = capacityFor(expected);
    this.mask = cap - 1;
    this.table = new Int32Array(cap * 2).fill(-1);
  }

  /** Index existing words (row = position). Duplicates are recorded in `firstDuplicate`, first row kept. */
  static fromWords(words: readonly string[]): WordIndex {
    const index = new WordIndex(words.length);
    for (let r = 0; r < words.length; r++) {
      const at = index.add(words[r]!);
      if (at !== r) {
        index.firstDuplicate ??= [at, r];
        // Keep rows aligned with `words`: a duplicate still occupies its row.
        index.words.push(words[r]!);
        index.count++;
      }
    }
    return index;
  }

  /**
   * Rebuild from a table saved with `table` (the binary cache). `words` must be the
   * words the table was built over, in the same order.
   */
  static fromTable(words: string[], table: Int32Array): WordIndex {
    const slots = table.length / 2;
    if (!Number.isInteger(slots) || slots < 16 || (slots & (slots - 1)) !== 0 || slots < words.length) {
      throw new RangeError(`a word-index table must hold a power-of-two number ≥ ${words.length} of slots, got ${slots}`);
    }
    const index = new WordIndex(0);
    index.table = table;
    index.mask = slots - 1;
    index.count = words.length;
    index.words = words;
    return index;
  }

  /** The (hash, row) slots, for saving alongside the words. */
  get tableData(): Int32Array {
    return this.table;
  }

  /** Number of rows. */
  get size(): number {
    return this.count;
  }

  /** The indexed words, in row order. */
  get keys(): readonly string[] {
    return this.words;
  }

  /** Add `word` as the next row and return that row, or return the existing row when present. */
  add(word: string): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const h = hashString(word);
    const t = this.table;
    let s = h & this.mask;
    for (;;) {
      const row = t[2 * s + 1]!;
      if (row === -1) {
        const r = this.count++;
        t[2 * s] = h;
        t[2 * s + 1] = r;
        this.words.push(word);
        return r;
      }
      if (t[2 * s] === h && this.words[row] === word) return row;
      s = (s + 1) & this.mask;
    }
  }

  /** Row of `word`, or −1. */
  get(word: string): number {
    const h = hashString(word);
    const t = this.table;
    let s = h & this.mask;
    for (;;) {
      const row = t[2 * s + 1]!;
      if (row === -1) return -1;
      if (t[2 * s] === h && this.words[row] === word) return row;
      s = (s + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    this.mask = cap - 1;
    this.table = new Int32Array(cap * 2).fill(-1);
    for (let i = 0; i < old.length; i += 2) {
      const row = old[i + 1]!;
      if (row === -1) continue;
      let s = old[i]! & this.mask;
      while (this.table[2 * s + 1] !== -1) s = (s + 1) & this.mask;
      this.table[2 * s] = old[i]!;
      this.table[2 * s + 1] = row;
    }
  }
}

function capacityFor(n: number): number {
  let cap = 16;
  while (cap < n * 2) cap <<= 1;
  return cap;
}

/** FNV-1a over UTF-16 code units, with a final avalanche; a signed 32-bit result. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h | 0;
}
