/**
 * Approximate nearest neighbours with HNSW (hnswlib-node). String keys map to
 * hnswlib integer labels through a KeyTable; a deleted key's label is marked
 * deleted in hnswlib and revived (same internal slot) by the next add, so the
 * graph never needs rebuilding. The index grows automatically (doubling) past
 * its capacity.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { InvalidArgumentError, InvalidFileError } from '../src/errors.js';
import { MAX_SEED } from '../src/random.js';
import { DEFAULT_K } from './exact.js';
import { evaluate, tuneEf, type EvaluateOptions, type EvaluateResult, type TuneEfOptions, type TuneEfResult } from './evaluate.js';
import { batchRows, checkBatch } from './batch.js';
import { KeyTable } from './keytable.js';
import { metadataCopy, ownMetadata } from './metadata.js';
import { MANIFEST_FILE, saveIndexDir, type IndexParts } from './persist.js';
import type { EmbeddingRecipe, JsonValue, Metric, QueryOptions, SearchHit, VectorIndex } from './types.js';
import { checkMetric, checkQueryDirections, checkVector, distanceToScore, excludedKeys, flattenQueries, isZeroVector } from './vectors.js';

/** Graph degree (hnswlib M). */
export const DEFAULT_M = 16;
/** Largest M: hnswlib silently caps M at 10,000, so a larger value would be recorded but not used. */
export const MAX_M = 10_000;
/** Build-time search breadth (hnswlib ef_construction). */
export const DEFAULT_EF_CONSTRUCTION = 200;
/**
 * Query-time search breadth. hnswlib's own default (10) gives recall@10 ≈ 0.6 on
 * the 341k × 100 GloVe-derived benchmark (held-out words); 200 gives 0.953 there and
 * 256 keeps a margin above 0.95 (see docs/index.md). Lower it (or run `tuneEf`) for speed.
 */
export const DEFAULT_EF = 256;
/** Initial capacity when none is given; the index doubles as needed. */
export const DEFAULT_HNSW_CAPACITY = 1024;
/** hnswlib random seed (level assignment); fixed so builds are reproducible. */
export const DEFAULT_SEED = 100;

export interface HnswIndexOptions {
  /** Vector dimension (required). */
  dim: number;
  /** Default `cosine`. */
  metric?: Metric;
  /** Links per node. Default 16. Higher: better recall, more memory, slower build. */
  M?: number;
  /** Build breadth. Default 200. */
  efConstruction?: number;
  /** Default query breadth (per-query `ef` overrides). Default 256. */
  ef?: number;
  /** Items reserved up front. Default 1024; grows automatically. */
  capacity?: number;
  /** Random seed for the graph levels. Default 100. */
  seed?: number;
}

const NO_SLOTS: ReadonlySet<number> = new Set<number>();

/**
 * The vector dimension recorded in an hnswlib index file's header: hnswlib stores
 * offsetLevel0, maxElements, count, sizeDataPerElement, labelOffset, offsetData as
 * 8-byte integers, and a row's data (dim float32) lies between offsetData and labelOffset.
 */
async function hnswFileDim(path: string): Promise<number | undefined> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(48);
    const { bytesRead } = await handle.read(header, 0, 48, 0);
    if (bytesRead < 48) return undefined;
    const bytes = Number(header.readBigUInt64LE(32) - header.readBigUInt64LE(40));
    return bytes > 0 && bytes % 4 === 0 ? bytes / 4 : undefined;
  } finally {
    await handle.close();
  }
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
  return v;
}

/** Largest seed: hnswlib-node reads the seed as a 32-bit unsigned integer (-1, 1.5 and NaN would be other seeds). */
export { MAX_SEED };

/** The HNSW parameters of `options` (defaults filled in), checked: typed errors for values hnswlib cannot use as given. */
export function checkHnswOptions(options: Pick<HnswIndexOptions, 'M' | 'efConstruction' | 'ef' | 'seed'>): { M: number; efConstruction: number; ef: number; seed: number } {
  const M = positiveInt('M', options.M ?? DEFAULT_M);
  if (M > MAX_M) {
    throw new InvalidArgumentError(`M must be at most ${MAX_M}, got ${M}`, { hint: `hnswlib caps M at ${MAX_M} (typical values are 8 to 64; the default is ${DEFAULT_M})` });
  }
  const efConstruction = positiveInt('efConstruction', options.efConstruction ?? DEFAULT_EF_CONSTRUCTION);
  const ef = positiveInt('ef', options.ef ?? DEFAULT_EF);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new InvalidArgumentError(`seed must be an integer from 0 to ${MAX_SEED}, got ${seed}`, {
      hint: `hnswlib seeds its level generator with a 32-bit unsigned integer (the default is ${DEFAULT_SEED})`,
    });
  }
  return { M, efConstruction, ef, seed };
}

export class HnswIndex implements VectorIndex {
  readonly kind = 'hnsw' as const;
  readonly dim: number;
  readonly metric: Metric;
  /** See `VectorIndex.recipe`. */
  recipe?: EmbeddingRecipe;
  readonly M: number;
  readonly efConstruction: number;
  readonly seed: number;
  private _ef: number;
  private currentEf: number;
  private readonly native: hnswlib.HierarchicalNSW;
  private table: KeyTable;
  /** Reused conversion buffer: hnswlib-node takes plain arrays. */
  private readonly scratch: number[];
  /**
   * Cosine: slots that hold a zero vector. They have no direction, so they never match (cosine
   * would be undefined; hnswlib scores them 0). Tracked by add/update; in a loaded index they are
   * found when a search meets one (`zeroSlotsComplete` false).
   */
  private readonly zeroSlots = new Set<number>();
  private zeroSlotsComplete: boolean;

  constructor(options: HnswIndexOptions, existing?: { native: hnswlib.HierarchicalNSW; table: KeyTable }) {
    this.dim = positiveInt('dim', options.dim);
    this.metric = checkMetric(options.metric ?? 'cosine');
    const params = checkHnswOptions(options);
    this.M = params.M;
    this.efConstruction = params.efConstruction;
    this._ef = params.ef;
    this.seed = params.seed;
    this.scratch = new Array<number>(this.dim).fill(0);
    this.zeroSlotsComplete = existing === undefined;
    if (existing) {
      this.native = existing.native;
      this.table = existing.table;
    } else {
      this.native = new hnswlib.HierarchicalNSW(this.metric, this.dim);
      this.native.initIndex({
        maxElements: positiveInt('capacity', options.capacity ?? DEFAULT_HNSW_CAPACITY),
        m: this.M,
        efConstruction: this.efConstruction,
        randomSeed: this.seed,
        allowReplaceDeleted: false,
      });
      this.table = new KeyTable();
    }
    this.native.setEf(this._ef);
    this.currentEf = this._ef;
  }

  /** Rebuild from a saved directory's parts (used by loadIndex). */
  static async fromSaved(parts: IndexParts): Promise<HnswIndex> {
    const { manifest, table, payloadPath } = parts;
    // hnswlib reads its file with the dimension it is given, unchecked: a manifest whose dim was
    // changed would give an index that answers queries of the wrong size from misread rows.
    const fileDim = await hnswFileDim(payloadPath);
    if (fileDim !== manifest.dim) {
      throw new InvalidFileError(
        fileDim === undefined ? 'is not an hnswlib index file (its header is unreadable)' : `holds ${fileDim}-dimensional vectors, but the manifest says dim ${manifest.dim}`,
        { file: fileDim === undefined ? payloadPath : join(payloadPath, '..', MANIFEST_FILE), hint: 'the index directory was edited or mixes files from different saves; rebuild it' },
      );
    }
    const native = new hnswlib.HierarchicalNSW(manifest.metric, manifest.dim);
    try {
      await native.readIndex(payloadPath, false);
    } catch (e) {
      throw new InvalidFileError(`hnswlib could not read the index: ${(e as Error).message}`, { file: payloadPath, cause: e });
    }
    if (native.getCurrentCount() !== manifest.slots) {
      throw new InvalidFileError(`holds ${native.getCurrentCount()} items, manifest says ${manifest.slots}`, {
        file: payloadPath,
        hint: 'the index directory mixes files from different saves; rebuild it',
      });
    }
    const p = manifest.params;
    return new HnswIndex(
      {
        dim: manifest.dim,
        metric: manifest.metric,
        M: Number(p.M ?? DEFAULT_M),
        efConstruction: Number(p.efConstruction ?? DEFAULT_EF_CONSTRUCTION),
        ef: Number(p.ef ?? DEFAULT_EF),
        // The seed only matters for adds; indexes saved before seeds were checked may record one hnswlib
        // read as a uint32 (-1) or that JSON turned into null (NaN): recorded as hnswlib used it.
        seed: typeof p.seed === 'number' ? p.seed >>> 0 : p.seed === null ? 0 : DEFAULT_SEED,
      },
      { native, table },
    );
  }

  /** Default query breadth; settable (e.g. by tuneEf). */
  get ef(): number {
    return this._ef;
  }

  set ef(value: number) {
    this._ef = positiveInt('ef', value);
  }

  get size(): number {
    return this.table.size;
  }

  /** Items the graph can hold before the next automatic resize. */
  get capacity(): number {
    return this.native.getMaxElements();
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

  /** The stored vector of a key (unit-normalised for cosine), or undefined. */
  vector(key: string): Float32Array | undefined {
    const slot = this.table.slotOf(key);
    return slot === undefined ? undefined : Float32Array.from(this.native.getPoint(slot));
  }

  add(key: string, vector: ArrayLike<number>, metadata?: JsonValue): void {
    checkVector(vector, this.dim);
    this.insertChecked(key, vector, metadata === undefined ? undefined : ownMetadata(metadata, `the metadata of '${key}'`));
  }

  /** Add a vector already checked (checkVector), with metadata as `ownMetadata` returns it, under a key not in the index. */
  private insertChecked(key: string, vector: ArrayLike<number>, metadata: JsonValue | undefined): void {
    const slot = this.table.peekSlot();
    if (slot >= this.native.getMaxElements()) this.native.resizeIndex(Math.max(slot + 1, this.native.getMaxElements() * 2));
    this.table.insert(key, metadata);
    try {
      this.native.addPoint(this.toScratch(vector), slot);
    } catch (e) {
      this.table.remove(key);
      throw e;
    }
    this.noteZero(slot, vector);
  }

  private noteZero(slot: number, vector: ArrayLike<number>): void {
    if (this.metric !== 'cosine') return;
    if (isZeroVector(vector, 0, this.dim)) this.zeroSlots.add(slot);
    else this.zeroSlots.delete(slot);
  }

  /**
   * Add many items; `vectors` is a flat row-major matrix (keys.length × dim) or an array of vectors.
   * All or nothing: every key and vector is checked before the first is added (a key already in the
   * index or twice in the batch, a vector of the wrong size or with a value that is not a finite
   * float32 throws, and the index is left as it was). Reserves capacity once. `onProgress(done)`
   * is called every 1,000 items.
   */
  addBatch(
    keys: readonly string[],
    vectors: Float32Array | Float64Array | ArrayLike<number>[],
    options: { metadata?: readonly (JsonValue | undefined)[]; onProgress?: (done: number) => void } = {},
  ): void {
    const rowOf = batchRows(keys, vectors, this.dim);
    const metadata = checkBatch(keys, rowOf, this.dim, (key) => this.table.has(key), options.metadata);
    const needed = this.table.slotCount + Math.max(0, keys.length - this.table.freeCount);
    if (needed > this.native.getMaxElements()) this.native.resizeIndex(needed);
    for (let i = 0; i < keys.length; i++) {
      this.insertChecked(keys[i]!, rowOf(i), metadata?.[i]);
      if (options.onProgress && (i + 1) % 1000 === 0) options.onProgress(i + 1);
    }
    options.onProgress?.(keys.length);
  }

  update(key: string, vector: ArrayLike<number>, metadata?: JsonValue): void {
    checkVector(vector, this.dim);
    const slot = this.table.requireSlot(key);
    const owned = metadata === undefined ? undefined : ownMetadata(metadata, `the metadata of '${key}'`);
    this.native.addPoint(this.toScratch(vector), slot);
    this.noteZero(slot, vector);
    if (owned !== undefined) this.table.setMetadata(slot, owned);
  }

  delete(key: string): boolean {
    const slot = this.table.remove(key);
    if (slot === undefined) return false;
    this.native.markDelete(slot);
    this.zeroSlots.delete(slot);
    return true;
  }

  query(vector: ArrayLike<number>, options: QueryOptions = {}): SearchHit[] {
    checkVector(vector, this.dim, 'query vector');
    checkQueryDirections(this.metric, vector, 1, this.dim);
    this.checkL2Range(vector, 0, 'query vector');
    return this.searchOne(vector, options, this.excludedSlots(options));
  }

  queryBatch(vectors: Float32Array | ArrayLike<number>[], options: QueryOptions = {}): SearchHit[][] {
    const { flat, count } = flattenQueries(vectors, this.dim);
    checkQueryDirections(this.metric, flat, count, this.dim, (i) => `query ${i}`);
    for (let i = 0; i < count; i++) this.checkL2Range(flat, i * this.dim, `query ${i}`);
    const excluded = this.excludedSlots(options);
    const out: SearchHit[][] = [];
    for (let i = 0; i < count; i++) out.push(this.searchOne(flat.subarray(i * this.dim, (i + 1) * this.dim), options, excluded));
    return out;
  }

  /** Raw search: labels (slots) and distances, nearest first — for benchmarks and tools. */
  searchSlots(vector: ArrayLike<number>, k: number, ef = this._ef): { neighbors: number[]; distances: number[] } {
    this.setNativeEf(ef);
    return this.native.searchKnn(this.toScratch(vector), Math.min(k, this.size));
  }

  /** Key of a slot returned by searchSlots. */
  keyAt(slot: number): string | undefined {
    return this.table.keyAt(slot);
  }

  /** Recall@k against exact search and queries per second (see evaluate()). */
  evaluate(queries: Float32Array | ArrayLike<number>[], k: number | EvaluateOptions = DEFAULT_K): EvaluateResult {
    return evaluate(this, queries, typeof k === 'number' ? { k } : k);
  }

  /** Find (and by default set) the smallest ef reaching the target recall (default 0.95). */
  tuneEf(queries: Float32Array | ArrayLike<number>[], options: TuneEfOptions = {}): TuneEfResult {
    return tuneEf(this, queries, options);
  }

  /**
   * Save to a folder (atomically). The folder holds the index as it is at this call: adds, updates and
   * deletes made before the returned promise settles are not in it. The graph is written before this
   * returns (synchronously: about as long as writing the file takes); checksums and the rename follow.
   */
  async save(dir: string): Promise<void> {
    const snapshot = this.table.snapshot();
    await saveIndexDir(dir, {
      kind: 'hnsw',
      dim: this.dim,
      metric: this.metric,
      count: this.size,
      slots: this.table.slotCount,
      params: { M: this.M, efConstruction: this.efConstruction, ef: this._ef, seed: this.seed, capacity: this.capacity },
      recipe: this.recipe,
      keys: snapshot.keys,
      metadata: snapshot.metadata,
      nullMetadata: snapshot.nullSlots,
      // Written synchronously, now: hnswlib's async writeIndex reads the graph on another thread while
      // this one may add (and resize), delete or update — the file would not be the index of this call.
      payload: { name: 'index.hnsw', writeSync: (path) => this.native.writeIndexSync(path) },
    });
  }

  private excludedSlots(options: QueryOptions): ReadonlySet<number> {
    if (options.exclude === undefined) return NO_SLOTS;
    const out = new Set<number>();
    for (const key of excludedKeys(options.exclude)) {
      const slot = this.table.slotOf(key);
      if (slot !== undefined) out.add(slot);
    }
    return out;
  }

  private setNativeEf(ef: number): void {
    if (ef !== this.currentEf) {
      this.native.setEf(positiveInt('ef', ef));
      this.currentEf = ef;
    }
  }

  /**
   * l2: hnswlib computes squared distances in float32. A query whose squared length overflows
   * float32 (values around 1.8e19 and up) is at distance Infinity from every ordinary item, so the
   * search could not rank anything: refused (an exact index computes in float64 and answers it).
   */
  private checkL2Range(v: ArrayLike<number>, start: number, what: string): void {
    if (this.metric !== 'l2') return;
    let sq = 0;
    for (let d = 0; d < this.dim; d++) sq += v[start + d]! * v[start + d]!;
    if (!Number.isFinite(Math.fround(sq))) {
      throw new InvalidArgumentError(`${what} is too long for an l2 HNSW search: its squared length ${sq.toPrecision(3)} overflows float32, the precision hnswlib computes distances in`, {
        hint: 'scale the vectors down (e.g. normalise them), or use an exact index (--kind exact, ExactIndex), which computes distances in float64',
      });
    }
  }

  private toScratch(vector: ArrayLike<number>): number[] {
    const s = this.scratch;
    for (let d = 0; d < this.dim; d++) s[d] = vector[d]!;
    if (this.metric === 'cosine') {
      // hnswlib normalises in float32, where the squared length of a vector with values beyond
      // ~1e19 (or below ~1e-19) overflows (underflows): the vector would become zero (or NaN).
      // Such vectors are normalised here, in float64; ordinary ones are passed as they are.
      let sq = 0;
      for (let d = 0; d < this.dim; d++) sq += s[d]! * s[d]!;
      if (sq > 0 && (sq > 1e30 || sq < 1e-30)) {
        const inv = 1 / Math.sqrt(sq);
        for (let d = 0; d < this.dim; d++) s[d] = s[d]! * inv;
      }
    }
    return s;
  }

  /** Cosine: does `slot` hold a zero vector (see zeroSlots)? */
  private isZeroSlot(slot: number, distance: number): boolean {
    if (this.zeroSlots.has(slot)) return true;
    // A loaded index learns its zero rows as searches meet them: hnswlib gives them distance 1 exactly.
    if (this.zeroSlotsComplete || distance !== 1) return false;
    if (!this.native.getPoint(slot).every((x) => x === 0)) return false;
    this.zeroSlots.add(slot);
    return true;
  }

  /** A distance hnswlib's float32 arithmetic overflowed (l2, ip), recomputed in float64 from the stored vector. */
  private exactDistance(slot: number, vector: ArrayLike<number>): number {
    const p = this.native.getPoint(slot);
    let s = 0;
    if (this.metric === 'l2') {
      for (let d = 0; d < this.dim; d++) s += (p[d]! - vector[d]!) ** 2;
      return s;
    }
    for (let d = 0; d < this.dim; d++) s += p[d]! * vector[d]!;
    return 1 - s;
  }

  private searchOne(vector: ArrayLike<number>, options: QueryOptions, excluded: ReadonlySet<number>): SearchHit[] {
    const k = options.k ?? DEFAULT_K;
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`k must be a non-negative integer, got ${k}`);
    if (k === 0 || this.size === 0) return [];
    this.setNativeEf(options.ef ?? this._ef);
    const table = this.table;
    const filter = options.filter;
    const cosine = this.metric === 'cosine';
    const zeros = this.zeroSlots;
    // Zero rows (cosine) sit at distance 1 (orthogonal to everything), so they reach the top k only
    // when fewer than k items have cosine > 0: they are dropped from the hits, and only then asked
    // past (a search for that many more). A filter that runs anyway skips the known ones.
    let extra = 0;
    for (;;) {
      const want = Math.min(k + excluded.size + extra, this.size);
      const result = filter
        ? this.native.searchKnn(this.toScratch(vector), want, (label) => {
            if (excluded.has(label) || (cosine && zeros.has(label))) return false;
            const key = table.keyAt(label);
            return key !== undefined && filter(key, table.metadataAt(label));
          })
        : this.native.searchKnn(this.toScratch(vector), want);
      const hits: SearchHit[] = [];
      let zerosMet = 0;
      let rescored = false;
      for (let i = 0; i < result.neighbors.length && hits.length < k; i++) {
        const slot = result.neighbors[i]!;
        if (excluded.has(slot)) continue;
        const key = table.keyAt(slot);
        if (key === undefined) continue;
        let distance = result.distances[i]!;
        if (cosine) {
          if (this.isZeroSlot(slot, distance)) {
            zerosMet++;
            continue;
          }
          // 1 − cosine from float32 unit vectors: rounding can put it a hair below 0 (a score above 1).
          if (distance < 0) distance = 0;
          else if (distance > 2) distance = 2;
        } else if (!Number.isFinite(distance)) {
          distance = this.exactDistance(slot, vector);
          rescored = true;
        }
        const hit: SearchHit = { key, score: distanceToScore(this.metric, distance), distance };
        const meta = table.metadataAt(slot);
        if (meta !== undefined) hit.metadata = metadataCopy(meta);
        hits.push(hit);
      }
      // Zero rows took places of the k: search again past them (all known ones at once, or twice as far).
      if (zerosMet > 0 && hits.length < k && want < this.size) {
        extra = Math.max(2 * extra, extra + zerosMet, zeros.size);
        continue;
      }
      if (rescored) hits.sort((a, b) => a.distance - b.distance);
      return hits;
    }
  }
}

