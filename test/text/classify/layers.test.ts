import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '../../../src/engine/backend.js';
import { TkMaskedPooling, TkPretrainedEmbedding, TkWindowConv } from '../../../text/classify/index.js';

beforeAll(async () => {
  await initEngine();
});

describe('embedding-network layers (wasm-safe gradients)', () => {
  it('TkPretrainedEmbedding looks rows up and its gradient is a scatter-add', () => {
    const layer = new TkPretrainedEmbedding({ inputDim: 4, outputDim: 2 });
    layer.build([null, 3]);
    layer.setWeights([tf.tensor2d([0, 0, 1, 2, 3, 4, 5, 6], [4, 2])]);
    const ids = tf.tensor2d([[1, 1, 2]], [1, 3], 'int32');
    const out = layer.apply(ids) as tf.Tensor;
    expect(Array.from(out.dataSync())).toEqual([1, 2, 1, 2, 3, 4]);
    const table = layer.trainableWeights[0].read() as tf.Variable;
    const { grads } = tf.variableGrads(() => tf.sum(layer.apply(ids) as tf.Tensor) as tf.Scalar, [table]);
    expect(Array.from(grads[table.name].dataSync())).toEqual([0, 0, 2, 2, 1, 1, 0, 0]);
    tf.dispose([ids, out, ...Object.values(grads)]);
  });

  it('TkMaskedPooling ignores padding (id 0) and gives zeros for an all-padding row', () => {
    const emb = tf.tensor3d([[[1, 2], [3, -4], [9, 9]], [[5, 5], [5, 5], [5, 5]]]);
    const ids = tf.tensor2d([[2, 3, 0], [0, 0, 0]], [2, 3], 'int32');
    const out = new TkMaskedPooling({ mode: 'mean-max' }).apply([emb, ids]) as tf.Tensor;
    // (-0 from 0 × −1e4 is fine: compare numerically.)
    expect(Array.from(out.dataSync(), (v) => v + 0)).toEqual([2, -1, 3, 2, 0, 0, 0, 0]);
    tf.dispose([emb, ids, out]);
  });

  it('TkMaskedPooling ignores unknown words (id 1) like padding: mean and max over the known words only', () => {
    // Row for id 1 (unknown) is zero in the frozen table; it must neither dilute the mean nor floor the max at 0.
    const emb = tf.tensor3d([[[-2, -4], [0, 0], [-4, -2], [0, 0]], [[0, 0], [0, 0], [7, 7], [7, 7]]]);
    const ids = tf.tensor2d([[2, 1, 3, 0], [1, 1, 0, 0]], [2, 4], 'int32');
    const out = new TkMaskedPooling({ mode: 'mean-max' }).apply([emb, ids]) as tf.Tensor;
    // Text 1: known words (-2,-4) and (-4,-2) → mean (-3,-3), max (-2,-2).
    // Text 2: only unknown words → the documented empty-document treatment, the zero vector.
    expect(Array.from(out.dataSync(), (v) => v + 0)).toEqual([-3, -3, -2, -2, 0, 0, 0, 0]);
    const mean = new TkMaskedPooling({ mode: 'mean' }).apply([emb, ids]) as tf.Tensor;
    expect(Array.from(mean.dataSync(), (v) => v + 0)).toEqual([-3, -3, 0, 0]);
    tf.dispose([emb, ids, out, mean]);
  });

  it('TkWindowConv computes the same as conv1d + ReLU + max over time', () => {
    const [b, L, d, f, k] = [2, 6, 3, 4, 3];
    const x = tf.randomNormal([b, L, d], 0, 1, 'float32', 1) as tf.Tensor3D;
    const layer = new TkWindowConv({ kernelSizes: [k], filters: f, seed: 5 });
    const ours = layer.apply(x) as tf.Tensor;
    const [kernel, bias] = layer.getWeights();
    const filter = tf.reshape(kernel, [k, d, f]) as tf.Tensor3D;
    const ref = tf.max(tf.relu(tf.add(tf.conv1d(x, filter, 1, 'valid'), bias)), 1);
    const a = ours.dataSync();
    const r = ref.dataSync();
    expect(a.length).toBe(b * f);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(r[i], 4);
    tf.dispose([x, ours, filter, ref]);
  });
});
