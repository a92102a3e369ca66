import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';

export function tempDir(prefix = 'tk-vision-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Write a tiny convolutional Keras-style model (conv → bn → relu → conv → relu → pool → dense)
 * in tfjs layers format to `dir` (model.json + one shard). Returns its layer names.
 */
export async function writeTinyModel(dir: string, options: { inputSize?: number; seed?: number } = {}): Promise<string[]> {
  const size = options.inputSize ?? 32;
  const seed = options.seed ?? 1;
  const input = tf.input({ shape: [size, size, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', name: 'c1', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'r1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'c2', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'r2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 5, activation: 'softmax', name: 'predictions', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x });
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData as ArrayBuffer;
      await writeFile(join(dir, 'group1-shard1of1.bin'), new Uint8Array(data));
      await writeFile(
        join(dir, 'model.json'),
        JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }] }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const names = model.layers.map((l) => l.name);
  model.dispose();
  return names;
}
