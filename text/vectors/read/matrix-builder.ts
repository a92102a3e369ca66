/**
 * Collects words and rows while a loader parses. The matrix is allocated once,
 * at its final capacity (from a header count or a line count), and rows are
 * parsed straight into it — no growing, no second copy. Duplicate words keep the
 * first occurrence; later ones are parsed into a scratch row (still validated)
 * and counted.
 */
export class MatrixBuilder {
  readonly words: string[] = [];
  readonly matrix: Float32Array;
  readonly scratch: Float32Array;
  duplicates = 0;
  private readonly seen = new Map<string, number>();

  constructor(
    readonly capacity: number,
    readonly dim: number,
  ) {
    this.matrix = new Float32Array(capacity * dim);
    this.scratch = new Float32Array(dim);
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
    if (this.seen.has(word)) {
      this.duplicates++;
      return -1;
    }
    const row = this.words.length;
    this.seen.set(word, row);
    this.words.push(word);
    return row * this.dim;
  }

  /** The words and the used part of the matrix (a view, not a copy). */
  finish(): { words: string[]; matrix: Float32Array; dim: number; duplicates: number; index: Map<string, number> } {
    const used = this.words.length * this.dim;
    const matrix = used === this.matrix.length ? this.matrix : this.matrix.subarray(0, used);
    return { words: this.words, matrix, dim: this.dim, duplicates: this.duplicates, index: this.seen };
  }
}
