/**
 * The nearest-neighbour index abstraction shared by every kind of embedding
 * (word vectors, image features, document vectors). Knows no domain.
 */

/** Distance used by an index. `ip` is inner product (vectors are not normalised). */
export type Metric = 'cosine' | 'l2' | 'ip';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface SearchHit {
  key: string;
  /** Larger is closer: cosine similarity for `cosine`, dot product for `ip`, minus squared distance for `l2`. */
  score: number;
  /** Smaller is closer: 1 − cosine for `cosine`, 1 − dot for `ip`, squared Euclidean for `l2`. */
  distance: number;
  metadata?: JsonValue;
}

export interface QueryOptions {
  /** Number of neighbours. Default 10. */
  k?: number;
  /**
   * Keys never returned (e.g. the query words themselves): an array or a Set of keys. A string is
   * refused (iterating it would exclude its characters): write `['doc-1']`.
   */
  exclude?: readonly string[] | ReadonlySet<string>;
  /** Keep only items for which this returns true. */
  filter?: (key: string, metadata: JsonValue | undefined) => boolean;
  /** HNSW search breadth for this query (ignored by exact search). */
  ef?: number;
}

/**
 * How a new input becomes a vector of an index's space: a JSON object with a string `kind`,
 * whose other fields belong to whoever wrote it (see `VectorIndex.recipe`).
 */
export interface EmbeddingRecipe {
  readonly kind: string;
}

export interface VectorIndex {
  readonly kind: 'exact' | 'hnsw';
  readonly dim: number;
  readonly metric: Metric;
  /**
   * How a new input becomes a vector of this index's space (the model or word vectors, representation,
   * input size …), recorded by whoever made the vectors and saved with the index. Opaque here: the
   * index never reads it. `transferkit index query --text/--image` uses it to embed a query.
   */
  recipe?: EmbeddingRecipe;
  /** Number of live (not deleted) items. */
  readonly size: number;
  has(key: string): boolean;
  /** Add a new item; throws if the key exists (use `update`). */
  add(key: string, vector: ArrayLike<number>, metadata?: JsonValue): void;
  /**
   * Add many items: a flat row-major matrix (keys.length × dim, Float32Array or Float64Array) or an array of vectors. All or
   * nothing: the whole batch is checked (new, distinct keys; sizes; finite float32 values) first.
   */
  addBatch(
    keys: readonly string[],
    vectors: Float32Array | Float64Array | ArrayLike<number>[],
    options?: { metadata?: readonly (JsonValue | undefined)[]; onProgress?: (done: number) => void },
  ): void;
  /** Replace the vector (and metadata, when given) of an existing key. */
  update(key: string, vector: ArrayLike<number>, metadata?: JsonValue): void;
  /** Remove an item; returns false when the key was not present. */
  delete(key: string): boolean;
  metadata(key: string): JsonValue | undefined;
  keys(): string[];
  /** The stored vector of a key (unit-normalised for cosine HNSW), or undefined when absent. */
  vector?(key: string): Float32Array | undefined;
  query(vector: ArrayLike<number>, options?: QueryOptions): SearchHit[];
  /** Many queries at once (rows of a flat matrix or an array of vectors). */
  queryBatch(vectors: Float32Array | ArrayLike<number>[], options?: QueryOptions): SearchHit[][];
  /** Persist as a directory, atomically. */
  save(dir: string): Promise<void>;
}
