/**
 * Text classifier bundles (kind 'text-classifier', core bundle format):
 *   manifest.json        labels, tokeniser options, vectors provenance, model spec, training summary
 *                        (neural kinds: their learning-rate schedule and per-epoch history), metrics
 *   state.json           the fitted model state (TF-IDF vocabulary and idf, regression weights,
 *                        representation weights, standardisation; 'smoothed': its word columns)
 *   vectors.words.txt    the words of the classifier's vector table (only the rows it needs;
 *                        none for 'bow' and 'smoothed', which predict without vectors)
 *   vectors.f32          their vectors, float32 little-endian, row-major; not written for the
 *                        'embedding' kind, whose network already holds them (rows 2.. of its
 *                        embedding weight): they are read back from weights.bin at load
 *   model.json/weights.bin  the tfjs network, for the 'vectors', 'embedding' and 'sentence' kinds
 *   encoder-*            'sentence', and 'hybrid'/'smoothed' with a sentence block: the sentence encoder's files (config, tokenizer, ONNX model),
 *                        flattened (encoder-onnx-model.onnx for onnx/model.onnx); the manifest's
 *                        encoder.files maps each back to its place in a transformers.js folder
 * A bundle is self-contained: it loads without the original vector file or model folder.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { BundleError, InvalidArgumentError } from '../../src/errors.js';
import { loadBundle, saveBundle, type BundleManifest } from '../../src/bundle/bundle.js';
import { removeOnInterrupt } from '../../src/io/atomic.js';
import { initEngine } from '../../src/engine/backend.js';
import { TextClassifier, type TrainingSummary } from './classifier.js';
import { EmbeddingNetModel } from './models/embedding-net.js';
import { TkPretrainedEmbedding } from './models/layers.js'; // also registers the custom layers with tfjs
import { LinearTextModel } from './models/linear.js';
import type { LoadedSentenceEncoder, ModelSpec, TextModel } from './models/model.js';
import { SentenceHeadModel } from './models/sentence-head.js';
import { VectorsHeadModel } from './models/vectors-head.js';
import { SENTENCE_MODEL_FILES, SentenceEncoder, UseLiteEncoder, type TransformersEncoderDescription, type UseLiteEncoderDescription } from '../sentence/index.js';
import { restoreRepresentation, type RepresentationState } from './represent/index.js';
import { Tokenizer, type ResolvedTokenizerOptions } from './tokenize/tokenizer.js';
import { VectorLookup } from './vectors/lookup.js';
import { VectorTable } from './vectors/table.js';

export const TEXT_BUNDLE_KIND = 'text-classifier';
const STATE_FILE = 'state.json';
const VECTORS_FILE = 'vectors.f32';

/** What the manifest records of a 'sentence' model's encoder (bundles written before `normalize` and `prefix` lack them). */
type SentenceEncoderEntry = (
  | (Omit<TransformersEncoderDescription, 'normalize' | 'prefix'> & Partial<Pick<TransformersEncoderDescription, 'normalize' | 'prefix'>>)
  | UseLiteEncoderDescription
) & {
  /** Place in the model's folder (a transformers.js folder, or USE lite's) → bundle file name. */
  files: Record<string, string>;
};

/** The files a transformers.js encoder folder may hold in a bundle (nothing else is ever written out at load). */
const ENCODER_PLACES = new Set<string>([...SENTENCE_MODEL_FILES, 'onnx/model.onnx', 'onnx/model_quantized.onnx']);

async function encoderFiles(encoder: SentenceEncoder): Promise<{ entry: SentenceEncoderEntry; files: Record<string, Uint8Array> }> {
  const model = await encoder.modelFiles();
  if (!model) {
    throw new BundleError(`the files of sentence encoder ${encoder.provenance.source} cannot be found to store in the bundle`, {
      hint: 'train with a local model folder (--encoder DIR) so the bundle can hold the model',
    });
  }
  const files: Record<string, Uint8Array> = {};
  const places: Record<string, string> = {};
  for (const [place, content] of Object.entries(model)) {
    const name = `encoder-${place.replace(/\//g, '-')}`;
    files[name] = content;
    places[place] = name;
  }
  return { entry: { ...encoder.describe(), files: places }, files };
}

/**
 * Load a bundle's sentence encoder. USE lite loads from the verified files in memory; a transformers.js
 * model's files are laid out as a folder in a temp dir (removed afterwards, also on Ctrl-C), and loaded.
 * Any failure is the bundle's.
 */
async function loadBundledEncoder(dir: string, entry: SentenceEncoderEntry, file: (name: string) => Buffer): Promise<SentenceEncoder> {
  const corrupt = (what: string, cause?: unknown) => new BundleError(`${dir}: the bundle's sentence encoder ${what}`, { hint: 'the bundle is damaged or was edited; copy it again or retrain', cause });
  const files = Object.entries(entry.files ?? {});
  if (entry.family === 'use-lite') {
    if (!files.some(([place]) => place === 'model.json')) throw corrupt('is not listed in the manifest');
    try {
      const model = Object.fromEntries(files.map(([place, name]) => [place, file(name)]));
      const byPlace = new Map(files);
      return await UseLiteEncoder.fromFiles(model, {
        maxTokens: entry.maxTokens,
        // Bundles written before `chunks` existed, or with one window, record none: 1.
        chunks: entry.chunks,
        origin: { source: entry.source, name: entry.name, description: `Universal Sentence Encoder lite (from ${entry.source}), stored in the bundle`, where: (place) => `${byPlace.get(place) ?? `encoder-${place}`}` },
      });
    } catch (e) {
      throw corrupt(`cannot be loaded: ${(e as Error).message}`, e);
    }
  }
  if (files.length === 0 || !Object.keys(entry.files).includes('config.json')) throw corrupt('is not listed in the manifest');
  const tmp = await mkdtemp(join(tmpdir(), 'transferkit-encoder-'));
  const release = removeOnInterrupt(tmp);
  try {
    const folder = join(tmp, 'encoder');
    for (const [place, name] of files) {
      if (!ENCODER_PLACES.has(place)) throw corrupt(`lists an unexpected file '${place}'`);
      await mkdir(dirname(join(folder, place)), { recursive: true });
      await writeFile(join(folder, place), file(name));
    }
    try {
      const { pooling, maxTokens, quantized, normalize, prefix } = entry;
      return await SentenceEncoder.load({ model: folder, pooling, maxTokens, quantized, normalize, prefix, offline: true });
    } catch (e) {
      throw corrupt(`cannot be loaded: ${(e as Error).message.replaceAll(folder, '<bundle encoder>')}`, e);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
    release();
  }
}

/**
 * The classifier's vector rows as an embedding network holds them: rows 2.. of its embedding
 * weight (0 is padding, 1 the unknown word). For a frozen embedding these are the pretrained
 * vectors bit for bit; for a fine-tuned one, the tuned vectors.
 */
function embeddingRows(dir: string, model: tf.LayersModel, words: number, dim: number): Float32Array {
  const layer = model.layers.find((l) => l instanceof TkPretrainedEmbedding);
  const weight = layer?.getWeights()[0];
  if (!weight || weight.shape.length !== 2 || weight.shape[0] !== words + 2 || weight.shape[1] !== dim) {
    throw new BundleError(`${dir}: the network has no ${words + 2} × ${dim} embedding to read the ${words} vectors from, and the bundle has no ${VECTORS_FILE}`, {
      hint: 'the bundle is incomplete; retrain',
    });
  }
  const all = weight.dataSync() as Float32Array;
  return all.slice(2 * dim, (words + 2) * dim);
}

/** Metrics must be stored in the manifest as JSON: a plain object whose values JSON can write (checked before anything is written). */
function checkMetrics(metrics: unknown): void {
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    throw new InvalidArgumentError(`metrics must be an object such as { test: 0.97 }, got ${metrics === null ? 'null' : Array.isArray(metrics) ? 'an array' : typeof metrics}`);
  }
  try {
    JSON.stringify(metrics);
  } catch (e) {
    throw new InvalidArgumentError(`the metrics cannot be stored as JSON: ${(e as Error).message.split('\n')[0]}`, {
      hint: 'give numbers, strings, booleans, arrays and plain objects (no BigInt, no circular references)',
      cause: e,
    });
  }
}

/** Save a trained classifier (atomically) with optional metrics to record in the manifest. */
export async function saveTextClassifier(dir: string, clf: TextClassifier, metrics: Record<string, unknown> = {}): Promise<BundleManifest> {
  clf.assertUsable('save it');
  checkMetrics(metrics);
  const state = clf.model.state();
  const encoder = (clf.model as { encoder?: { toJSON(): RepresentationState } }).encoder;
  const files: Record<string, string | Uint8Array> = {
    [STATE_FILE]: JSON.stringify({ model: state.json, representation: encoder?.toJSON() }),
  };
  const table = clf.lookup?.vectors as VectorTable | undefined;
  // The 'sentence' kind's encoder, or a linear kind's sentence block: its files are stored the same way.
  const sentenceEncoder = (clf.model as { sentenceEncoder?: LoadedSentenceEncoder }).sentenceEncoder;
  if (sentenceEncoder && !(sentenceEncoder instanceof SentenceEncoder)) {
    // A loaded encoder given as any object with its surface (e.g. a cache around one): only a SentenceEncoder can give its files.
    throw new InvalidArgumentError(`cannot save this classifier: its sentence encoder (${sentenceEncoder.provenance?.source ?? 'no provenance'}) is not a SentenceEncoder, so its model files cannot be stored`, {
      hint: 'train with encoder options or with the encoder SentenceEncoder.load returned (not a wrapper around it), then save',
    });
  }
  const sentence = sentenceEncoder ? await encoderFiles(sentenceEncoder as SentenceEncoder) : undefined;
  if (sentence) Object.assign(files, sentence.files);
  if (table) {
    const tableFiles = table.toFiles();
    // An embedding network stores the vectors in its embedding weight; do not store them twice.
    if (clf.spec.kind === 'embedding') delete tableFiles[VECTORS_FILE];
    Object.assign(files, tableFiles);
  }
  return saveBundle(
    dir,
    {
      kind: TEXT_BUNDLE_KIND,
      labels: clf.labels,
      preprocessing: { tokenizer: clf.tokenizer.toJSON(), caseFallback: clf.lookup?.caseFallback ?? (clf.model as { expansion?: { usesCaseFallback: boolean } }).expansion?.usesCaseFallback ?? true },
      encoder: sentence ? { ...sentence.entry } : clf.provenance && table ? { ...clf.provenance, dim: table.dim, words: table.size } : null,
      training: { ...clf.summary },
      metrics,
      extra: { spec: clf.spec },
    },
    { model: state.tfModel, files },
  );
}

/** Load a bundle written by `saveTextClassifier` (no vector file needed). */
export async function loadTextClassifier(dir: string): Promise<TextClassifier> {
  await initEngine();
  const b = await loadBundle(dir, { kind: TEXT_BUNDLE_KIND });
  const m = b.manifest;
  const spec = m.extra.spec as ModelSpec;
  const tokenizer = new Tokenizer((m.preprocessing as { tokenizer: ResolvedTokenizerOptions }).tokenizer);
  const state = JSON.parse(b.text(STATE_FILE)) as { model: Record<string, unknown>; representation?: RepresentationState };
  let lookup: VectorLookup | undefined;
  const enc = m.encoder as { source: string; description?: string; dim: number } | null;
  const needTf = () => {
    if (!b.model) throw new BundleError(`${dir}: a '${spec.kind}' classifier bundle has no network`, { hint: 'the bundle is incomplete; retrain' });
    return b.model;
  };
  // With a sentence encoder (the 'sentence' kind, or a linear kind's sentence block) the manifest's encoder is that encoder, and no vectors are stored.
  const hasSentence = spec.kind === 'sentence' || ((spec.kind === 'hybrid' || spec.kind === 'smoothed') && spec.sentence !== undefined);
  const bundledSentenceEncoder = () => {
    if (!enc) throw new BundleError(`${dir}: a '${spec.kind}' classifier bundle with a sentence encoder records no encoder`, { hint: 'the bundle is incomplete; retrain' });
    return loadBundledEncoder(dir, enc as unknown as SentenceEncoderEntry, b.file);
  };
  /** A linear model with its bundled sentence encoder (released when restoring fails). */
  const linearWithSentence = async (restore: (sentence?: LoadedSentenceEncoder) => TextModel): Promise<TextModel> => {
    if (!hasSentence) return restore();
    const sentence = await bundledSentenceEncoder();
    try {
      return restore(sentence);
    } catch (e) {
      sentence.dispose();
      throw e;
    }
  };
  if (enc && !hasSentence) {
    const words = b.text('vectors.words.txt');
    let table: VectorTable;
    if (VECTORS_FILE in m.files || spec.kind !== 'embedding') {
      table = VectorTable.fromFiles(words, b.file(VECTORS_FILE), enc.dim); // every kind but 'embedding', and embedding bundles written before
    } else {
      const list = words === '' ? [] : words.split('\n');
      table = new VectorTable(list, embeddingRows(dir, needTf(), list.length, enc.dim), enc.dim);
    }
    lookup = new VectorLookup(table, { caseFallback: (m.preprocessing as { caseFallback?: boolean }).caseFallback ?? true });
  }
  const provenance = enc ? { source: enc.source, description: enc.description } : undefined;
  const encoder = state.representation && lookup ? restoreRepresentation(state.representation, tokenizer, lookup, provenance!) : undefined;
  let model: TextModel;
  switch (spec.kind) {
    case 'bow':
      model = LinearTextModel.restore(spec, state.model);
      break;
    case 'hybrid':
      model = await linearWithSentence((sentence) => LinearTextModel.restore(spec, state.model, encoder, sentence));
      break;
    case 'smoothed':
      if (!state.model.expansion) throw new BundleError(`${dir}: a 'smoothed' classifier bundle has no word columns in ${STATE_FILE}`, { hint: 'the bundle is incomplete; retrain' });
      model = await linearWithSentence((sentence) => LinearTextModel.restore(spec, state.model, undefined, sentence));
      break;
    case 'vectors':
      model = VectorsHeadModel.restore(spec, state.model, encoder!, needTf());
      break;
    case 'embedding':
      model = EmbeddingNetModel.restore(spec, lookup!, needTf());
      break;
    case 'sentence': {
      const head = needTf();
      try {
        const encoder = await bundledSentenceEncoder();
        model = SentenceHeadModel.restore(spec, state.model, encoder, head);
      } catch (e) {
        head.dispose();
        throw e;
      }
      break;
    }
    default:
      throw new BundleError(`${dir}: unknown model kind '${(spec as { kind: string }).kind}'`, { hint: 'upgrade transferkit' });
  }
  return new TextClassifier(m.labels, spec, tokenizer, model, lookup, provenance, m.training as unknown as TrainingSummary);
}
