/**
 * The backbone registry: one table, one row per ImageNet architecture. A row
 * says where the weights come from, what the network expects as input, where
 * its convolutional body ends (the cut) and how the body splits into layer
 * groups for freezing and discriminative learning rates. Adding a model is
 * adding a row.
 *
 * Layer names are those of the Keras applications as converted to tfjs layers
 * format (tensorflowjs_converter --input_format keras). A URL or a local model
 * whose layers carry a row's names is recognised as that architecture.
 */
import { InvalidArgumentError, NotFoundError } from '../src/errors.js';

/** How pixel values in [0, 255] become network inputs: channel c of the network gets `(pixel − mean[c]) / std[c]`, channels in `channels` order (mean/std are in that order too). */
export interface Normalization {
  /** A short name: 'unit' ([0,1]), 'symmetric' ([-1,1]), 'caffe' (BGR, mean-subtracted), 'torch' (ImageNet mean/std), 'raw' ([0,255]), 'custom'. */
  name: string;
  channels: 'rgb' | 'bgr';
  mean: [number, number, number];
  std: [number, number, number];
}

export const NORMALIZATIONS = {
  /** x / 255 → [0, 1]. */
  unit: { name: 'unit', channels: 'rgb', mean: [0, 0, 0], std: [255, 255, 255] },
  /** x / 127.5 − 1 → [−1, 1] (Keras MobileNet, Inception). */
  symmetric: { name: 'symmetric', channels: 'rgb', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  /** BGR, ImageNet channel means subtracted, no scaling (Keras ResNet50, VGG16 "caffe" mode). */
  caffe: { name: 'caffe', channels: 'bgr', mean: [103.939, 116.779, 123.68], std: [1, 1, 1] },
  /** RGB, (x/255 − ImageNet mean) / ImageNet std. */
  torch: { name: 'torch', channels: 'rgb', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
  /** Pixels as they are (models that normalise inside, e.g. Keras EfficientNet, MobileNetV3). */
  raw: { name: 'raw', channels: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] },
} as const satisfies Record<string, Normalization>;

export type NormalizationName = keyof typeof NORMALIZATIONS;

/** A layer group: the layers from the previous group's end (exclusive) to `end` (inclusive). */
export interface LayerGroup {
  name: string;
  /** Last layer of the group; must be a clean cut of the graph (one tensor crosses it). */
  end: string;
}

/** Where a row's weights are published. */
export interface BackboneSource {
  /** URL of a tfjs layers-format model.json, or `package:<npm name>/<path>` for weights shipped in an installed package. */
  url: string;
  /** Version of the published files (part of the cache path, so a new version is a new download). */
  version: string;
  /** sha256 of model.json when known; shards are checked against it via the manifest only when it is known. */
  sha256?: string;
}

export interface ArchitectureSpec {
  /** Registry name, e.g. 'mobilenet_v2'. */
  name: string;
  family: string;
  description: string;
  /** Published tfjs layers-format sources, first that works is used. Empty when none is published. */
  sources: BackboneSource[];
  /** What to do when no source is published. */
  howToGet?: string;
  /** Native input size [height, width]. */
  inputSize: [number, number];
  /** Smallest input size the body accepts. */
  minInputSize: number;
  normalization: Normalization;
  /** Last layer of the convolutional body (output is a feature map [h, w, c]). */
  cut: string;
  /** Channels of the cut layer's output (the feature dimension after global average pooling). */
  featureDim: number;
  /** Layer groups, first to last; the last group's end is the cut. */
  groups: LayerGroup[];
  /** Layers whose presence identifies this architecture in a model of unknown origin. */
  signature: string[];
  /** Licence and training-data notes. */
  provenance: string;
}

const g = (name: string, end: string): LayerGroup => ({ name, end });

const MOBILENET_V2_GROUPS = [
  g('stem', 'expanded_conv_project_BN'),
  g('block1-2', 'block_2_add'),
  g('block3-5', 'block_5_add'),
  g('block6-9', 'block_9_add'),
  g('block10-12', 'block_12_add'),
  g('block13-16', 'block_16_project_BN'),
  g('top', 'out_relu'),
];

const MOBILENET_V1_GROUPS = [
  g('stem', 'conv_pw_1_relu'),
  g('block2-3', 'conv_pw_3_relu'),
  g('block4-5', 'conv_pw_5_relu'),
  g('block6-11', 'conv_pw_11_relu'),
  g('block12-13', 'conv_pw_13_relu'),
];

const TFJS_MODELS = 'https://storage.googleapis.com/tfjs-models/tfjs';

/** The table. */
export const ARCHITECTURES: readonly ArchitectureSpec[] = [
  {
    name: 'mobilenet_v2_nsfwjs',
    family: 'mobilenet_v2',
    description: 'Keras MobileNetV2 (alpha 1.0) shipped by the nsfwjs npm package; body ImageNet-initialised (blocks 0–10 kept frozen by its authors), its own 5-class head is dropped. Works offline.',
    sources: [{ url: 'package:nsfwjs/dist/models/mobilenet_v2', version: '4' }],
    inputSize: [224, 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.unit,
    cut: 'out_relu',
    featureDim: 1280,
    groups: MOBILENET_V2_GROUPS,
    signature: ['block_16_project_BN', 'out_relu', 'Conv_1_bn'],
    provenance: 'nsfwjs (MIT); MobileNetV2 ImageNet weights fine-tuned on an NSFW dataset from block 11 up.',
  },
  {
    name: 'mobilenet_v2',
    family: 'mobilenet_v2',
    description: 'Keras MobileNetV2 1.0 224, ImageNet.',
    sources: [{ url: `${TFJS_MODELS}/mobilenet_v2_1.0_224/model.json`, version: '1.0_224' }],
    inputSize: [224, 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.symmetric,
    cut: 'out_relu',
    featureDim: 1280,
    groups: MOBILENET_V2_GROUPS,
    signature: ['block_16_project_BN', 'out_relu', 'Conv_1_bn'],
    provenance: 'Keras applications (Apache-2.0), ImageNet-1k. Published URL not verified from here; checksum unknown.',
  },
  {
    name: 'mobilenet_v1',
    family: 'mobilenet_v1',
    description: 'Keras MobileNet v1 1.0 224, ImageNet (the model of the tfjs transfer-learning examples).',
    sources: [{ url: `${TFJS_MODELS}/mobilenet_v1_1.0_224/model.json`, version: '1.0_224' }],
    inputSize: [224, 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.symmetric,
    cut: 'conv_pw_13_relu',
    featureDim: 1024,
    groups: MOBILENET_V1_GROUPS,
    signature: ['conv_pw_13_relu', 'conv_dw_13'],
    provenance: 'Keras applications (Apache-2.0), ImageNet-1k; checksum unknown.',
  },
  {
    name: 'mobilenet_v1_0.25',
    family: 'mobilenet_v1',
    description: 'Keras MobileNet v1 0.25 224, ImageNet: the smallest published layers model.',
    sources: [{ url: `${TFJS_MODELS}/mobilenet_v1_0.25_224/model.json`, version: '0.25_224' }],
    inputSize: [224, 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.symmetric,
    cut: 'conv_pw_13_relu',
    featureDim: 256,
    groups: MOBILENET_V1_GROUPS,
    signature: ['conv_pw_13_relu', 'conv_dw_13'],
    provenance: 'Keras applications (Apache-2.0), ImageNet-1k; checksum unknown.',
  },
  {
    name: 'mobilenet_v3_small',
    family: 'mobilenet_v3',
    description: 'Keras MobileNetV3Small (minimalistic=False), ImageNet; normalises inside the model.',
    sources: [],
    howToGet:
      'no tfjs layers model is published; in Python: tf.keras.applications.MobileNetV3Small(include_top=True).save("m.h5"), then tensorflowjs_converter --input_format keras m.h5 DIR, and pass --backbone DIR',
    inputSize: [224, 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.raw,
    cut: 'Conv_1/BatchNorm',
    featureDim: 576,
    groups: [g('stem', 'expanded_conv/project/BatchNorm'), g('blocks1-5', 'expanded_conv_5/Add'), g('blocks6-10', 'Conv_1/BatchNorm')],
    signature: ['expanded_conv_10/project/BatchNorm', 'Conv_1/BatchNorm'],
    provenance:
      'Keras applications (Apache-2.0), ImageNet-1k. Layer names from the Keras source, not checked against a converted model; the hard-swish after Conv_1/BatchNorm is not part of the cut because Keras names it automatically.',
  },
  {
    name: 'resnet50',
    family: 'resnet',
    description: 'Keras ResNet50, ImageNet (caffe-style input).',
    sources: [],
    howToGet:
      'no official tfjs layers model is published; tf.keras.applications.ResNet50().save("r.h5"), tensorflowjs_converter --input_format keras r.h5 DIR, then --backbone DIR',
    inputSize: [224, 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.caffe,
    cut: 'conv5_block3_out',
    featureDim: 2048,
    groups: [
      g('stem', 'pool1_pool'),
      g('stage2', 'conv2_block3_out'),
      g('stage3', 'conv3_block4_out'),
      g('stage4', 'conv4_block6_out'),
      g('stage5', 'conv5_block3_out'),
    ],
    signature: ['conv5_block3_out', 'conv4_block6_out'],
    provenance: 'Keras applications (Apache-2.0), ImageNet-1k.',
  },
  {
    name: 'vgg16',
    family: 'vgg',
    description: 'Keras VGG16, ImageNet (caffe-style input). With --pooling flatten at 224 px the body gives 7×7×512 = 25,088 features, the classic recipe.',
    sources: [],
    howToGet:
      'no official tfjs layers model is published; tf.keras.applications.VGG16().save("v.h5"), tensorflowjs_converter --input_format keras v.h5 DIR, then --backbone DIR',
    inputSize: [224, 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.caffe,
    cut: 'block5_pool',
    featureDim: 512,
    groups: [g('block1', 'block1_pool'), g('block2', 'block2_pool'), g('block3', 'block3_pool'), g('block4', 'block4_pool'), g('block5', 'block5_pool')],
    signature: ['block5_pool', 'block5_conv3'],
    provenance: 'Keras applications (Apache-2.0), ImageNet-1k.',
  },
  {
    name: 'inception_v3',
    family: 'inception',
    description: 'Keras InceptionV3, ImageNet, 299 px.',
    sources: [],
    howToGet:
      'no official tfjs layers model is published; tf.keras.applications.InceptionV3().save("i.h5"), tensorflowjs_converter --input_format keras i.h5 DIR, then --backbone DIR',
    inputSize: [299, 299],
    minInputSize: 75,
    normalization: NORMALIZATIONS.symmetric,
    cut: 'mixed10',
    featureDim: 2048,
    groups: [g('stem-mixed2', 'mixed2'), g('mixed3-7', 'mixed7'), g('mixed8-10', 'mixed10')],
    signature: ['mixed10', 'mixed9'],
    provenance: 'Keras applications (Apache-2.0), ImageNet-1k.',
  },
  {
    name: 'efficientnet_b0',
    family: 'efficientnet',
    description: 'Keras EfficientNetB0, ImageNet; normalises inside the model (input [0, 255]).',
    sources: [],
    howToGet:
      'no official tfjs layers model is published; tf.keras.applications.EfficientNetB0().save("e.h5"), tensorflowjs_converter --input_format keras e.h5 DIR, then --backbone DIR',
    inputSize: [224, 224],
    minInputSize: 32,
    normalization: NORMALIZATIONS.raw,
    cut: 'top_activation',
    featureDim: 1280,
    groups: [
      g('stem-block1', 'block1a_project_bn'),
      g('block2', 'block2b_add'),
      g('block3', 'block3b_add'),
      g('block4', 'block4c_add'),
      g('block5', 'block5c_add'),
      g('block6', 'block6d_add'),
      g('block7-top', 'top_activation'),
    ],
    signature: ['top_activation', 'block7a_project_bn'],
    provenance: 'Keras applications (Apache-2.0), ImageNet-1k.',
  },
];

/** The default backbone: the one that works without network. */
export const DEFAULT_BACKBONE = 'mobilenet_v2_nsfwjs';

export function listArchitectures(): readonly ArchitectureSpec[] {
  return ARCHITECTURES;
}

export function findArchitecture(name: string): ArchitectureSpec | undefined {
  return ARCHITECTURES.find((a) => a.name === name);
}

export function getArchitecture(name: string): ArchitectureSpec {
  const row = findArchitecture(name);
  if (!row) {
    throw new NotFoundError(`no backbone named '${name}' in the registry`, {
      hint: `use one of: ${ARCHITECTURES.map((a) => a.name).join(', ')}; or a model.json URL or a local tfjs layers-model directory`,
    });
  }
  return row;
}

/**
 * The registry row whose signature layers all appear in `layerNames` (the
 * first, i.e. the most specific, wins), or undefined.
 */
export function detectArchitecture(layerNames: Iterable<string>, preferred?: string): ArchitectureSpec | undefined {
  const names = new Set(layerNames);
  const matches = ARCHITECTURES.filter((a) => a.sources.every((s) => !s.url.startsWith('package:')) && a.signature.every((l) => names.has(l)) && names.has(a.cut));
  return matches.find((a) => a.name === preferred) ?? matches[0];
}

export function normalizationByName(name: string): Normalization {
  const n = (NORMALIZATIONS as Record<string, Normalization>)[name];
  if (!n) throw new InvalidArgumentError(`unknown normalisation '${name}'`, { hint: `use one of: ${Object.keys(NORMALIZATIONS).join(', ')}` });
  return n;
}
