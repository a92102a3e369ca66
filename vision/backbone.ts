/**
 * A backbone: the convolutional body of a pretrained CNN, cut where its
 * ImageNet classifier starts, with its input recipe and layer groups. It is
 * also an Encoder (global-average-pooled features), for `vision embed` and the
 * nearest-neighbour index.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import type { Encoder, Provenance } from '../src/encoder.js';
import { InvalidArgumentError } from '../src/errors.js';
import type { Progress } from '../src/progress.js';
import { checkCut, cleanCuts } from './graph.js';
import { inferenceBatchSize, MAX_IMAGE_SIZE, withMemoryGuard } from './memory.js';
import { layerNamesOf, modelFromJson } from './model-json.js';
import { checkResizeMode, decodeImageOrThrow, makePreprocessSpec, normalizeInto, type ImageInput, type PreprocessSpec, type ResizeMode } from './preprocess.js';
import { detectArchitecture, findArchitecture, getArchitecture, normalizationByName, NORMALIZATIONS, type ArchitectureSpec, type LayerGroup, type Normalization } from './registry.js';
import { fetchModelFiles, type SourceKind } from './sources.js';

export interface BackboneOptions {
  /** Input size in pixels: a number for square inputs or [height, width]. Default: the architecture's native size. */
  imageSize?: number | [number, number];
  /** Override the input normalisation (a name from NORMALIZATIONS or a full spec). Default: the architecture's. */
  normalization?: string | Normalization;
  /** How images are fitted to the input size. Default 'squash'. */
  resize?: ResizeMode;
  /** Treat a URL or local model as this registry architecture (cut, groups, normalisation). Default: detected from layer names. */
  architecture?: string;
  /** For models of unknown architecture: the layer where the body ends. Default: the last layer with a 4-D output. */
  cut?: string;
  /** Download progress. */
  progress?: Progress;
}

/** A layer group resolved against a loaded body. */
export interface ResolvedGroup extends LayerGroup {
  /** Index of the group's first and last layer in the body's layer list. */
  first: number;
  last: number;
}

/** Why a body no longer matches its source: trained by the learner, or weights that differ from those loaded. */
const TRAINED_BY_LEARNER = 'a strategy that trains the body changed its weights';

export class Backbone implements Encoder<ImageInput> {
  /** Why the body no longer matches its source, once known (it never matches again). */
  private change: string | undefined;
  /**
   * Set by `dispose()`, which settles `bodyChange()` while the weights can still be read: its answer
   * from then on ('unreadable' when the weights were already gone, disposed with a model sharing them).
   */
  private settled: { change: string | undefined } | 'unreadable' | undefined;
  /** sha256 of each body weight's values as loaded (see `bodyWeightDigests`). */
  private readonly loadedWeights: ReadonlyMap<tf.LayerVariable, string>;
  /**
   * sha256 of the body's weights as loaded: every weight of every body layer, in layer order, with
   * its shape. What an embedding recipe records, so that a query is refused when the weights behind
   * the source changed (a bundle retrained into the same folder keeps its model.json).
   */
  readonly bodySha256: string;

  private constructor(
    /** Registry row (or a row synthesised for a model of unknown architecture). */
    readonly architecture: ArchitectureSpec,
    /** Input → feature map at the cut. */
    readonly body: tf.LayersModel,
    readonly preprocessing: PreprocessSpec,
    readonly groups: ResolvedGroup[],
    readonly provenance: Provenance & { kind: SourceKind; /** Set when the body comes from a `vision train` bundle (a model of your own). */ fromBundle?: boolean },
  ) {
    const digests = bodyWeightDigests(body);
    this.loadedWeights = new Map(digests.map((d) => [d.variable, d.digest]));
    this.bodySha256 = createHash('sha256')
      .update(digests.map((d) => `${d.variable.shape.join('x')}:${d.digest}`).join('\n'))
      .digest('hex');
  }

  /** Load a backbone from a registry name, a model.json URL or a local tfjs layers model. */
  static async load(source: string, options: BackboneOptions = {}): Promise<Backbone> {
    // Options are checked before any file is read or downloaded.
    checkResizeMode(options.resize);
    if (typeof options.normalization === 'string') normalizationByName(options.normalization);
    const files = await fetchModelFiles(source, { progress: options.progress });
    const names = layerNamesOf(files.json, files.location);
    // A bundle of our own (vision train --out) keeps the body it was trained with: its backbone's row and cut.
    const bundle = files.bundle;
    const bundleRow = bundle ? findArchitecture(bundle.encoder.name) : undefined;
    let arch = options.architecture
      ? getArchitecture(options.architecture)
      : (files.architecture ?? (bundle ? (bundleRow?.cut === bundle.encoder.cut ? bundleRow : undefined) : detectArchitecture(names)));
    const cutOption = options.cut ?? (bundle && !arch ? bundle.encoder.cut : undefined);
    if (cutOption && arch && cutOption !== arch.cut) arch = undefined;
    const size = options.imageSize === undefined ? undefined : typeof options.imageSize === 'number' ? ([options.imageSize, options.imageSize] as [number, number]) : options.imageSize;
    if (size && Math.max(...size) > MAX_IMAGE_SIZE) {
      throw new InvalidArgumentError(`image size ${size.join('×')} is above the maximum of ${MAX_IMAGE_SIZE} px`, {
        hint: `use --image-size ${MAX_IMAGE_SIZE} or less (${arch ? `${arch.name} was trained at ${arch.inputSize.join('×')}; ` : ''}memory grows with the square of the size)`,
      });
    }
    if (arch && size && Math.min(...size) < arch.minInputSize) {
      throw new InvalidArgumentError(`image size ${size.join('×')} is below ${arch.name}'s minimum of ${arch.minInputSize}`, { hint: `use --image-size ${arch.minInputSize} or more` });
    }
    const provenance = {
      source,
      kind: files.kind,
      fromBundle: bundle !== undefined,
      sha256: files.sha256,
      description: bundle ? `transferkit bundle: ${bundle.encoder.name} trained on ${bundle.labels.length} classes (${bundle.labels.slice(0, 5).join(', ')}${bundle.labels.length > 5 ? ', …' : ''})` : arch?.provenance,
    };
    let body: tf.LayersModel;
    if (arch) {
      body = await modelFromJson(files.json, files.weights, { cut: arch.cut, inputSize: size, file: files.location });
    } else {
      const whole = await modelFromJson(files.json, files.weights, { cut: cutOption, inputSize: size, file: files.location });
      const cut = cutOption ?? [...whole.layers].reverse().find((l) => (l.outputShape as number[]).length === 4 && l.getClassName() !== 'InputLayer')?.name;
      if (!cut) throw new InvalidArgumentError(`${source}: no convolutional layer found to cut at`, { hint: 'pass the cut layer name (cut option)' });
      body = cut === whole.outputNames[0] ? whole : tf.model({ inputs: whole.inputs, outputs: whole.getLayer(cut).output as tf.SymbolicTensor });
      arch = genericArchitecture(source, body, cut, names);
    }
    const inputShape = body.inputs[0].shape;
    const inputSize: [number, number] = [inputShape[1] ?? arch.inputSize[0], inputShape[2] ?? arch.inputSize[1]];
    // Inputs as the body last saw them: the bundle's recipe, else the architecture's; options override.
    const trainedWith = bundle?.preprocessing;
    const normalization =
      options.normalization === undefined
        ? (trainedWith?.normalization ?? arch.normalization)
        : typeof options.normalization === 'string'
          ? normalizationByName(options.normalization)
          : options.normalization;
    const spec = makePreprocessSpec(inputSize, normalization, { resize: options.resize ?? trainedWith?.resize, background: trainedWith?.background });
    return new Backbone(arch, body, spec, resolveGroups(body, arch.groups), provenance);
  }

  get name(): string {
    return this.architecture.name;
  }

  /**
   * Whether the body's weights changed in place since it was loaded: trained by a strategy that
   * trains body layers (fine-tune-top, fine-tune-all, fine-tune's phase 2 — the learner says so), or
   * by anything else that shares its layers (`model.fit` on `buildClassifierModel`'s model with body
   * layers trainable, BatchNorm statistics updated by a fit, `setWeights`). The body then no longer
   * matches its source (`provenance`), so it cannot be named in an embedding recipe: save the
   * classifier and load the bundle as a backbone instead. Unless the learner already said so, this
   * reads every body weight and compares it with the weights as loaded (milliseconds for MobileNetV2).
   * After `dispose()` it keeps the answer it had when disposed; it is an `InvalidArgumentError` only
   * when the body's weights were disposed before it could be read (by disposing a model that shares
   * its layers, e.g. `buildClassifierModel`'s, before `backbone.dispose()` or any `bodyTrained`).
   */
  get bodyTrained(): boolean {
    return this.bodyChange() !== undefined;
  }

  /** Why the body no longer matches its source (see `bodyTrained`); undefined while it does. */
  bodyChange(): string | undefined {
    if (this.change !== undefined) return this.change;
    if (this.settled === 'unreadable') throw weightsGoneError();
    if (this.settled !== undefined) return this.settled.change;
    if (weightsDisposed(this.body)) throw weightsGoneError();
    const changed = bodyWeightDigests(this.body).filter((d) => this.loadedWeights.get(d.variable) !== d.digest);
    if (changed.length === 0) return undefined;
    const total = this.loadedWeights.size;
    const names = changed.slice(0, 3).map((d) => d.variable.originalName).join(', ') + (changed.length > 3 ? ', …' : '');
    this.change = changed.every((d) => d.statistic)
      ? `only BatchNorm moving statistics changed (${changed.length} of its ${total} body weights: ${names}): tfjs's model.fit updates them in every BatchNorm layer it runs in training mode, even frozen ones — setBatchNormPolicy(backbone.body, { trainBatchNorm: false }) before fitting keeps them`
      : `${changed.length} of its ${total} body weights differ from those loaded (${names}): the body was trained outside ImageLearner, e.g. model.fit on buildClassifierModel's model with body layers trainable`;
    return this.change;
  }

  /** Record that the body's weights were trained (the learner calls it once a step has trained a body layer). */
  markBodyTrained(): void {
    this.change ??= TRAINED_BY_LEARNER;
  }

  /** Feature-map shape at the cut: [h, w, c]. */
  get featureShape(): [number, number, number] {
    const s = this.body.outputs[0].shape;
    return [s[1] as number, s[2] as number, s[3] as number];
  }

  /** Encoder dimension: channels at the cut (global average pooling). */
  get dim(): number {
    return this.featureShape[2];
  }

  /** Run the body on a normalised batch; returns pooled features (n × dim). */
  async features(batch: tf.Tensor4D): Promise<Float32Array> {
    const pooled = tf.tidy(() => tf.mean(this.body.predict(batch) as tf.Tensor4D, [1, 2]));
    const out = (await pooled.data()) as Float32Array;
    pooled.dispose();
    return out;
  }

  /** Encoder: decode, preprocess and encode images (global-average-pooled body features). */
  async encode(inputs: readonly ImageInput[], batchSize = inferenceBatchSize(this.preprocessing.size)): Promise<Float32Array> {
    const out = new Float32Array(inputs.length * this.dim);
    return withMemoryGuard({ task: 'encoding images', imageSize: this.preprocessing.size, batchSize }, async () => {
      for (let start = 0; start < inputs.length; start += batchSize) {
        const images = await Promise.all(inputs.slice(start, start + batchSize).map((input, i) => decodeImageOrThrow(input, this.preprocessing, `input ${start + i}`)));
        const [h, w] = this.preprocessing.size;
        const x = tf.tensor4d(normalizeInto(images, this.preprocessing), [images.length, h, w, 3]);
        out.set(await this.features(x), start * this.dim);
        x.dispose();
      }
      return out;
    });
  }

  /** A summary for bundles and `vision backbones`. */
  describe(): Record<string, unknown> {
    return {
      name: this.name,
      source: this.provenance.source,
      sourceKind: this.provenance.kind,
      sha256: this.provenance.sha256,
      cut: this.architecture.cut,
      featureShape: this.featureShape,
      groups: this.groups.map((g) => g.name),
    };
  }

  /**
   * Free the body's weights. `bodyTrained` and `bodyChange()` keep answering: the weights are read
   * once more first (as `bodyTrained` reads them), and that answer is kept.
   */
  dispose(): void {
    if (this.settled === undefined) {
      this.settled = this.change === undefined && weightsDisposed(this.body) ? 'unreadable' : { change: this.bodyChange() };
    }
    this.body.dispose();
  }
}

/** Whether any body weight was disposed (tfjs then refuses to read it: "LayersVariable … is already disposed"). */
function weightsDisposed(body: tf.LayersModel): boolean {
  return body.layers.some((layer) => layer.weights.some((w) => (w as unknown as { val?: tf.Tensor }).val?.isDisposed === true));
}

function weightsGoneError(): InvalidArgumentError {
  return new InvalidArgumentError("cannot tell whether the backbone's body was trained: its weights were disposed before they were compared with those loaded", {
    hint: "read backbone.bodyTrained (or bodyChange()) before disposing a model that shares the body's layers (buildClassifierModel's); backbone.dispose() keeps the answer itself",
  });
}

interface WeightDigest {
  variable: tf.LayerVariable;
  digest: string;
  /** A BatchNorm moving mean or variance (updated by a fit in training mode, not by gradients). */
  statistic: boolean;
}

/**
 * sha256 of every body weight's values (with its dtype), per variable, in layer order. By layer:
 * a model's own `weights` puts its trainable ones first, so its order changes with freezing.
 */
function bodyWeightDigests(body: tf.LayersModel): WeightDigest[] {
  const out: WeightDigest[] = [];
  const seen = new Set<tf.LayerVariable>();
  for (const layer of body.layers) {
    const bn = layer as unknown as { movingMean?: tf.LayerVariable; movingVariance?: tf.LayerVariable };
    for (const variable of layer.weights) {
      if (seen.has(variable)) continue; // a weight shared by two layers counts once
      seen.add(variable);
      const values = variable.read().dataSync();
      const digest = createHash('sha256').update(variable.dtype).update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
      out.push({ variable, digest, statistic: layer.getClassName() === 'BatchNormalization' && (variable === bn.movingMean || variable === bn.movingVariance) });
    }
  }
  return out;
}

function resolveGroups(body: tf.LayersModel, groups: LayerGroup[]): ResolvedGroup[] {
  const index = new Map(body.layers.map((l, i) => [l.name, i]));
  const out: ResolvedGroup[] = [];
  let first = 1;
  for (const group of groups) {
    const last = index.get(group.end);
    if (last === undefined) throw new InvalidArgumentError(`layer group '${group.name}' ends at '${group.end}', which this model does not have`);
    if (last !== body.layers.length - 1) checkCut(body, group.end);
    out.push({ ...group, first, last });
    first = last + 1;
  }
  return out;
}

/** A registry row for a model of unknown architecture: four groups split at clean cuts. */
function genericArchitecture(source: string, body: tf.LayersModel, cut: string, names: string[]): ArchitectureSpec {
  const cuts = cleanCuts(body);
  const groups: LayerGroup[] = [];
  const parts = Math.min(4, cuts.length + 1);
  for (let k = 1; k < parts; k++) groups.push({ name: `group${k}`, end: cuts[Math.floor((k * cuts.length) / parts)] });
  groups.push({ name: `group${parts}`, end: cut });
  const shape = body.inputs[0].shape;
  return {
    name: source.split(/[\\/]/).filter(Boolean).slice(-2).join('/').replace(/\/model\.json$/, '') || 'custom',
    family: 'custom',
    description: `custom model (${names.length} layers), cut at '${cut}'`,
    sources: [],
    inputSize: [shape[1] ?? 224, shape[2] ?? 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.unit,
    cut,
    featureDim: body.outputs[0].shape[3] as number,
    groups: groups.filter((g, i) => groups.findIndex((x) => x.end === g.end) === i),
    signature: [],
    provenance: 'unknown (local or URL model)',
  };
}

/** Whether freezing through `layer` (a name `resolveFreezePoint` returned) freezes the whole body: only the head trains. */
export function freezesWholeBody(backbone: Backbone, layer: string): boolean {
  const layers = backbone.body.layers;
  return layers[layers.length - 1].name === layer;
}

/**
 * Check a group name or layer name against the backbone; returns the body layer name to freeze through.
 * The body's last layer (or its last group) freezes the whole body; the input layer is refused (it would freeze nothing).
 */
export function resolveFreezePoint(backbone: Backbone, until: string): string {
  const group = backbone.groups.find((g) => g.name === until);
  if (group) return group.end;
  const layers = backbone.body.layers;
  const layer = layers.find((l) => l.name === until);
  if (layer) {
    // The body's last layer (the cut) freezes the whole body, as its last group does: feature extraction.
    if (layer === layers[layers.length - 1]) return until;
    if (layer.getClassName() === 'InputLayer') {
      throw new InvalidArgumentError(`'${until}' is the input layer of ${backbone.name}: freezing through it freezes nothing`, {
        hint: `to train every layer use --strategy fine-tune-all; to freeze part of the body pass a layer group (${backbone.groups.map((g) => g.name).join(', ')}) or a later layer`,
      });
    }
    checkCut(backbone.body, until);
    return until;
  }
  throw new InvalidArgumentError(`'${until}' is neither a layer group nor a layer of ${backbone.name}`, {
    hint: `groups: ${backbone.groups.map((g) => g.name).join(', ')}`,
  });
}
