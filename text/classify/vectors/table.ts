/**
 * The vectors a trained classifier keeps: only the rows of words its
 * vocabulary needs, stored in the bundle as `vectors.words.txt` +
 * `vectors.f32` so the bundle loads without the original vector file.
 */
import { BundleError, InvalidArgumentError } from '../../../src/errors.js';
import type { PretrainedVectors } from './lookup.js';

export class VectorTable implements PretrainedVectors {
  private readonly rowOf: Map<string, number>;

  constructor(
    readonly words: readonly string[],
    readonly matrix: Float32Array,
    readonly dim: number,
  ) {
    if (matrix.length !== words.length * dim) {
      throw new InvalidArgumentError(`vector table has ${matrix.length} values for ${words.length} words × ${dim}`);
    }
    this.rowOf = new Map(words.map((w, i) => [w, i]));
  }

  get size(): number {
    return this.words.length;
  }

  indexOf(word: string): number {
    return this.rowOf.get(word) ?? -1;
  }

  /** The rows of `rows` of `vectors` (in that order, duplicates dropped). */
  static subset(vectors: PretrainedVectors, rows: Iterable<number>): VectorTable {
    const unique = [...new Set(rows)].filter((r) => r >= 0);
    const dim = vectors.dim;
    const m = new Float32Array(unique.length * dim);
    unique.forEach((r, i) => m.set(vectors.matrix.subarray(r * dim, (r + 1) * dim), i * dim));
    return new VectorTable(
      unique.map((r) => vectors.words[r]),
      m,
      dim,
    );
  }

  /** Bundle files. */
  toFiles(): Record<string, string | Uint8Array> {
    return {
      'vectors.words.txt': this.words.join('\n'),
      'vectors.f32': new Uint8Array(this.matrix.buffer, this.matrix.byteOffset, this.matrix.byteLength),
    };
  }

  static fromFiles(words: string, data: Buffer, dim: number): VectorTable {
    const list = words === '' ? [] : words.split('\n');
    if (data.byteLength !== list.length * dim * 4) {
      throw new BundleError(`vectors.f32 holds ${data.byteLength} bytes, expected ${list.length} words × ${dim} × 4`);
    }
    const m = new Float32Array(list.length * dim);
    new Uint8Array(m.buffer).set(data);
    return new VectorTable(list, m, dim);
  }
}
