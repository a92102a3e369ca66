/**
 * A pretrained representation: maps a batch of inputs (images, texts, …) to a
 * batch of fixed-size vectors. CNN bodies, word-vector poolers and ONNX models
 * implement it; heads, the trainer and the nearest-neighbour index consume its output.
 */

/** Where an encoder's weights came from. */
export interface Provenance {
  /** A registry name, URL, package name or local path. */
  source: string;
  /** sha256 of the weights when known. */
  sha256?: string;
  /** Free text: what the weights were trained on, licence, … */
  description?: string;
}

export interface Encoder<Input> {
  /** Short name, e.g. "mobilenet_v2" or "glove-wink-100d/mean". */
  readonly name: string;
  /** Length of every output vector. */
  readonly dim: number;
  readonly provenance: Provenance;
  /** Encode a batch; returns a row-major matrix of inputs.length × dim. */
  encode(inputs: readonly Input[]): Promise<Float32Array>;
  /** Release weights or native memory. */
  dispose?(): void;
}

/** Split a row-major matrix into row views (no copies). */
export function rows(matrix: Float32Array, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < matrix.length; i += dim) out.push(matrix.subarray(i, i + dim));
  return out;
}
