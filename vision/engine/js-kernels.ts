/**
 * Fast plain-JS implementations of the filter gradients of convolutions and of
 * the input gradient of depthwise convolutions (the cpu backend's versions
 * index through TensorBuffer or loop channel-outermost, and are far slower).
 * Loops are ordered so the innermost one runs over contiguous channels; zero
 * activations (after ReLU) are skipped in the conv2d filter gradient. NHWC only.
 */
import * as tf from '@tensorflow/tfjs';

export interface JsTensor {
  values: Float32Array;
  shape: number[];
}

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** dW of a 2-D convolution: Σ x[b, y·s + i − pt, x·s + j − pl, ci] · dy[b, y, x, co]. */
export function conv2dBackpropFilterJs(x: JsTensor, dy: JsTensor, attrs: { strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] }): JsTensor {
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const [kh, kw, cin, cout] = attrs.filterShape;
  const [n, h, w] = x.shape;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const dW = new Float32Array(kh * kw * cin * cout);
  const X = x.values;
  const DY = dy.values;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const dyBase = ((b * ho + oy) * wo + ox) * cout;
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh + i * dh - pt;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw + j * dw - pl;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * cin;
            const wBase = (i * kw + j) * cin * cout;
            for (let ci = 0; ci < cin; ci++) {
              const xv = X[xBase + ci];
              if (xv === 0) continue;
              const o = wBase + ci * cout;
              for (let co = 0; co < cout; co++) dW[o + co] += xv * DY[dyBase + co];
            }
          }
        }
      }
    }
  }
  return { values: dW, shape: [kh, kw, cin, cout] };
}

/** dW of a depthwise convolution (filter [kh, kw, cin, multiplier]). */
export function depthwiseBackpropFilterJs(
  x: JsTensor,
  dy: JsTensor,
  attrs: { strides: number | [number, number]; dilations: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] },
): JsTensor {
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
  const [kh, kw, cin, mult] = attrs.filterShape;
  const [n, h, w] = x.shape;
  const cout = cin * mult;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const dW = new Float32Array(kh * kw * cin * mult);
  const X = x.values;
  const DY = dy.values;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const dyBase = ((b * ho + oy) * wo + ox) * cout;
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh + i * dh - pt;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw + j * dw - pl;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * cin;
            const wBase = (i * kw + j) * cout;
            if (mult === 1) {
              for (let c = 0; c < cin; c++) dW[wBase + c] += X[xBase + c] * DY[dyBase + c];
            } else {
              for (let c = 0; c < cin; c++) {
                const xv = X[xBase + c];
                for (let m = 0; m < mult; m++) dW[wBase + c * mult + m] += xv * DY[dyBase + c * mult + m];
              }
            }
          }
        }
      }
    }
  }
  return { values: dW, shape: [kh, kw, cin, mult] };
}

/**
 * dX of a depthwise convolution (filter [kh, kw, cin, multiplier], NHWC), as
 * the transpose of the forward pass: every dy[b, oy, ox, c·mult + m] is
 * scattered to dx[b, oy·s + i − pt, ox·s + j − pl, c] through w[i, j, c, m].
 * Dilation 1 only (tfjs's depthwise gradient refuses dilations > 1); returns
 * undefined for anything else so the caller falls back to the cpu backend.
 */
export function depthwiseBackpropInputJs(
  dy: JsTensor,
  filter: JsTensor,
  attrs: { strides: number | [number, number]; dilations?: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] },
): JsTensor | undefined {
  if (filter.shape.length !== 4 || dy.shape.length !== 4 || attrs.inputShape.length !== 4) return undefined;
  const filterShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const [kh, kw, cin, mult] = filterShape;
  const [n, h, w] = attrs.inputShape;
  const cout = cin * mult;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
  if (dy.shape[0] !== n || dy.shape[1] !== ho || dy.shape[2] !== wo || dy.shape[3] !== cout || attrs.inputShape[3] !== cin) return undefined;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const dX = new Float32Array(n * h * w * cin);
  const W = filter.values;
  const DY = dy.values;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const dyBase = ((b * ho + oy) * wo + ox) * cout;
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh + i - pt;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw + j - pl;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * cin;
            const wBase = (i * kw + j) * cout;
            if (mult === 1) {
              for (let c = 0; c < cin; c++) dX[xBase + c] += W[wBase + c] * DY[dyBase + c];
            } else {
              for (let c = 0; c < cin; c++) {
                let s = 0;
                for (let m = 0; m < mult; m++) s += W[wBase + c * mult + m] * DY[dyBase + c * mult + m];
                dX[xBase + c] += s;
              }
            }
          }
        }
      }
    }
  }
  return { values: dX, shape: [n, h, w, cin] };
}

/** Kernels with a JS implementation: name → (inputs, attrs) → output, or undefined to fall back to the cpu backend. */
export const JS_KERNELS: Record<string, (inputs: Record<string, JsTensor>, attrs: Record<string, unknown>) => JsTensor | undefined> = {
  Conv2DBackpropFilter: (inputs, attrs) =>
    attrs.dataFormat === 'NCHW' ? undefined : conv2dBackpropFilterJs(inputs.x, inputs.dy, attrs as Parameters<typeof conv2dBackpropFilterJs>[2]),
  DepthwiseConv2dNativeBackpropFilter: (inputs, attrs) => depthwiseBackpropFilterJs(inputs.x, inputs.dy, attrs as Parameters<typeof depthwiseBackpropFilterJs>[2]),
  DepthwiseConv2dNativeBackpropInput: (inputs, attrs) => depthwiseBackpropInputJs(inputs.dy, inputs.filter, attrs as Parameters<typeof depthwiseBackpropInputJs>[2]),
};
