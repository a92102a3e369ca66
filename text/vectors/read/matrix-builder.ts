/**
 * Collects words and rows while a loader parses. The matrix is allocated once,
 * at its final capacity (from a header count or a line count), and rows are
 * parsed straight into it — no growing, no second copy. Duplicate words keep the
 * first occurrence; later ones are parsed into a scratch row (still validated)
 * and counted. The matrix lives where exact queries scan it in place (the
 * kernel's WebAssembly memory when it fits, see `allocateRows`).
 */
import { allocateRows } from '../../../embeddings/rowstore.js';
import { WordIndex } from '../word-index.js';

export class MatrixBuilder {
  readonly matrix: Float32Array;
  readonly scratch: Float32Array;
  duplicates = 0;
  private readonly index: WordIndex;

  constructor(
    readonly capacity: number,
    readonly dim: number,
  ) {
    this.matrix = allocateRows(capacity, dim);
    this.scratch = new Float32Array(dim);
    this.index = new WordIndex(capacity);
  }

  get words(): readonly string[] {
    return this.index.keys;
  }

  get size(): number {
    return this.words.length;
  }

  get full(): boolean {
    return this.words.length >= this.capacity;
  }

  /**
   * Register `word`; returns the offset in `target()` where its values go, or -1
   * when it is a duplicate (its values then go to `scratch` at offset 0).
   */
  add(word: string): number {
    const before = this.index.size;
    const row = this.index.add(word);
    if (row < before) {
      this.duplicates++;
      return -1;
    }
    return row * this.dim;
  }

  /** The words and the used part of the matrix (a view, not a copy). */
  finish(): { words: string[]; matrix: Float32Array; dim: number; duplicates: number; index: WordIndex } {
    const used = this.words.length * this.dim;
    const matrix = used === this.matrix.length ? this.matrix : this.matrix.subarray(0, used);
    return { words: this.index.keys as string[], matrix, dim: this.dim, duplicates: this.duplicates, index: this.index };
  }
}
