/**
 * Custom layers of the embedding-layer network, registered with tfjs so a
 * saved network loads back. They only use kernels whose gradients exist on
 * every backend, including wasm (which lacks UnsortedSegmentSum — the gradient
 * of gather — and Conv2DBackpropFilter):
 *  - TkPretrainedEmbedding: a lookup table whose gradient is a scatter-add (ScatterNd);
 *  - TkMaskedPooling: mean (and max) over the known-word positions (padding and unknown ids left out);
 *  - TkWindowConv: 1-D convolution written as "stack k shifted copies + matmul",
 *    mathematically the same as conv1d with 'valid' padding, followed by ReLU
 *    and max over time (Kim 2014).
 */
import * as tf from '@tensorflow/tfjs';

type Kwargs = Record<string, unknown>;

/** gather(table, ids) whose gradient w.r.t. the table is a scatter-add of dy. */
function lookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const body = (t: tf.Tensor, i: tf.Tensor, save: tf.GradSaveFunc) => {
    save([i]);
    const value = tf.gather(t as tf.Tensor2D, i as tf.Tensor, 0);
    const dim = t.shape[1] as number;
    const rows = t.shape[0] as number;
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const idx = saved[0];
        const flat = tf.reshape(idx, [-1, 1]);
        const g = tf.scatterND(flat, tf.reshape(dy as tf.Tensor, [-1, dim]), [rows, dim]);
        return [g, tf.zerosLike(idx)];
      },
    };
  };
  const f = tf.customGrad(body as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(table, ids) as tf.Tensor;
}

export interface PretrainedEmbeddingArgs {
  inputDim: number;
  outputDim: number;
  trainable?: boolean;
  name?: string;
}

export class TkPretrainedEmbedding extends tf.layers.Layer {
  static className = 'TkPretrainedEmbedding';
  readonly inputDim: number;
  readonly outputDim: number;
  private table?: tf.LayerVariable;

  constructor(args: PretrainedEmbeddingArgs) {
    super(args);
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
  }

  override build(_inputShape?: tf.Shape | tf.Shape[]): void {
    this.table = this.addWeight('embeddings', [this.inputDim, this.outputDim], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...(inputShape as tf.Shape), this.outputDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const ids = tf.cast(Array.isArray(inputs) ? inputs[0] : inputs, 'int32');
      return lookup(this.table!.read() as tf.Tensor2D, ids);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim };
  }
}

/** Smallest id of a known word (0 is padding, 1 the unknown word). */
export const FIRST_WORD_ID = 2;

export interface MaskedPoolingArgs {
  /** 'mean' or 'mean-max'. */
  mode: 'mean' | 'mean-max';
  name?: string;
}

/**
 * Inputs: [embedded [b, L, d], ids [b, L]]; only known words (id ≥ 2) are pooled:
 * positions with id 0 (padding) and id 1 (unknown word) are ignored, frozen or
 * fine-tuned, the same as the `mean-max` representation (known words only). A
 * text with no known word pools to the zero vector (the empty-document treatment).
 */
export class TkMaskedPooling extends tf.layers.Layer {
  static className = 'TkMaskedPooling';
  readonly mode: 'mean' | 'mean-max';

  constructor(args: MaskedPoolingArgs) {
    super(args);
    this.mode = args.mode;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (inputShape as tf.Shape[])[0];
    const d = s[2] as number;
    return [s[0], this.mode === 'mean' ? d : 2 * d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [emb, ids] = inputs as tf.Tensor[];
      // Ids: 0 padding, 1 unknown word, ≥ 2 a row of the vector table.
      const mask = tf.expandDims(tf.cast(tf.greaterEqual(ids, FIRST_WORD_ID), 'float32'), -1); // [b, L, 1]
      const count = tf.sum(mask, 1); // [b, 1]
      const mean = tf.div(tf.sum(tf.mul(emb, mask), 1), tf.maximum(count, 1));
      if (this.mode === 'mean') return mean;
      const masked = tf.add(tf.mul(emb, mask), tf.mul(tf.sub(1, mask), -1e4));
      const has = tf.cast(tf.greater(count, 0), 'float32');
      const max = tf.mul(tf.max(masked, 1), has);
      return tf.concat([mean, max], -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}

export interface WindowConvArgs {
  kernelSizes: number[];
  filters: number;
  seed?: number;
  name?: string;
}

/** Input [b, L, d] → for each window size k: ReLU(window · W_k + b_k), max over time → [b, filters × sizes]. */
export class TkWindowConv extends tf.layers.Layer {
  static className = 'TkWindowConv';
  readonly kernelSizes: number[];
  readonly filters: number;
  readonly seed: number;
  private kernels: tf.LayerVariable[] = [];
  private biases: tf.LayerVariable[] = [];

  constructor(args: WindowConvArgs) {
    super(args);
    this.kernelSizes = args.kernelSizes;
    this.filters = args.filters;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape)[2] as number;
    this.kernels = this.kernelSizes.map((k, i) =>
      this.addWeight(`kernel_${k}`, [k * d, this.filters], 'float32', tf.initializers.glorotUniform({ seed: this.seed + i })),
    );
    this.biases = this.kernelSizes.map((k) => this.addWeight(`bias_${k}`, [this.filters], 'float32', tf.initializers.zeros()));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0], this.filters * this.kernelSizes.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, L, d] = x.shape;
      const outs = this.kernelSizes.map((k, i) => {
        const steps = Math.max(L - k + 1, 1);
        const padded = L < k ? tf.pad(x, [[0, 0], [0, k - L], [0, 0]]) : x;
        const windows = tf.concat(
          Array.from({ length: k }, (_, j) => tf.slice(padded, [0, j, 0], [b, steps, d])),
          2,
        ); // [b, steps, k·d]
        const flat = tf.reshape(windows, [b * steps, k * d]);
        const act = tf.relu(tf.add(tf.matMul(flat, this.kernels[i].read()), this.biases[i].read()));
        return tf.max(tf.reshape(act, [b, steps, this.filters]), 1);
      });
      return outs.length === 1 ? outs[0] : tf.concat(outs, -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernelSizes: this.kernelSizes, filters: this.filters, seed: this.seed };
  }
}

tf.serialization.registerClass(TkPretrainedEmbedding as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
tf.serialization.registerClass(TkMaskedPooling as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
tf.serialization.registerClass(TkWindowConv as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
