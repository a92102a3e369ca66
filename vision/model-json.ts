/**
 * tfjs layers-format model JSON, handled as data before tfjs sees it: patch the
 * input size, keep only the layers up to the cut (dropping the original head,
 * whose shapes may not fit a new input size), and keep the weights they use.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, InvalidFileError } from '../src/errors.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

export interface LayersModelJson {
  format?: string;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

interface ModelConfigJson {
  name?: string;
  layers: LayerJson[];
  input_layers: unknown[];
  output_layers: unknown[];
}

/** The functional-model config inside a topology (Keras 2 `model_config` or tfjs-saved `config`). */
function modelConfig(topology: Record<string, unknown>, file: string): ModelConfigJson {
  const mc = (topology.model_config ?? topology) as { class_name?: string; config?: ModelConfigJson };
  if (!mc.config || !Array.isArray(mc.config.layers)) {
    throw new InvalidFileError('no model layers in the topology', { file, hint: 'pass a tfjs layers-format model.json (not a graph model)' });
  }
  return mc.config;
}

export function layerNamesOf(json: LayersModelJson, file = 'model.json'): string[] {
  return modelConfig(json.modelTopology, file).layers.map((l) => l.name);
}

/** Names of the layers feeding `layer` (Keras 2 inbound_nodes format). */
function inboundNames(layer: LayerJson): string[] | undefined {
  const names: string[] = [];
  for (const node of layer.inbound_nodes) {
    if (!Array.isArray(node)) return undefined;
    for (const entry of node) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') return undefined;
      names.push(entry[0]);
    }
  }
  return names;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, int8: 1, uint16: 2, int16: 2, float16: 2, bool: 1 };

function specBytes(spec: WeightSpec): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const per = BYTES[dtype];
  if (per === undefined) throw new InvalidArgumentError(`unsupported weight dtype '${dtype}' for '${spec.name}'`);
  return spec.shape.reduce((a, b) => a * b, 1) * per;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface PrepareOptions {
  /** Keep only the layers the cut depends on, and make the cut the output. */
  cut?: string;
  /** New input size [height, width] (the body is convolutional, so any size ≥ its minimum works). */
  inputSize?: [number, number];
  file?: string;
}

/**
 * A tfjs LayersModel from model JSON + concatenated shard bytes, optionally
 * truncated at `cut` and with a new input size. Frozen flags written by the
 * model's authors are cleared: transferkit decides what trains.
 */
export async function modelFromJson(json: LayersModelJson, shards: Uint8Array[], options: PrepareOptions = {}): Promise<tf.LayersModel> {
  const file = options.file ?? 'model.json';
  const topology = structuredClone(json.modelTopology);
  const config = modelConfig(topology, file);
  let keep: Set<string> | undefined;
  if (options.cut) {
    const byName = new Map(config.layers.map((l) => [l.name, l]));
    if (!byName.has(options.cut)) {
      throw new InvalidArgumentError(`the model has no layer '${options.cut}' to cut at`, {
        hint: `layers near the end: ${config.layers.slice(-8).map((l) => l.name).join(', ')}`,
      });
    }
    keep = new Set<string>();
    const stack = [options.cut];
    let parseable = true;
    while (stack.length) {
      const name = stack.pop()!;
      if (keep.has(name)) continue;
      keep.add(name);
      const inbound = inboundNames(byName.get(name)!);
      if (!inbound) {
        parseable = false;
        break;
      }
      stack.push(...inbound);
    }
    if (parseable) {
      config.layers = config.layers.filter((l) => keep!.has(l.name));
      config.output_layers = [[options.cut, 0, 0]];
    } else {
      keep = undefined;
    }
  }
  for (const layer of config.layers) {
    if (layer.class_name === 'InputLayer' && options.inputSize) {
      const shape = layer.config.batch_input_shape as (number | null)[] | undefined;
      if (!shape || shape.length !== 4) throw new InvalidFileError(`input layer '${layer.name}' is not an image input`, { file });
      layer.config.batch_input_shape = [null, options.inputSize[0], options.inputSize[1], shape[3]];
    }
    if ('trainable' in layer.config) layer.config.trainable = true;
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const data = concat(shards);
  const expected = specs.reduce((a, s) => a + specBytes(s), 0);
  if (data.length !== expected) {
    throw new InvalidFileError(`weights are ${data.length} bytes, the manifest describes ${expected} (truncated download?)`, {
      file,
      hint: 'delete the cached copy and download again',
    });
  }
  const keptSpecs: WeightSpec[] = [];
  const keptParts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const bytes = specBytes(spec);
    const layer = spec.name.includes('/') ? spec.name.slice(0, spec.name.lastIndexOf('/')) : spec.name;
    const used = !keep || [...keep].some((l) => layer === l || layer.startsWith(`${l}/`));
    if (used) {
      keptSpecs.push(spec);
      keptParts.push(data.subarray(offset, offset + bytes));
    }
    offset += bytes;
  }
  const weightData = concat(keptParts);
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: topology,
        weightSpecs: keptSpecs as tf.io.WeightsManifestEntry[],
        weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
      }),
    );
  } catch (e) {
    throw new InvalidFileError(`tfjs cannot build this model: ${(e as Error).message}`, {
      file,
      hint: options.inputSize ? 'the input size may be too small for this architecture; try a larger --image-size' : undefined,
      cause: e,
    });
  }
}
