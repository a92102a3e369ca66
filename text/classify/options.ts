/**
 * Checks of what `trainTextClassifier` is given — the model spec, the fit options, the examples —
 * run before vectors are loaded or anything is fitted, so a bad value is named at once rather
 * than turning into a broken model or a TensorFlow.js error minutes later.
 */
import { InvalidArgumentError } from '../../src/errors.js';
import { validateSchedule } from '../../src/training/schedules.js';
import { isLoadedSentenceEncoder, MAX_BLOCK_WEIGHT, type EmbeddingModelSpec, type HybridModelSpec, type ModelSpec, type NeuralFitOptions, type SmoothedModelSpec } from './models/model.js';

export { definedOptions } from '../../src/options.js';

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  return String(value);
}

/** Throw unless `value` is undefined or a whole number in [min, max]. */
export function checkWholeNumber(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER, hint?: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min} … ${max}`;
    throw new InvalidArgumentError(`${name} must be a whole number ${range}, got ${describe(value)}`, hint ? { hint } : {});
  }
}

/** Throw unless `value` is undefined or a finite number > 0. */
export function checkPositive(name: string, value: unknown, hint?: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} must be a finite number > 0, got ${describe(value)}`, hint ? { hint } : {});
  }
}

/** Throw unless `value` is undefined or a number in (0, `max`]. */
function checkPositiveAtMost(name: string, value: unknown, max: number, hint?: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value > 0) || !(value <= max)) {
    throw new InvalidArgumentError(`${name} must be a number > 0 and ≤ ${max}, got ${describe(value)}`, hint ? { hint } : {});
  }
}

/** Throw unless `value` is undefined or one of `choices`. */
export function checkChoice(name: string, value: unknown, choices: readonly unknown[]): void {
  if (value === undefined || choices.includes(value)) return;
  throw new InvalidArgumentError(`${name} must be ${choices.map(describe).join(' or ')}, got ${describe(value)}`);
}

/** Throw unless `value` is undefined or a boolean. */
export function checkBoolean(name: string, value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  throw new InvalidArgumentError(`${name} must be true or false, got ${describe(value)}`);
}

import { MAX_SEED } from '../../src/random.js';
export { MAX_SEED };

/** Throw unless `value` is undefined or a learning-rate schedule the core trainer can run (its numbers in range). */
function checkSchedule(value: unknown): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`schedule must be an object such as { type: 'one-cycle' }, got ${describe(value)}`, {
      hint: typeof value === 'string' ? `parseSchedule(${describe(value)}) reads the CLI's text form` : "types: 'constant' (the default), 'step', 'cosine', 'one-cycle'",
    });
  }
  validateSchedule(value as NeuralFitOptions['schedule']);
}

/** The options of the neural kinds, and the seed: whole, positive, finite values, checked before anything runs. */
export function checkFitOptions(options: NeuralFitOptions & { seed?: unknown }): void {
  checkWholeNumber('epochs', options.epochs, 1);
  checkWholeNumber('batchSize', options.batchSize, 1);
  checkPositive('learningRate', options.learningRate);
  checkSchedule(options.schedule);
  checkWholeNumber('patience', options.patience, 0, Number.MAX_SAFE_INTEGER, 'the epochs without improvement of the validation loss before training stops (0 stops at the first)');
  checkChoice('classWeights', options.classWeights, ['balanced', 'none']);
  checkWholeNumber('seed', options.seed, 0, MAX_SEED);
}

/**
 * A sentence encoder given to a model: options with a `model` (folder, hub id, or a name the sentence
 * module knows), or a loaded encoder (an object with `encode`, `dim`, `describe`, `dispose`).
 */
function checkSentenceEncoder(name: string, value: unknown): void {
  if (value === undefined) return;
  const example = `e.g. ${name}: { model: 'Xenova/all-MiniLM-L6-v2' } or an encoder from SentenceEncoder.load(…)`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be sentence-encoder options or a loaded sentence encoder, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : describe(value)}`, {
      hint: typeof value === 'string' ? `wrap the model in options: ${name}: { model: ${describe(value)} }` : example,
    });
  }
  const v = value as { encode?: unknown; dim?: unknown; describe?: unknown; dispose?: unknown; provenance?: unknown; model?: unknown };
  // A loaded encoder (or something meant as one: encoder options have a model and none of these).
  const meantLoaded = isLoadedSentenceEncoder(value) || 'encode' in v || (!('model' in v) && (typeof v.describe === 'function' || typeof v.dispose === 'function'));
  if (meantLoaded) {
    const missing = (['encode', 'describe', 'dispose'] as const).filter((k) => typeof v[k] !== 'function').map((m) => `${m}()`);
    if (typeof v.dim !== 'number' || !Number.isInteger(v.dim) || v.dim < 1) missing.push('a whole dim ≥ 1');
    // provenance.source names the encoder in the spec and summary, and in the refusal to save a wrapper.
    const p = v.provenance as { source?: unknown } | null | undefined;
    if (p === null || typeof p !== 'object' || typeof p.source !== 'string') missing.push('provenance.source (a string)');
    if (missing.length) {
      const what = typeof v.encode === 'function' ? 'has encode() but is not a usable sentence encoder' : 'is not a usable sentence encoder';
      throw new InvalidArgumentError(`${name} ${what}: it needs ${missing.join(', ')}`, {
        hint: 'give the encoder SentenceEncoder.load returns (or a wrapper that forwards encode, dim, provenance, describe and dispose)',
      });
    }
    return;
  }
  const model = (value as { model?: unknown }).model;
  if (typeof model !== 'string' || model.trim() === '') {
    throw new InvalidArgumentError(`${name}.model must be a model folder or hub id, got ${model === undefined ? 'nothing' : describe(model)}`, { hint: example });
  }
}

/**
 * A block weight: > 0 and ≤ `MAX_BLOCK_WEIGHT` for a model to train; a spec read from a bundle (`saved`)
 * was fitted with its weight, so there only a finite weight > 0 is required (bundles saved before the bound load as before).
 */
function checkBlockWeight(name: string, value: unknown, saved: boolean, hint: string): void {
  if (saved) checkPositive(name, value, hint);
  else checkPositiveAtMost(name, value, MAX_BLOCK_WEIGHT, hint);
}

function checkHybrid(spec: HybridModelSpec, saved: boolean): void {
  checkBlockWeight('vectorWeight', spec.vectorWeight, saved, `the scale of the document vector next to the TF-IDF row (default 1, at most ${MAX_BLOCK_WEIGHT}: larger weights crowd out the TF-IDF columns and stall the fit); for no vectors at all use { kind: 'bow' }`);
  checkSentenceEncoder('sentence', spec.sentence);
  if (spec.representation === 'sentence' && spec.sentence === undefined) {
    throw new InvalidArgumentError("representation 'sentence' needs a sentence encoder", { hint: "give sentence: { model: … } (a model folder or hub id) or a loaded encoder" });
  }
  if (spec.sentence !== undefined && spec.representation !== undefined && spec.representation !== 'sentence') {
    throw new InvalidArgumentError(`a hybrid model has one document representation: the sentence encoder replaces '${spec.representation}'`, {
      hint: "drop representation (or set it to 'sentence') to use the encoder, or drop sentence to use word vectors",
    });
  }
  if ('sentenceWeight' in spec && (spec as { sentenceWeight?: unknown }).sentenceWeight !== undefined) {
    throw new InvalidArgumentError("a hybrid model's sentence vector is its document vector: its scale is vectorWeight, not sentenceWeight", { hint: 'rename sentenceWeight to vectorWeight' });
  }
}

function checkSmoothed(spec: SmoothedModelSpec, saved: boolean): void {
  checkSentenceEncoder('sentence', spec.sentence);
  if (spec.sentenceWeight !== undefined) {
    checkBlockWeight('sentenceWeight', spec.sentenceWeight, saved, `the scale of the sentence vector next to the TF-IDF row (default 1, at most ${MAX_BLOCK_WEIGHT}: larger weights crowd out the TF-IDF columns and stall the fit); for no sentence block, leave out sentence`);
    if (spec.sentence === undefined) throw new InvalidArgumentError('sentenceWeight needs a sentence encoder', { hint: 'give sentence: { model: … } too, or drop sentenceWeight' });
  }
}

function checkEmbedding(spec: EmbeddingModelSpec): void {
  checkChoice('architecture', spec.architecture, ['pool', 'cnn']);
  checkBoolean('finetune', spec.finetune);
  checkWholeNumber('maxLength', spec.maxLength, 1);
  checkWholeNumber('filters', spec.filters, 1);
  checkPositive('embeddingLrMultiplier', spec.embeddingLrMultiplier, 'the fine-tuned embedding learns at this × the learning rate (default 0.1); to keep it fixed, leave finetune false');
  if (spec.kernelSizes !== undefined) {
    const k = spec.kernelSizes as unknown;
    const ok = Array.isArray(k) && k.length > 0 && k.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 1) && new Set(k).size === k.length;
    if (!ok) {
      throw new InvalidArgumentError(`kernelSizes must be a non-empty list of distinct whole numbers ≥ 1 (window widths in tokens), got ${describe(k)}`, {
        hint: 'e.g. [3, 4, 5] (the default)',
      });
    }
  }
}

/**
 * The numeric and named options of a model spec (the kind itself is checked by the caller). `saved`: a
 * spec read from a bundle, whose model was fitted with it — the checks that only guard training (the
 * upper bound of the block weights, a weight given to a kind that ignores it) are skipped, so bundles
 * saved before them still load.
 */
export function checkModelSpec(spec: ModelSpec, saved = false): void {
  if ('c' in spec) checkPositive('c', spec.c, "scikit-learn's C, the inverse L2 strength (default 100)");
  if (spec.kind === 'hybrid') checkHybrid(spec, saved);
  if (spec.kind === 'smoothed') checkSmoothed(spec, saved);
  if (spec.kind === 'sentence') checkSentenceEncoder('encoder', spec.encoder);
  if (spec.kind !== 'hybrid' && spec.kind !== 'smoothed' && (spec as { sentence?: unknown }).sentence !== undefined) {
    throw new InvalidArgumentError(`a '${spec.kind}' model takes no sentence block (only 'hybrid' and 'smoothed' do)`, {
      hint: spec.kind === 'sentence' ? "the 'sentence' kind names its encoder in encoder: { model: … }" : "use { kind: 'smoothed', sentence: … } or { kind: 'hybrid', sentence: … }",
    });
  }
  if (spec.kind === 'embedding') checkEmbedding(spec);
  if (saved) return;
  // The block weights of one kind, given to another, would be recorded in the spec and silently ignored.
  if (spec.kind !== 'hybrid' && (spec as { vectorWeight?: unknown }).vectorWeight !== undefined) {
    throw new InvalidArgumentError(`a '${spec.kind}' model takes no vectorWeight (only 'hybrid' does: the scale of its document vector)`, {
      hint: spec.kind === 'smoothed' ? "the scale of a 'smoothed' model's sentence block is sentenceWeight: rename vectorWeight to sentenceWeight" : "drop vectorWeight, or use { kind: 'hybrid', … }",
    });
  }
  if (spec.kind !== 'smoothed' && spec.kind !== 'hybrid' && (spec as { sentenceWeight?: unknown }).sentenceWeight !== undefined) {
    throw new InvalidArgumentError(`a '${spec.kind}' model takes no sentenceWeight (only 'smoothed' does: the scale of its sentence block)`, {
      hint: "drop sentenceWeight, or use { kind: 'smoothed', sentence: …, sentenceWeight }",
    });
  }
}
