/**
 * Model bundles: a directory holding everything needed to use a trained model.
 *
 *   manifest.json   format version, kind, labels, preprocessing, encoder reference,
 *                   training config, metrics, created-at, and a sha256 + size per file
 *   model.json      tfjs layers topology + weights manifest (when the bundle has a model)
 *   weights.bin     the weights
 *   …               any extra files a domain needs (vocabulary, vectors, …)
 *
 * Bundles are written atomically (temp dir + rename) and validated on load.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BundleError, NotFoundError } from '../errors.js';
import { writeDirAtomic } from '../io/atomic.js';
import { selfDigest, sha256 } from '../io/hash.js';
import { verifyListedFile, type FileEntry, type ListedFileProblem } from '../io/listed-file.js';
import { packageVersion } from '../package-info.js';
import { BUNDLE_FORMAT, bundleOwner, checkBundleOutput, MANIFEST_FILE } from './owner.js';

export { BUNDLE_FORMAT, bundleOwner, checkBundleOutput, MANIFEST_FILE } from './owner.js';
export const BUNDLE_FORMAT_VERSION = 1;
const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';
/** Names the bundle writer uses itself: never an extra file's. */
const RESERVED_FILES = [MANIFEST_FILE, MODEL_FILE, WEIGHTS_FILE];

/** What the caller describes; the rest of the manifest is filled in on save. */
export interface BundleContent {
  /** e.g. 'text-classifier', 'image-classifier'. */
  kind: string;
  labels: string[];
  /** How raw inputs become model inputs (image size, normalisation, tokeniser, …). */
  preprocessing?: Record<string, unknown>;
  /** The pretrained representation used: name and provenance. */
  encoder?: Record<string, unknown> | null;
  /** Options the model was trained with. */
  training?: Record<string, unknown>;
  /** Evaluation results at save time. */
  metrics?: Record<string, unknown>;
  /** Anything else the domain wants to keep. */
  extra?: Record<string, unknown>;
}

export interface BundleManifest extends Required<Omit<BundleContent, 'extra'>> {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  transferkitVersion: string;
  createdAt: string;
  hasModel: boolean;
  extra: Record<string, unknown>;
  files: Record<string, FileEntry>;
  /**
   * Classes the saved model outputs (its last axis), one per label; absent without a model, for a
   * model whose output size is not fixed, and in bundles written before it was recorded.
   */
  outputUnits?: number;
  /**
   * sha256 of this manifest's other fields in canonical JSON (`manifestDigest`): edits to the manifest
   * are detected, a new order of its keys or another layout is not an edit. Every bundle has one.
   */
  manifestSha256?: string;
}

/** The checksum a manifest records of itself (`manifestSha256`): the sha256 of its other fields, in canonical JSON. */
export function manifestDigest(manifest: BundleManifest): string {
  return selfDigest(manifest, 'manifestSha256');
}

/** The checksum as bundles written before the canonical form recorded it: over the fields in their written order. */
function writtenOrderDigest(manifest: BundleManifest): string {
  const { manifestSha256: _ignored, ...rest } = manifest;
  return sha256(JSON.stringify(rest, null, 2));
}

export interface SaveBundleOptions {
  model?: tf.LayersModel;
  /** Extra files by name (no folders). */
  files?: Record<string, string | Uint8Array>;
}

async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return captured!;
}

/** A bundle holds plain files only: no folders, no way out of the bundle directory. */
function isPlainFileName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !/[\\/\0]/.test(name);
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** The size of a single-output model's last axis (its classes), or undefined when not fixed. */
function outputUnitsOf(model: tf.LayersModel): number | undefined {
  if (model.outputs.length !== 1) return undefined;
  const shape = model.outputs[0].shape;
  const units = shape[shape.length - 1];
  return typeof units === 'number' && shape.length >= 2 ? units : undefined;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Write a bundle directory atomically; an existing bundle at `dir` is replaced only when the new one
 * is complete, and only when it holds nothing but its own files (`checkBundleOutput`).
 */
export async function saveBundle(dir: string, content: BundleContent, options: SaveBundleOptions = {}): Promise<BundleManifest> {
  const files: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(options.files ?? {})) {
    if (!isPlainFileName(name)) {
      throw new BundleError(`invalid bundle file name '${name}'`, { hint: 'use a plain file name, without folders' });
    }
    if (RESERVED_FILES.includes(name)) {
      // The manifest and the model's own files would replace it without a word.
      throw new BundleError(`'${name}' cannot be an extra bundle file: the bundle writes its own ${name}`, {
        hint: `give it another name (the bundle's own files are ${RESERVED_FILES.join(', ')})`,
      });
    }
    files[name] = toBytes(data);
  }
  await checkBundleOutput(dir, content.kind);
  const outputUnits = options.model ? outputUnitsOf(options.model) : undefined;
  if (outputUnits !== undefined && outputUnits !== content.labels.length) {
    throw new BundleError(`cannot save a bundle of ${count(content.labels.length, 'label', 'labels')} with a model that outputs ${count(outputUnits, 'class', 'classes')}`, {
      hint: 'give one label per model output, in the order of the outputs',
    });
  }
  if (options.model) {
    const artifacts = await modelArtifacts(options.model);
    const weightData = artifacts.weightData;
    const weights = weightData instanceof ArrayBuffer ? new Uint8Array(weightData) : Buffer.concat((weightData ?? []).map((b) => new Uint8Array(b)));
    files[WEIGHTS_FILE] = weights;
    files[MODEL_FILE] = toBytes(
      JSON.stringify({
        format: 'layers-model',
        generatedBy: `transferkit ${packageVersion}`,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      }),
    );
  }
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    transferkitVersion: packageVersion,
    createdAt: new Date().toISOString(),
    kind: content.kind,
    labels: content.labels,
    preprocessing: content.preprocessing ?? {},
    encoder: content.encoder ?? null,
    training: content.training ?? {},
    metrics: content.metrics ?? {},
    extra: content.extra ?? {},
    hasModel: Boolean(options.model),
    ...(outputUnits !== undefined ? { outputUnits } : {}),
    files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, { sha256: sha256(data), bytes: data.length }])),
  };
  manifest.manifestSha256 = manifestDigest(manifest);
  await writeDirAtomic(dir, async (tmp) => {
    const { writeFile } = await import('node:fs/promises');
    for (const [name, data] of Object.entries(files)) await writeFile(join(tmp, name), data);
    await writeFile(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    // Again just before the old folder is replaced: a file put there while this one was written is kept too.
    await checkBundleOutput(dir, content.kind);
  }, bundleOwner(content.kind));
  return manifest;
}

export interface LoadedBundle {
  dir: string;
  manifest: BundleManifest;
  /** Present when the bundle was saved with a model. */
  model?: tf.LayersModel;
  /** Read (already verified) extra file contents. */
  file(name: string): Buffer;
  /** The same, as UTF-8 text. */
  text(name: string): string;
}

export interface LoadBundleOptions {
  /** Fail unless the manifest's kind is this. */
  kind?: string;
  /** Rebuild the saved model (default true); false only verifies its files, read them with `file()`. */
  rebuildModel?: boolean;
  /** The manifest's parsed JSON when the caller has read it already (it is checked all the same). */
  manifest?: unknown;
}

/** How a bundle names a listed file that does not match the manifest. */
function bundleFileError(problem: ListedFileProblem): BundleError {
  const { path } = problem;
  switch (problem.kind) {
    case 'missing':
      return new BundleError(`${path}: missing from the bundle`, { file: path, hint: 'the bundle is incomplete; copy it again or retrain', cause: problem.cause });
    case 'size':
      return new BundleError(`${path}: ${problem.actual} bytes, the manifest says ${problem.expected} (truncated or replaced)`, {
        file: path,
        hint: 'the bundle is corrupt; copy it again or retrain',
      });
    case 'checksum':
      return new BundleError(`${path}: checksum does not match the manifest (corrupt)`, { file: path, hint: 'the bundle is corrupt; copy it again or retrain' });
  }
}

/** Load and validate a bundle: every listed file must exist with its recorded size and sha256. */
export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) {
    throw new NotFoundError(`model bundle '${dir}' does not exist or is not a directory`, {
      hint: 'pass the folder written by a train command (--out)',
    });
  }
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: BundleManifest;
  try {
    manifest = (options.manifest ?? JSON.parse(await readFile(manifestPath, 'utf8'))) as BundleManifest;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new BundleError(`${manifestPath}: ${missing ? 'missing' : 'not valid JSON'}`, {
      file: manifestPath,
      hint: missing ? 'this folder is not a transferkit bundle' : 'the bundle is corrupt; train or save it again',
      cause: e,
    });
  }
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(manifest) || manifest.format !== BUNDLE_FORMAT || !isObject(manifest.files) || !Array.isArray(manifest.labels)) {
    throw new BundleError(`${manifestPath}: not a transferkit bundle manifest`, {
      file: manifestPath,
      hint: 'pass the folder written by a train command (--out)',
    });
  }
  if (manifest.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw new BundleError(`${manifestPath}: bundle format ${manifest.formatVersion} is newer than this transferkit supports (${BUNDLE_FORMAT_VERSION})`, {
      file: manifestPath,
      hint: 'upgrade transferkit',
    });
  }
  // Every bundle transferkit has written carries its checksum (no release wrote one without): a manifest
  // without one was edited, and deleting the field must not turn edit detection off.
  if (typeof manifest.manifestSha256 !== 'string') {
    throw new BundleError(`${manifestPath}: has no checksum (manifestSha256), which every bundle transferkit writes carries: it was edited`, {
      file: manifestPath,
      hint: 'restore the original manifest, or train and save the bundle again',
    });
  }
  if (manifest.manifestSha256 !== manifestDigest(manifest) && manifest.manifestSha256 !== writtenOrderDigest(manifest)) {
    throw new BundleError(`${manifestPath}: edited after the bundle was written (its checksum does not match)`, {
      file: manifestPath,
      hint: 'restore the original manifest, or train and save the bundle again',
    });
  }
  if (options.kind && manifest.kind !== options.kind) {
    throw new BundleError(`${dir} holds a bundle of kind '${manifest.kind}', expected kind '${options.kind}'`, {
      file: manifestPath,
      hint: `pass a folder written by the matching train command (a bundle of kind '${options.kind}')`,
    });
  }
  // Labels name the model's outputs one to one: another count would mislabel every prediction.
  const labelCountError = (units: number, source: string) =>
    new BundleError(`${manifestPath}: lists ${count(manifest.labels.length, 'label', 'labels')} but the model ${source}outputs ${count(units, 'class', 'classes')}`, {
      file: manifestPath,
      hint: 'the labels must be the model\'s classes, one per output and in order: restore the original manifest, or train again with the classes you want',
    });
  if (manifest.hasModel && manifest.outputUnits !== undefined && manifest.outputUnits !== manifest.labels.length) {
    throw labelCountError(manifest.outputUnits, '');
  }
  const contents = new Map<string, Buffer>();
  for (const [name, entry] of Object.entries(manifest.files)) {
    if (!isPlainFileName(name)) {
      throw new BundleError(`${manifestPath}: lists an invalid file name '${name}'`, { file: manifestPath, hint: 'the manifest is corrupt or was tampered with' });
    }
    if (!isObject(entry)) throw new BundleError(`${manifestPath}: the entry of '${name}' is not an object`, { file: manifestPath, hint: 'the manifest is corrupt or was tampered with' });
    contents.set(name, await verifyListedFile(join(dir, name), entry, { error: bundleFileError, keepContents: true }));
  }
  const file = (name: string): Buffer => {
    const data = contents.get(name);
    if (!data) throw new BundleError(`${join(dir, name)}: not listed in the bundle manifest`, { file: join(dir, name) });
    return data;
  };
  let model: tf.LayersModel | undefined;
  if (manifest.hasModel && options.rebuildModel !== false) {
    const modelJson = JSON.parse(file(MODEL_FILE).toString('utf8')) as { modelTopology: object; weightsManifest: tf.io.WeightsManifestConfig };
    const weights = file(WEIGHTS_FILE);
    try {
      model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: modelJson.modelTopology,
          weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
          weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
        }),
      );
    } catch (e) {
      throw new BundleError(`${join(dir, MODEL_FILE)}: the model cannot be rebuilt: ${(e as Error).message}`, {
        file: join(dir, MODEL_FILE),
        cause: e,
      });
    }
    // Also for bundles that did not record outputUnits: the rebuilt model says what it outputs.
    const units = outputUnitsOf(model);
    if (units !== undefined && units !== manifest.labels.length) {
      model.dispose();
      throw labelCountError(units, `in ${MODEL_FILE} `);
    }
  }
  return { dir, manifest, model, file, text: (name) => file(name).toString('utf8') };
}
