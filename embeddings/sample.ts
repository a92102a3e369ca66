/** Seeded sampling, so evaluations and benchmarks draw the same queries every run. */
import { mulberry32 } from '../src/random.js';

/** A seeded generator of floats in [0, 1) (mulberry32 started at `seed`). */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed);
}

/** `count` distinct integers from [0, n), in draw order (partial Fisher–Yates). */
export function sampleIndices(n: number, count: number, seed: number): number[] {
  const take = Math.min(n, Math.max(0, count));
  const random = seededRandom(seed);
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (n - i));
    const vi = swapped.get(i) ?? i;
    const vj = swapped.get(j) ?? j;
    swapped.set(j, vi);
    out.push(vj);
  }
  return out;
}
