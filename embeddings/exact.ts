/**
 * Exact nearest-neighbour search: every query is compared with every stored row
 * (see kernel.ts). The ground truth for recall measurements and the right choice
 * for small sets (up to ~100k rows interactive, more when queries come in batches).
 */
import { InvalidArgumentError } from '../src/errors.js';
import { exactTopK, rowInverseNorms, rowSquaredNorms } from './kernel.js';
import { KeyTable } from './keytable.js';
import { metadataCopy, ownMetadata } from './metadata.js';
import { saveIndexDir } from './persist.js';
import { RowStore } from './rowstore.js';
import type { EmbeddingRecipe, JsonValue, Metric, QueryOptions, SearchHit, VectorIndex } from './types.js';
import { batchRows, checkBatch } from './batch.js';
import { checkMatrix, checkMetric, checkQueryDirections, checkVector, excludedKeys, flattenQueries, isZeroVector, scoreToDistance } from './vectors.js';

export interface ExactIndexOptions {
  /** Vector dimension (required). */
  dim: number;
  /** Distance. Default `cosine`. */
  metric?: Metric;
  /** Rows reserved up front; the index grows (doubling) past it. Default 1024. */
  capacity?: number;
  /** @internal fromMatrix/fromParts supply the rows themselves. */
  borrowing?: boolean;
}

export interface FromMatrixOptions {
  /** One key per row, in row order. */
  keys: readonly string[];
  /** Row-major `keys.length × dim` matrix. Used as is — not copied — until the first add() past its end. */
  matrix: Float32Array;
  dim: number;
  /** Default `cosine`. */
  metric?: Metric;
  /** Cosine only: promise that every row already has unit norm (skips computing norms). Default false. */
  normalized?: boolean;
  /** Optional metadata per row. */
  metadata?: readonly (JsonValue | undefined)[];
}

export const DEFAULT_K = 10;
const DEFAULT_CAPACITY = 1024;

export class ExactIndex implements VectorIndex {
  readonly kind = 'exact' as const;
  readonly dim: number;
  readonly metric: Metric;
  /** See `VectorIndex.recipe`. */
  recipe?: EmbeddingRecipe;
  /** The caller's matrix (fromMatrix), never written to; null once we own the rows. */
  private borrowed: Float32Array | null = null;
  /** Our own rows (in WebAssembly memory when available). */
  private store: RowStore | null = null;
  private table: KeyTable;
  /** Cosine: when true every stored row has unit norm; otherwise `rowScale` holds 1/‖row‖. */
  private unitRows: boolean;
  private rowScale: Float64Array | null = null;
  /** L2: squared row norms. */
  private sqNorms: Float64Array | null = null;
  /**
   * Cosine over unit rows: the rows that are zero (with `rowScale` the kernel skips rows of factor 0).
   * A zero vector has no direction, so it never matches.
   */
  private zeroRows = new Set<number>();

  constructor(options: ExactIndexOptions) {
    if (!Number.isInteger(options.dim) || options.dim < 1) {
      throw new InvalidArgumentError(`dim must be a positive integer, got ${options.dim}`);
    }
    this.dim = options.dim;
    this.metric = checkMetric(options.metric ?? 'cosine');
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidArgumentError(`capacity must be a positive integer, got ${capacity}`, {
        hint: `it is the number of rows reserved up front (default ${DEFAULT_CAPACITY}); the index grows past it by itself`,
      });
    }
    if (!options.borrowing) this.store = new RowStore(this.dim, capacity);
    this.table = new KeyTable();
    this.unitRows = true;
    if (this.metric === 'l2') this.sqNorms = new Float64Array(capacity);
  }

  /**
   * Wrap an existing matrix without copying it (e.g. the 341k × 100 matrix of a
   * word-vectors table). Norms needed by the metric are computed once (8 bytes per row).
   */
  static fromMatrix(options: FromMatrixOptions): ExactIndex {
    const { keys, matrix, dim } = options;
    const index = new ExactIndex({ dim, metric: options.metric, capacity: 1, borrowing: true });
    if (!(matrix instanceof Float32Array)) throw new InvalidArgumentError('matrix must be a Float32Array');
    if (matrix.length < keys.length * dim) {
      throw new InvalidArgumentError(`matrix has ${matrix.length} values, need ${keys.length} × ${dim} = ${keys.length * dim}`);
    }
    if (options.metadata && options.metadata.length !== keys.length) {
      throw new InvalidArgumentError(`metadata has ${options.metadata.length} entries for ${keys.length} keys`);
    }
    // The matrix is used as is: NaN or ±Infinity would give null scores (ip) or silently lost rows.
    checkMatrix(matrix.subarray(0, keys.length * dim), dim, (r) => `the vector of '${keys[r]}' (row ${r})`);
    index.table = KeyTable.fromKeys(keys, options.metadata);
    index.borrowed = matrix;
    const rows = keys.length;
    if (index.metric === 'cosine') {
      index.unitRows = options.normalized === true;
      if (!index.unitRows) index.rowScale = rowInverseNorms(matrix, dim, rows);
      else index.findZeroRows(matrix, rows);
    } else if (index.metric === 'l2') {
      index.sqNorms = rowSquaredNorms(matrix, dim, rows);
    }
    return index;
  }

  /** Rebuild from saved parts (used by loadIndex). */
  static fromParts(parts: { dim: number; metric: Metric; table: KeyTable; data: Uint8Array; unitRows: boolean }): ExactIndex {
    const index = new ExactIndex({ dim: parts.dim, metric: parts.metric, capacity: 1, borrowing: true });
    index.table = parts.table;
    const rows = parts.table.slotCount;
    index.store = new RowStore(parts.dim, Math.max(1, rows));
    const target = index.store.matrix;
    new Uint8Array(target.buffer, target.byteOffset, rows * parts.dim * 4).set(parts.data.subarray(0, rows * parts.dim * 4));
    const matrix = index.store.matrix;
    if (parts.metric === 'cosine') {
      index.unitRows = parts.unitRows;
      if (!index.unitRows) index.rowScale = rowInverseNorms(matrix, parts.dim, rows);
      else index.findZeroRows(matrix, rows);
    } else if (parts.metric === 'l2') {
      index.sqNorms = rowSquaredNorms(matrix, parts.dim, rows);
    }
    return index;
  }

  get size(): number {
    return this.table.size;
  }

  /** Cosine over unit rows: note the live rows that are all zeros (most rows stop at their first value). */
  private findZeroRows(matrix: Float32Array, rows: number): void {
    for (let r = 0; r < rows; r++) if (this.table.live(r) && isZeroVector(matrix, r * this.dim, (r + 1) * this.dim)) this.zeroRows.add(r);
  }

  /** Rows the matrix can hold before it has to grow. */
  get capacity(): number {
    return this.store ? this.store.capacity : Math.floor(this.borrowed!.length / this.dim);
  }

  /** The rows (the caller's matrix for fromMatrix until the first write). A live view: re-read after writes. */
  private get matrix(): Float32Array {
    return this.borrowed ?? this.store!.matrix;
  }

  has(key: string): boolean {
    return this.table.has(key);
  }

  metadata(key: string): JsonValue | undefined {
    const slot = this.table.slotOf(key);
    return slot === undefined ? undefined : metadataCopy(this.table.metadataAt(slot));
  }

  keys(): string[] {
    return this.table.keys();
  }

  /** The stored vector of a key (normalised for a cosine index built with add()), or undefined. */
  vector(key: string): Float32Array | undefined {
    const slot = this.table.slotOf(key);
    if (slot === undefined) return undefined;
    return this.matrix.slice(slot * this.dim, (slot + 1) * this.dim);
  }

  add(key: string, vector: ArrayLike<number>, metadata?: JsonValue): void {
    checkVector(vector, this.dim);
    const owned = metadata === undefined ? undefined : ownMetadata(metadata, `the metadata of '${key}'`);
    this.ensureWritable(this.table.peekSlot() + 1);
    const slot = this.table.insert(key, owned);
    this.writeRow(slot, vector);
  }

  /**
   * Add many items; `vectors` is a flat row-major matrix (keys.length × dim) or an array of vectors.
   * All or nothing: every key and vector is checked before the first is added. Grows once.
   */
  addBatch(
    keys: readonly string[],
    vectors: Float32Array | Float64Array | ArrayLike<number>[],
    options: { metadata?: readonly (JsonValue | undefined)[]; onProgress?: (done: number) => void } = {},
  ): void {
    const rowOf = batchRows(keys, vectors, this.dim);
    const metadata = checkBatch(keys, rowOf, this.dim, (key) => this.table.has(key), options.metadata);
    this.ensureWritable(this.table.slotCount + Math.max(0, keys.length - this.table.freeCount));
    for (let i = 0; i < keys.length; i++) {
      const slot = this.table.insert(keys[i]!, metadata?.[i]);
      this.writeRow(slot, rowOf(i));
      if (options.onProgress && (i + 1) % 1000 === 0) options.onProgress(i + 1);
    }
    options.onProgress?.(keys.length);
  }

  update(key: string, vector: ArrayLike<number>, metadata?: JsonValue): void {
    checkVector(vector, this.dim);
    const slot = this.table.requireSlot(key);
    const owned = metadata === undefined ? undefined : ownMetadata(metadata, `the metadata of '${key}'`);
    this.ensureWritable(this.table.slotCount);
    this.writeRow(slot, vector);
    if (owned !== undefined) this.table.setMetadata(slot, owned);
  }

  delete(key: string): boolean {
    const slot = this.table.remove(key);
    if (slot === undefined) return false;
    this.zeroRows.delete(slot);
    return true;
  }

  query(vector: ArrayLike<number>, options: QueryOptions = {}): SearchHit[] {
    checkVector(vector, this.dim, 'query vector');
    checkQueryDirections(this.metric, vector, 1, this.dim);
    return this.search(Float32Array.from(vector), 1, options)[0]!;
  }

  queryBatch(vectors: Float32Array | ArrayLike<number>[], options: QueryOptions = {}): SearchHit[][] {
    const { flat, count } = flattenQueries(vectors, this.dim);
    checkQueryDirections(this.metric, flat, count, this.dim, (i) => `query ${i}`);
    return this.search(flat, count, options);
  }

  /** Top-k rows (not keys) for flat queries: the raw kernel result, for tools that need speed. */
  searchRows(queries: Float32Array, count: number, k: number): { rows: Int32Array; scores: Float64Array }[] {
    const table = this.table;
    const zeros = this.zeroRows;
    const needsCheck = table.freeCount > 0 || zeros.size > 0;
    return exactTopK(this.scanInput(), queries, count, {
      k: Math.min(k, this.size),
      accept: needsCheck ? (row) => table.live(row) && !zeros.has(row) : undefined,
    });
  }

  /**
   * Save to a folder (atomically). The folder holds the index as it is at this call (its rows are copied
   * before this returns): adds, updates and deletes made before the returned promise settles are not in it.
   */
  async save(dir: string): Promise<void> {
    const rows = this.table.slotCount;
    const snapshot = this.table.snapshot();
    // A copy, taken now: the folder holds the rows of this call, whatever add/update (or a grown
    // WebAssembly memory, or the owner of a fromMatrix matrix) changes while the write completes.
    const data = this.matrix.slice(0, rows * this.dim);
    await saveIndexDir(dir, {
      kind: 'exact',
      dim: this.dim,
      metric: this.metric,
      count: this.size,
      slots: rows,
      params: { unitRows: this.metric === 'cosine' ? this.unitRows : false },
      recipe: this.recipe,
      keys: snapshot.keys,
      metadata: snapshot.metadata,
      nullMetadata: snapshot.nullSlots,
      payload: { name: 'vectors.f32', bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) },
    });
  }

  private scanInput() {
    return {
      matrix: this.matrix,
      dim: this.dim,
      rows: this.table.slotCount,
      metric: this.metric,
      rowScale: this.rowScale,
      sqNorms: this.sqNorms,
      resident: this.store?.resident ?? null,
    };
  }

  private search(flat: Float32Array, count: number, options: QueryOptions): SearchHit[][] {
    const k = options.k ?? DEFAULT_K;
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`k must be a non-negative integer, got ${k}`);
    const table = this.table;
    const excluded = new Set<number>();
    for (const key of excludedKeys(options.exclude)) {
      const slot = table.slotOf(key);
      if (slot !== undefined) excluded.add(slot);
    }
    const filter = options.filter;
    const zeros = this.zeroRows;
    const needsCheck = table.freeCount > 0 || excluded.size > 0 || filter !== undefined || zeros.size > 0;
    const accept = needsCheck
      ? (row: number) => {
          const key = table.keyAt(row);
          if (key === undefined || excluded.has(row) || zeros.has(row)) return false;
          return filter === undefined || filter(key, table.metadataAt(row));
        }
      : undefined;
    const results = exactTopK(this.scanInput(), flat, count, { k: Math.min(k, this.size), accept });
    return results.map((res) => {
      const hits: SearchHit[] = [];
      for (let i = 0; i < res.rows.length; i++) {
        const row = res.rows[i]!;
        const score = res.scores[i]!;
        const hit: SearchHit = { key: table.keyAt(row)!, score, distance: scoreToDistance(this.metric, score) };
        const meta = table.metadataAt(row);
        if (meta !== undefined) hit.metadata = metadataCopy(meta);
        hits.push(hit);
      }
      return hits;
    });
  }

  /** Make sure the matrix is ours (not borrowed) and holds at least `rows` rows. */
  private ensureWritable(rows: number): void {
    const capacity = this.capacity;
    if (this.store && rows <= capacity) return;
    const newCapacity = Math.max(rows, capacity * 2, DEFAULT_CAPACITY);
    if (this.store) {
      this.store.grow(newCapacity);
    } else {
      // First write to a borrowed matrix: copy it into storage of our own.
      const store = new RowStore(this.dim, newCapacity);
      store.matrix.set(this.borrowed!.subarray(0, this.table.slotCount * this.dim));
      this.store = store;
      this.borrowed = null;
    }
    if (this.rowScale) {
      const s = new Float64Array(newCapacity);
      s.set(this.rowScale.subarray(0, Math.min(this.rowScale.length, newCapacity)));
      this.rowScale = s;
    }
    if (this.sqNorms) {
      const s = new Float64Array(newCapacity);
      s.set(this.sqNorms.subarray(0, Math.min(this.sqNorms.length, newCapacity)));
      this.sqNorms = s;
    }
  }

  private writeRow(slot: number, vector: ArrayLike<number>): void {
    const o = slot * this.dim;
    let sq = 0;
    for (let d = 0; d < this.dim; d++) {
      const x = vector[d]!;
      sq += x * x;
    }
    const m = this.matrix;
    if (this.metric === 'cosine' && this.unitRows) {
      const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      for (let d = 0; d < this.dim; d++) m[o + d] = vector[d]! * inv;
      if (sq > 0) this.zeroRows.delete(slot);
      else this.zeroRows.add(slot);
      return;
    }
    for (let d = 0; d < this.dim; d++) m[o + d] = vector[d]!;
    if (this.rowScale) this.rowScale[slot] = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    if (this.sqNorms) this.sqNorms[slot] = rowSquaredNorms(m.subarray(o, o + this.dim), this.dim, 1)[0]!;
  }
}
