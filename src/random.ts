/** mulberry32: a small, fast generator of floats in [0, 1), seeded by its 32-bit start state. */
/**
 * Largest seed anywhere in transferkit (0 … 2³² − 1): the generators keep 32 bits, and hnswlib-node reads
 * its seed as an unsigned 32-bit integer, so a larger seed would collapse onto a smaller one.
 */
export const MAX_SEED = 0xffff_ffff;

export function mulberry32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded pseudo-random numbers (mulberry32): same seed, same sequence, on every machine. */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed = 0) {
    this.next = mulberry32((seed >>> 0) ^ 0x9e3779b9);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffle in place (Fisher–Yates) and return the array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }
}

/** 0, 1, …, n−1 as an Int32Array. */
export function range(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}
