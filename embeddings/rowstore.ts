/**
 * Growable storage for the rows of an exact index. When WebAssembly SIMD is
 * available the rows live in the kernel's own WebAssembly memory, so a scan reads
 * them in place (no per-query copy) and growing keeps them where they are;
 * otherwise (or past the 4 GB WebAssembly limit) in an ordinary Float32Array.
 */
import { createWasmDots, type WasmDots } from './wasm-dots.js';

export class RowStore {
  readonly dim: number;
  private dots: WasmDots | null;
  private js: Float32Array | null = null;
  private view: Float32Array;
  private rowsCapacity: number;

  constructor(dim: number, capacity: number, options: { wasm?: boolean } = {}) {
    this.dim = dim;
    this.rowsCapacity = Math.max(1, capacity);
    this.dots = options.wasm === false ? null : createWasmDots();
    if (this.dots) {
      try {
        this.dots.reserve(this.rowsCapacity * dim * 4);
      } catch {
        this.dots = null;
      }
    }
    if (!this.dots) this.js = new Float32Array(this.rowsCapacity * dim);
    this.view = this.makeView();
  }

  get capacity(): number {
    return this.rowsCapacity;
  }

  /** The kernel instance whose memory holds the rows (at byte 0), or null for JS storage. */
  get resident(): WasmDots | null {
    return this.dots;
  }

  /** A view of all `capacity` rows. Re-read after anything that may grow memory (a scan, grow()). */
  get matrix(): Float32Array {
    if (this.dots && this.view.buffer !== this.dots.memory.buffer) this.view = this.makeView();
    return this.view;
  }

  /** Make room for at least `rows` rows (doubling); contents are kept. */
  grow(rows: number): void {
    if (rows <= this.rowsCapacity) return;
    const next = Math.max(rows, this.rowsCapacity * 2);
    if (this.dots) {
      try {
        this.dots.reserve(next * this.dim * 4);
        this.rowsCapacity = next;
        this.view = this.makeView();
        return;
      } catch {
        // Past what WebAssembly memory can hold: move to the JS heap.
        const old = this.matrix.slice();
        this.dots = null;
        this.js = old;
      }
    }
    const grown = new Float32Array(next * this.dim);
    grown.set(this.js!.subarray(0, Math.min(this.js!.length, grown.length)));
    this.js = grown;
    this.rowsCapacity = next;
    this.view = this.makeView();
  }

  private makeView(): Float32Array {
    if (this.dots) return new Float32Array(this.dots.memory.buffer, 0, this.rowsCapacity * this.dim);
    return this.js!;
  }
}
