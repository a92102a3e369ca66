/**
 * A cheaper gradient for FusedBatchNorm (tf.batchNorm, used by every tfjs-layers
 * BatchNormalization layer, in inference and in training mode) on the wasm backend.
 *
 * y = (x − mean) · r · scale + offset, with r = 1/√(variance + ε) per channel.
 * tfjs's own gradient builds dx by tiling r out to the full shape of x before
 * multiplying; wasm's Tile kernel is slow (about a quarter of a MobileNetV2
 * fine-tuning step at 96 px). Here every per-channel factor is broadcast by the
 * multiplication itself, and each partial derivative is computed only when the
 * tape asks for it, inside its own tidy (tfjs computes x − mean and dy · scale
 * up front, and they stay alive until the whole backward pass ends).
 *
 * The products are formed in the same order as tfjs's, so on the same backend
 * the gradients are the same numbers (tests compare with tfjs's gradient on the
 * cpu backend). Any other backend, and any call whose statistics are not one
 * value per channel, uses tfjs's gradient unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { gradientOverride } from './gradient-override.js';

export const BATCHNORM_KERNEL = 'FusedBatchNorm';

/** Partial derivatives of FusedBatchNorm with per-channel (rank-1) statistics, NHWC. */
function channelGradients(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor | undefined, epsilon: number): Record<string, () => tf.Tensor> {
  const channels = mean.shape[0];
  // Every axis but the channel axis.
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  /** 1/√(variance + ε), shape [C]. */
  const r = () => tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
  const sumToChannels = (t: tf.Tensor) => tf.reshape(tf.sum(t, axes), mean.shape);
  const dyTimesScale = () => (scale ? tf.mul(dy, scale) : dy);
  return {
    // ∂/∂x = dy · r · scale (r broadcast, not tiled).
    x: () => {
      const dyR = tf.mul(dy, r());
      return tf.reshape(scale ? tf.mul(dyR, scale) : dyR, x.shape);
    },
    // ∂/∂mean = Σ (−r) · dy · scale
    mean: () => sumToChannels(tf.mul(tf.mul(r(), tf.scalar(-1)), dyTimesScale())),
    // ∂/∂variance = Σ (−½ r³) · (x − mean) · dy · scale
    variance: () => {
      const rv = r();
      const minusHalfR3 = tf.mul(tf.mul(tf.mul(rv, rv), rv), tf.scalar(-0.5));
      return sumToChannels(tf.mul(tf.mul(minusHalfR3, tf.sub(x, mean)), dyTimesScale()));
    },
    // ∂/∂scale = Σ dy · (x − mean) · r
    scale: () => sumToChannels(tf.mul(dy, tf.mul(tf.sub(x, mean), r()))),
    // ∂/∂offset = Σ dy
    offset: () => tf.reshape(tf.sum(dy, axes), [channels]),
  };
}

const override = gradientOverride(BATCHNORM_KERNEL, (dy, saved, attrs, fallback) => {
  const [x, mean, variance, scale] = saved;
  const grad = Array.isArray(dy) ? dy[0] : dy;
  if (mean.rank !== 1 || variance.rank !== 1 || (scale != null && scale.rank !== 1) || grad.rank !== x.rank) return fallback(dy, saved, attrs);
  return channelGradients(grad, x, mean, variance, scale ?? undefined, attrs.varianceEpsilon as number);
});

/**
 * Replace the FusedBatchNorm gradient for `backendName` (default: wasm): the
 * gradient registry is global, so the replacement checks the active backend
 * and defers to tfjs's gradient everywhere else. Idempotent. Returns true when
 * this call installed it.
 */
export function installBatchNormGradient(backendName = 'wasm'): boolean {
  return override.install(backendName);
}

/** Backends the cheaper gradient is installed for. */
export function batchNormGradientBackends(): string[] {
  return override.backends();
}

/** Put tfjs's own FusedBatchNorm gradient back for every backend. */
export function uninstallBatchNormGradient(): void {
  override.uninstall();
}
