/**
 * Graph surgery on functional tfjs models: which layers are clean cuts (exactly
 * one tensor crosses them), the prefix up to a cut and the suffix after it as
 * models of their own. Sub-models share layers — and so weights — with the
 * model they come from: training the suffix trains the whole model.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../src/errors.js';

type SymbolicTensor = tf.SymbolicTensor;
interface NodeLike {
  inboundLayers: tf.layers.Layer[];
  inputTensors: SymbolicTensor[];
  outputTensors: SymbolicTensor[];
}

/** The node through which `layer` takes part in `model` (layers shared by several models have several nodes). */
export function nodeIn(model: tf.LayersModel, layer: tf.layers.Layer): NodeLike {
  const keys = (model as unknown as { containerNodes: Set<string> }).containerNodes;
  const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
  for (let i = 0; i < nodes.length; i++) if (keys.has(`${layer.name}_ib-${i}`)) return nodes[i];
  throw new InvalidArgumentError(`layer '${layer.name}' is not part of model '${model.name}'`);
}

/** Position of every layer in the model's topological order. */
export function layerPositions(model: tf.LayersModel): Map<string, number> {
  return new Map(model.layers.map((l, i) => [l.name, i]));
}

/**
 * Names of the layers after which exactly one tensor (that layer's output) is
 * live: the places a model can be cut into prefix → suffix. Input layers excluded.
 */
export function cleanCuts(model: tf.LayersModel): string[] {
  const pos = layerPositions(model);
  const lastUse = new Array<number>(model.layers.length).fill(-1);
  model.layers.forEach((layer, j) => {
    for (const src of nodeIn(model, layer).inboundLayers) {
      const p = pos.get(src.name)!;
      lastUse[p] = Math.max(lastUse[p], j);
    }
  });
  const cuts: string[] = [];
  let liveUntil = -1;
  model.layers.forEach((layer, i) => {
    // Clean at i when nothing before i is used after i.
    if (liveUntil <= i && i > 0 && layer.getClassName() !== 'InputLayer' && model.outputNames.indexOf(layer.name) === -1) cuts.push(layer.name);
    liveUntil = Math.max(liveUntil, lastUse[i]);
  });
  return cuts;
}

/** Throws a helpful error unless `name` is a clean cut of `model`. */
export function checkCut(model: tf.LayersModel, name: string): void {
  if (!model.layers.some((l) => l.name === name)) {
    throw new InvalidArgumentError(`the model has no layer '${name}'`, { hint: 'list layer groups with `transferkit vision backbones`' });
  }
  const cuts = cleanCuts(model);
  if (!cuts.includes(name)) {
    throw new InvalidArgumentError(`cannot split the model after '${name}': a skip connection crosses it`, {
      hint: `choose a layer group or one of these layers: …${cuts.slice(-12).join(', ')}`,
    });
  }
}

/** The model from the inputs to the output of `cut` (shares layers). */
export function prefixModel(model: tf.LayersModel, cut: string): tf.LayersModel {
  const layer = model.getLayer(cut);
  return tf.model({ inputs: model.inputs, outputs: nodeIn(model, layer).outputTensors[0], name: `${model.name}_to_${cut}` });
}

/** The model from the output of `cut` (as a new input) to the model's output (shares layers). */
export function suffixModel(model: tf.LayersModel, cut: string): tf.LayersModel {
  checkCut(model, cut);
  const pos = layerPositions(model);
  const start = pos.get(cut)!;
  const cutTensor = nodeIn(model, model.layers[start]).outputTensors[0];
  const input = tf.input({ shape: cutTensor.shape.slice(1) as number[], name: `${cut}_features` });
  const mapped = new Map<number, SymbolicTensor>([[cutTensor.id, input]]);
  for (let i = start + 1; i < model.layers.length; i++) {
    const layer = model.layers[i];
    const node = nodeIn(model, layer);
    const inputs = node.inputTensors.map((t) => {
      const m = mapped.get(t.id);
      if (!m) throw new InvalidArgumentError(`internal: '${layer.name}' depends on a tensor before the cut '${cut}'`);
      return m;
    });
    const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs) as SymbolicTensor | SymbolicTensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, k) => mapped.set(t.id, outs[k]));
  }
  const output = mapped.get(model.outputs[0].id)!;
  return tf.model({ inputs: input, outputs: output, name: `${model.name}_from_${cut}` });
}
