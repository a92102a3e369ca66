import { mulberry32 } from '../../src/random.js';

/** Seeded random data for the embeddings tests. */
export function rng(seed: number): () => number {
  return mulberry32(seed);
}

export function randomMatrix(rows: number, dim: number, seed = 1): Float32Array {
  const r = rng(seed);
  const m = new Float32Array(rows * dim);
  for (let i = 0; i < m.length; i++) m[i] = r() * 2 - 1;
  return m;
}

export function row(m: Float32Array, i: number, dim: number): Float32Array {
  return m.subarray(i * dim, (i + 1) * dim);
}

/** Straightforward reference scores (float64), larger is closer. */
export function naiveScores(m: Float32Array, rows: number, dim: number, q: ArrayLike<number>, metric: 'cosine' | 'l2' | 'ip'): number[] {
  const out: number[] = [];
  let qq = 0;
  for (let d = 0; d < dim; d++) qq += q[d]! * q[d]!;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    let xx = 0;
    let l2 = 0;
    for (let d = 0; d < dim; d++) {
      const x = m[r * dim + d]!;
      dot += x * q[d]!;
      xx += x * x;
      l2 += (x - q[d]!) ** 2;
    }
    out.push(metric === 'ip' ? dot : metric === 'cosine' ? dot / Math.sqrt(xx * qq) : -l2);
  }
  return out;
}

export function naiveTopK(scores: number[], k: number): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

/**
 * Rewrite the manifest of the index saved in `dir` with `edit` applied. `checksum` says what happens to
 * its own checksum: 'kept' leaves the recorded one (now stale: the edit is refused on load), 'dropped'
 * removes it (a manifest as versions before the checksum wrote them), 'resealed' records the new one.
 */
export async function editManifest(
  dir: string,
  edit: (manifest: Record<string, any>) => void,
  checksum: 'kept' | 'dropped' | 'resealed',
): Promise<string> {
  const { readFile, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { indexManifestDigest } = await import('../../embeddings/index.js');
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, any>;
  edit(manifest);
  if (checksum === 'dropped') delete manifest.manifestSha256;
  if (checksum === 'resealed') manifest.manifestSha256 = indexManifestDigest(manifest as never);
  await writeFile(path, JSON.stringify(manifest));
  return path;
}
