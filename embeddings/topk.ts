/**
 * A fixed-capacity min-heap of (score, id) pairs that keeps the k best (largest)
 * scores seen. `threshold` is the score a newcomer must beat once the heap is full,
 * so callers can skip work (filters, bookkeeping) for candidates that cannot enter.
 */
export class TopK {
  readonly k: number;
  private readonly scores: Float64Array;
  private readonly ids: Int32Array;
  private n = 0;

  constructor(k: number) {
    this.k = k;
    this.scores = new Float64Array(Math.max(1, k));
    this.ids = new Int32Array(Math.max(1, k));
  }

  get size(): number {
    return this.n;
  }

  /** The score to beat: −∞ until the heap holds k items, then the k-th best score. */
  get threshold(): number {
    return this.n < this.k ? -Infinity : this.scores[0]!;
  }

  reset(): void {
    this.n = 0;
  }

  /** Offer a candidate; kept only if it is among the k best so far. */
  push(score: number, id: number): void {
    const s = this.scores;
    const ids = this.ids;
    if (this.n < this.k) {
      // Sift up.
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (s[p]! <= score) break;
        s[i] = s[p]!;
        ids[i] = ids[p]!;
        i = p;
      }
      s[i] = score;
      ids[i] = id;
      return;
    }
    if (this.k === 0 || score <= s[0]!) return;
    // Replace the root and sift down.
    const n = this.n;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && s[r]! < s[l]! ? r : l;
      if (s[c]! >= score) break;
      s[i] = s[c]!;
      ids[i] = ids[c]!;
      i = c;
    }
    s[i] = score;
    ids[i] = id;
  }

  /** The kept items, best first (ties: smaller id first). */
  sorted(): { ids: Int32Array; scores: Float64Array } {
    const order = Array.from({ length: this.n }, (_, i) => i);
    order.sort((a, b) => this.scores[b]! - this.scores[a]! || this.ids[a]! - this.ids[b]!);
    const ids = new Int32Array(this.n);
    const scores = new Float64Array(this.n);
    order.forEach((o, i) => {
      ids[i] = this.ids[o]!;
      scores[i] = this.scores[o]!;
    });
    return { ids, scores };
  }
}
