/**
 * On-disk layout of a saved index — a directory written atomically:
 *
 *   manifest.json  format, version, kind, dim, metric, count, slots, parameters,
 *                  and the byte size and sha256 of every other file
 *   keys.json      { keys: (string|null)[], metadata: (json|null)[] | null } by slot
 *   vectors.f32    (exact) little-endian float32 rows, slots × dim
 *   index.hnsw     (hnsw) hnswlib's own index file
 *
 * The manifest carries a sha256 of its own other fields (`manifestSha256`, over canonical JSON).
 * Loading checks it (when present: older manifests have none), then sizes (a truncated file is
 * named as such), then the files' checksums.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChecksumError, InvalidArgumentError, InvalidFileError, NotFoundError } from '../src/errors.js';
import { dirWritesSettled, writeDirAtomic } from '../src/io/atomic.js';
import { checkOutputDir, type OutputOwner } from '../src/io/output.js';
import { selfDigest, sha256, sha256File } from '../src/io/hash.js';
import { verifyListedFile, type FileEntry, type ListedFileProblem } from '../src/io/listed-file.js';
import { KeyTable } from './keytable.js';
import type { EmbeddingRecipe, JsonValue, Metric } from './types.js';
import { isRecipe } from './recipe-file.js';
import { METRICS } from './vectors.js';

export const INDEX_FORMAT = 'transferkit-vector-index';
export const INDEX_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const KEYS_FILE = 'keys.json';

export type { FileEntry } from '../src/io/listed-file.js';

export interface IndexManifest {
  format: typeof INDEX_FORMAT;
  version: number;
  kind: 'exact' | 'hnsw';
  dim: number;
  metric: Metric;
  /** Live items. */
  count: number;
  /** Slots in the keys file (live + deleted). */
  slots: number;
  /** Kind-specific parameters (M, efConstruction, ef, capacity… for hnsw). */
  params: Record<string, JsonValue>;
  /** How a new input becomes a vector of this space (see `VectorIndex.recipe`); absent when unknown. */
  recipe?: EmbeddingRecipe;
  files: Record<string, FileEntry>;
  createdAt: string;
  transferkit: { indexFormat: number };
  /**
   * sha256 of the manifest's other fields in canonical JSON (keys sorted, no spaces; `indexManifestDigest`):
   * an edited or damaged value is refused on load, a new key order or layout is not an edit. Absent in
   * manifests written before it was recorded, which load as before.
   */
  manifestSha256?: string;
}

export interface SaveSpec {
  kind: 'exact' | 'hnsw';
  dim: number;
  metric: Metric;
  count: number;
  slots: number;
  params: Record<string, JsonValue>;
  recipe?: EmbeddingRecipe;
  keys: (string | null)[];
  metadata: (JsonValue | null)[] | null;
  /** Slots whose metadata is JSON null (in `metadata`, null means none). */
  nullMetadata?: number[];
  /**
   * The main data file: bytes to write (a copy the caller no longer changes), or a function that writes
   * it at the given path synchronously — it is called before `saveIndexDir` returns.
   */
  payload: { name: string; bytes: Uint8Array } | { name: string; writeSync: (path: string) => void };
}

/**
 * What keys.json holds: `keys` by slot (null: a free slot), `metadata` by slot or null when no item
 * has any (null: no metadata), and `nullMetadata`, the slots whose metadata is JSON null itself
 * (left out when there are none; files written before it have none, and read as before).
 */
interface KeysFile {
  keys: (string | null)[];
  metadata: (JsonValue | null)[] | null;
  nullMetadata?: number[];
}

function keysFileContent(keys: (string | null)[], metadata: (JsonValue | null)[] | null, nullSlots: number[]): KeysFile {
  return nullSlots.length > 0 ? { keys, metadata, nullMetadata: nullSlots } : { keys, metadata };
}

/**
 * The checksum an index manifest records of itself (`manifestSha256`): the sha256 of its other fields in
 * canonical JSON, so rewriting the manifest with its keys in another order or laid out anew keeps it valid.
 */
export function indexManifestDigest(manifest: Omit<IndexManifest, 'manifestSha256'> & { manifestSha256?: unknown }): string {
  return selfDigest(manifest, 'manifestSha256');
}

/** Who writes index folders (for output-path checks: `checkOutputDir(dir, INDEX_OWNER)`). */
export const INDEX_OWNER: OutputOwner = { format: INDEX_FORMAT, what: 'index', listsFiles: true };

/**
 * Throw unless an index can be saved to `dir` (the checks `save` runs): a new path, an empty folder,
 * or an index folder holding nothing but its manifest and the files it lists — a file of your own
 * in an index folder would be deleted with the old index, so it is refused by name.
 */
export function checkIndexOutput(dir: string): Promise<void> {
  return checkOutputDir(dir, INDEX_OWNER);
}

/**
 * Write an index directory atomically (temp folder + rename). Everything saved is taken before this
 * function returns — the keys and metadata are serialised and the payload written or held as given —
 * so the folder holds the index as it was at the call, whatever changes while the write completes.
 */
export function saveIndexDir(dir: string, spec: SaveSpec): Promise<void> {
  let keysText: string;
  try {
    keysText = JSON.stringify(keysFileContent(spec.keys, spec.metadata, spec.nullMetadata ?? []));
  } catch (e) {
    return Promise.reject(e);
  }
  const { payload } = spec;
  const manifestBase = {
    format: INDEX_FORMAT as typeof INDEX_FORMAT,
    version: INDEX_FORMAT_VERSION,
    kind: spec.kind,
    dim: spec.dim,
    metric: spec.metric,
    count: spec.count,
    slots: spec.slots,
    params: structuredClone(spec.params),
    ...(spec.recipe === undefined ? {} : { recipe: structuredClone(spec.recipe) }),
  };
  return writeDirAtomic(
    dir,
    async (tmp) => {
      const files: Record<string, FileEntry> = {};
      await writeFile(join(tmp, KEYS_FILE), keysText);
      files[KEYS_FILE] = { bytes: Buffer.byteLength(keysText), sha256: sha256(keysText) };
      const payloadPath = join(tmp, payload.name);
      if ('bytes' in payload) {
        await writeFile(payloadPath, payload.bytes);
        files[payload.name] = { bytes: payload.bytes.byteLength, sha256: sha256(payload.bytes) };
      } else {
        files[payload.name] = { bytes: (await stat(payloadPath)).size, sha256: await sha256File(payloadPath) };
      }
      const manifest: IndexManifest = {
        ...manifestBase,
        files,
        createdAt: new Date().toISOString(),
        transferkit: { indexFormat: INDEX_FORMAT_VERSION },
      };
      manifest.manifestSha256 = indexManifestDigest(manifest);
      await writeFile(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    },
    INDEX_OWNER,
    'writeSync' in payload ? { snapshot: (tmp) => payload.writeSync(join(tmp, payload.name)) } : {},
  );
}

export interface ReadOptions {
  /** Check sha256 of every file (costs one read of each). Default true. */
  verify?: boolean;
}

/** Read and validate a manifest only (cheap; used by `index info`). */
export async function readManifest(dir: string): Promise<IndexManifest> {
  // A save to this folder started in this process finishes first (it may be between its renames).
  await dirWritesSettled(dir);
  const path = join(dir, MANIFEST_FILE);
  if ((await stat(dir).catch(() => null))?.isFile()) {
    throw new InvalidArgumentError(`${dir} is a file, not an index folder`, {
      file: dir,
      hint: 'give the folder that `transferkit index build --out DIR` (or index.save(dir)) wrote',
    });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const exists = await stat(dir).then(() => true, () => false);
    throw new NotFoundError(exists ? `${path} does not exist: not a saved index` : `index directory ${dir} does not exist`, {
      file: path,
      hint: 'build one with `transferkit index build` or index.save(dir)',
      cause: e,
    });
  }
  let m: IndexManifest;
  try {
    m = JSON.parse(text) as IndexManifest;
  } catch (e) {
    throw new InvalidFileError('manifest is not valid JSON (truncated?)', { file: path, cause: e, hint: 'rebuild the index' });
  }
  const bad = (what: string) => new InvalidFileError(what, { file: path, hint: 'rebuild the index' });
  if (m === null || typeof m !== 'object' || m.format !== INDEX_FORMAT) throw bad(`not a ${INDEX_FORMAT} manifest`);
  if (typeof m.version !== 'number' || m.version > INDEX_FORMAT_VERSION) {
    throw new InvalidFileError(`index format version ${m.version} is newer than this transferkit reads (${INDEX_FORMAT_VERSION})`, {
      file: path,
      hint: 'upgrade transferkit',
    });
  }
  // The manifest's own checksum, before its fields are read: an edited value (an `ef`, a `count`) would
  // otherwise be read as written. Manifests written before the checksum was recorded have none and load
  // as before; a checksum of a newer format is not checked (that format is refused above).
  if (m.manifestSha256 !== undefined) {
    if (typeof m.manifestSha256 !== 'string' || m.manifestSha256 !== indexManifestDigest(m)) {
      throw new ChecksumError(
        typeof m.manifestSha256 === 'string'
          ? `${path}: edited or damaged since the index was saved (its content does not match its checksum, manifestSha256)`
          : `${path}: its checksum (manifestSha256) is ${m.manifestSha256 === null ? 'null' : `a ${typeof m.manifestSha256}`}, not a sha256: the manifest was edited or damaged`,
        {
          file: path,
          hint: 'restore the original manifest (or copy the index again), or rebuild the index; to change a parameter such as ef, load the index, set it (index.ef = 80) and save it again',
        },
      );
    }
  }
  if (m.kind !== 'exact' && m.kind !== 'hnsw') throw bad(`unknown index kind '${String(m.kind)}'`);
  if (!Number.isInteger(m.dim) || m.dim < 1) throw bad(`invalid dim ${String(m.dim)}`);
  if (!METRICS.includes(m.metric)) throw bad(`unknown metric '${String(m.metric)}'`);
  if (!Number.isInteger(m.count) || !Number.isInteger(m.slots) || m.count > m.slots) throw bad('invalid count/slots');
  if (m.files === null || typeof m.files !== 'object' || !m.files[KEYS_FILE]) throw bad('file list is missing');
  if (m.params === null || typeof m.params !== 'object') throw bad('params are missing');
  if (m.recipe !== undefined && !isRecipe(m.recipe)) throw bad('recipe is not a JSON object with a string "kind"');
  return m;
}

/** How an index names a listed file that does not match its manifest. */
function indexFileError(problem: ListedFileProblem): Error {
  const { path } = problem;
  switch (problem.kind) {
    case 'missing':
      return new NotFoundError(`${path} is missing from the index directory`, { file: path, hint: 'rebuild the index', cause: problem.cause });
    case 'size': {
      const what = problem.actual < problem.expected ? 'truncated' : 'larger than recorded';
      return new InvalidFileError(`file is ${what}: ${problem.actual} bytes, manifest says ${problem.expected}`, {
        file: path,
        hint: 'the copy is incomplete or the file was replaced; copy the index again or rebuild it',
      });
    }
    case 'checksum':
      return new ChecksumError(`${path}: checksum does not match the manifest (file corrupted or replaced)`, {
        file: path,
        hint: 'copy the index again or rebuild it',
      });
  }
}

/** Check that a listed file exists, has its recorded size, and (optionally) its checksum; returns its path. */
async function checkFile(dir: string, name: string, entry: FileEntry, verify: boolean): Promise<string> {
  const path = join(dir, name);
  await verifyListedFile(path, entry, { error: indexFileError, checksum: verify });
  return path;
}

export interface IndexParts {
  manifest: IndexManifest;
  table: KeyTable;
  /** Path of the main data file (vectors.f32 or index.hnsw), already size- and checksum-checked. */
  payloadPath: string;
}

/** Read a saved index directory's manifest and keys; validate its data file. */
export async function readIndexDir(dir: string, options: ReadOptions = {}): Promise<IndexParts> {
  const verify = options.verify ?? true;
  const manifest = await readManifest(dir);
  const payloadName = manifest.kind === 'exact' ? 'vectors.f32' : 'index.hnsw';
  const payloadEntry = manifest.files[payloadName];
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!payloadEntry) throw new InvalidFileError(`manifest does not list ${payloadName}`, { file: manifestPath, hint: 'rebuild the index' });
  const keysPath = await checkFile(dir, KEYS_FILE, manifest.files[KEYS_FILE]!, verify);
  const payloadPath = await checkFile(dir, payloadName, payloadEntry, verify);
  let parsed: KeysFile;
  try {
    parsed = JSON.parse(await readFile(keysPath, 'utf8')) as typeof parsed;
  } catch (e) {
    throw new InvalidFileError('keys file is not valid JSON', { file: keysPath, cause: e, hint: 'rebuild the index' });
  }
  if (!parsed || !Array.isArray(parsed.keys) || parsed.keys.length !== manifest.slots) {
    throw new InvalidFileError(`keys file holds ${parsed?.keys?.length ?? 'no'} slots, manifest says ${manifest.slots}`, {
      file: keysPath,
      hint: 'the index directory mixes files from different saves; rebuild it',
    });
  }
  let table: KeyTable;
  try {
    const nulls = parsed.nullMetadata ?? [];
    if (!Array.isArray(nulls) || !nulls.every((slot) => Number.isInteger(slot) && slot >= 0 && slot < manifest.slots)) {
      throw new Error('nullMetadata is not a list of slots');
    }
    table = KeyTable.fromSnapshot(parsed.keys, parsed.metadata, nulls);
  } catch (e) {
    throw new InvalidFileError((e as Error).message, { file: keysPath, cause: e });
  }
  if (table.size !== manifest.count) {
    throw new InvalidFileError(`keys file holds ${table.size} live keys, manifest says ${manifest.count}`, { file: keysPath });
  }
  if (manifest.kind === 'exact' && payloadEntry.bytes !== manifest.slots * manifest.dim * 4) {
    throw new InvalidFileError(`holds ${payloadEntry.bytes} bytes, expected ${manifest.slots} × ${manifest.dim} float32`, {
      file: payloadPath,
    });
  }
  return { manifest, table, payloadPath };
}
