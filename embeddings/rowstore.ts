/**
 * Storage for rows that the exact kernel scans in place. When WebAssembly SIMD is
 * available the rows live in a kernel instance's own WebAssembly memory (at byte
 * 0, followed by the scan's scratch space), so a scan reads them where they are
 * — no per-query copy — and never grows the memory; otherwise (or past the 4 GiB
 * WebAssembly limit) in an ordinary Float32Array.
 *
 *  - `RowStore`: growable (doubling), for an index that adds rows.
 *  - `allocateRows(rows, dim)`: a fixed-size matrix, for rows loaded once (word vectors).
 */
import { scanScratchBytes } from './kernel.js';
import { createWasmDots, kernelOwning, WASM_MAX_BYTES, type WasmDots } from './wasm-dots.js';

/**
 * A kernel instance with room for `rows × dim` float32 rows at byte 0 plus the
 * scan scratch after them, or null (no WebAssembly SIMD, or too large: the caller
 * then uses the JS heap).
 */
function residentKernelFor(rows: number, dim: number): WasmDots | null {
  const rowBytes = rows * dim * 4;
  const bytes = rowBytes + scanScratchBytes(dim);
  if (bytes > WASM_MAX_BYTES) return null;
  try {
    const dots = createWasmDots(bytes);
    if (dots) dots.rowsEnd = rowBytes;
    return dots;
  } catch {
    // The memory could not be that large (address space or RAM): use the JS heap.
    return null;
  }
}

/**
 * A zero-filled `rows × dim` matrix that the exact kernel scans in place: a view
 * of a fresh kernel instance's WebAssembly memory, or a plain Float32Array when
 * WebAssembly SIMD is unavailable or the matrix (plus scratch) passes 4 GiB.
 * Nothing grows that memory afterwards (scans use the reserved scratch), so the
 * view stays valid; `LiveMatrix` re-reads it should anything ever grow it.
 */
export function allocateRows(rows: number, dim: number): Float32Array {
  const dots = residentKernelFor(rows, dim);
  return dots ? new Float32Array(dots.memory.buffer, 0, rows * dim) : new Float32Array(rows * dim);
}

/** Whether `matrix` lives in a kernel instance's memory (it is then scanned in place). */
export function isResident(matrix: Float32Array): boolean {
  const dots = kernelOwning(matrix.buffer);
  return dots !== null && dots.memory.buffer === matrix.buffer && matrix.byteOffset + matrix.byteLength <= dots.rowsEnd;
}

/**
 * A matrix kept current: when it is a view of a kernel instance's memory, `view`
 * re-reads it on that memory's current buffer should the memory ever grow (growing
 * detaches every view, whose offset and length then read 0 — so they are recorded
 * here up front). A plain array is returned as it is.
 */
export class LiveMatrix {
  private cached: Float32Array;
  private readonly dots: WasmDots | null;
  private readonly byteOffset: number;
  private readonly length: number;

  constructor(matrix: Float32Array) {
    const dots = kernelOwning(matrix.buffer);
    this.cached = matrix;
    this.dots = dots !== null && dots.memory.buffer === matrix.buffer ? dots : null;
    this.byteOffset = matrix.byteOffset;
    this.length = matrix.length;
  }

  /** The kernel instance whose memory holds the matrix, or null. */
  get kernel(): WasmDots | null {
    return this.dots;
  }

  get view(): Float32Array {
    if (this.dots !== null && this.cached.buffer !== this.dots.memory.buffer) {
      this.cached = new Float32Array(this.dots.memory.buffer, this.byteOffset, this.length);
    }
    return this.cached;
  }
}

export class RowStore {
  readonly dim: number;
  private dots: WasmDots | null;
  private js: Float32Array | null = null;
  private view: Float32Array;
  private rowsCapacity: number;

  constructor(dim: number, capacity: number, options: { wasm?: boolean } = {}) {
    this.dim = dim;
    this.rowsCapacity = Math.max(1, capacity);
    this.dots = options.wasm === false ? null : residentKernelFor(this.rowsCapacity, dim);
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

  /** A view of all `capacity` rows. Re-read after grow() (which may move the memory). */
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
        this.dots.reserve(next * this.dim * 4 + scanScratchBytes(this.dim));
        this.dots.rowsEnd = next * this.dim * 4;
        this.rowsCapacity = next;
        this.view = this.makeView();
        return;
      } catch {
        // Past what WebAssembly memory can hold: move to the JS heap.
        const old = this.matrix.slice(0, this.rowsCapacity * this.dim);
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
