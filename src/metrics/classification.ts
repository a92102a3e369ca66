/**
 * Classification metrics on integer labels 0..numClasses−1. Pure functions on
 * typed arrays: no tensors, so they are cheap to call from callbacks and the CLI.
 */
import { InvalidArgumentError } from '../errors.js';

export type Labels = ArrayLike<number>;

function checkSameLength(a: Labels, b: Labels): void {
  if (a.length !== b.length) {
    throw new InvalidArgumentError(`label arrays differ in length: ${a.length} vs ${b.length}`);
  }
}

export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkSameLength(yTrue, yPred);
  if (yTrue.length === 0) return NaN;
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** `matrix[t][p]` counts examples of true class t predicted as p. */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses: number): number[][] {
  checkSameLength(yTrue, yPred);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(Number.isInteger(t) && t >= 0 && t < numClasses && Number.isInteger(p) && p >= 0 && p < numClasses)) {
      throw new InvalidArgumentError(`label ${t} / prediction ${p} at position ${i} is not a class index 0…${numClasses - 1}`);
    }
    m[t][p]++;
  }
  return m;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of this class. */
  support: number;
  /** Number of examples predicted as this class. */
  predicted: number;
}

/** Per-class precision, recall and F1 (0 where undefined, as scikit-learn's zero_division=0). */
export function perClassScores(confusion: number[][]): ClassScores[] {
  const n = confusion.length;
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((s, v) => s + v, 0);
    let predicted = 0;
    for (let t = 0; t < n; t++) predicted += confusion[t][c];
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support, predicted };
  });
}

/**
 * Unweighted mean of per-class F1 over the classes that occur in the true or the predicted labels
 * (scikit-learn's f1_score(average='macro')): a class predicted but never true counts, with F1 0.
 */
export function macroF1(scores: ClassScores[]): number {
  const present = scores.filter((s) => s.support > 0 || (s.predicted ?? 0) > 0);
  return present.length === 0 ? NaN : present.reduce((s, c) => s + c.f1, 0) / present.length;
}

/** Index of the largest value in each row of a row-major matrix. */
export function argmaxRows(values: ArrayLike<number>, numCols: number): Int32Array {
  const n = values.length / numCols;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let j = 0; j < numCols; j++) {
      const v = values[i * numCols + j];
      if (v > bestV) {
        bestV = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * Fraction of rows whose true class is among the k highest scores. Ties are broken as scikit-learn's
 * top_k_accuracy_score does (a stable sort, reversed: of equal scores, the higher class index ranks
 * first), so equal scores do not all count as hits; a NaN score of the true class is a miss.
 */
export function topKAccuracy(yTrue: Labels, scores: ArrayLike<number>, numClasses: number, k: number): number {
  if (scores.length !== yTrue.length * numClasses) {
    throw new InvalidArgumentError(`scores hold ${scores.length} values, expected ${yTrue.length} × ${numClasses}`);
  }
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const own = scores[i * numClasses + t];
    if (Number.isNaN(own)) continue;
    let ahead = 0;
    for (let j = 0; j < numClasses; j++) {
      const v = scores[i * numClasses + j];
      if (v > own || (v === own && j > t)) ahead++;
    }
    if (ahead < k) hit++;
  }
  return yTrue.length === 0 ? NaN : hit / yTrue.length;
}

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  /** Present when k > 1 was asked for and scores were given. */
  topK?: { k: number; accuracy: number };
  perClass: Array<ClassScores & { label: string }>;
  /** Rows: true label; columns: predicted label (order of `labels`). */
  confusion: number[][];
  labels: string[];
  count: number;
}

/** Everything a user wants to see after evaluating a classifier. */
export function classificationReport(
  yTrue: Labels,
  scores: ArrayLike<number>,
  labels: string[],
  options: { topK?: number } = {},
): ClassificationReport {
  const numClasses = labels.length;
  const yPred = argmaxRows(scores, numClasses);
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const per = perClassScores(confusion);
  const report: ClassificationReport = {
    accuracy: accuracy(yTrue, yPred),
    macroF1: macroF1(per),
    perClass: per.map((s, i) => ({ label: labels[i], ...s })),
    confusion,
    labels,
    count: yTrue.length,
  };
  if (options.topK !== undefined && (!Number.isInteger(options.topK) || options.topK < 1)) {
    throw new InvalidArgumentError(`topK must be a whole number ≥ 1, got ${options.topK}`);
  }
  if (options.topK && options.topK > 1) {
    report.topK = { k: options.topK, accuracy: topKAccuracy(yTrue, scores, numClasses, options.topK) };
  }
  return report;
}

/** A plain-text rendering of a report (per-class table and confusion matrix). */
export function formatReport(r: ClassificationReport): string {
  const w = r.labels.reduce((m, l) => Math.max(m, l.length), 8);
  const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
  const lines = [
    `accuracy ${(100 * r.accuracy).toFixed(2)}%   macro-F1 ${(100 * r.macroF1).toFixed(2)}%   (${r.count} examples)`,
  ];
  if (r.topK) lines.push(`top-${r.topK.k} accuracy ${(100 * r.topK.accuracy).toFixed(2)}%`);
  lines.push('', `${'label'.padEnd(w)}  precision recall     f1  support`);
  for (const c of r.perClass) {
    lines.push(`${c.label.padEnd(w)}  ${pct(c.precision)}   ${pct(c.recall)} ${pct(c.f1)}  ${String(c.support).padStart(7)}`);
  }
  lines.push('', 'confusion (rows: true, columns: predicted)');
  // Columns as wide as the longest label (and its counts), so no two labels print alike.
  // (A loop, not Math.max(...cells): labels² arguments overflow the call stack past ~400 labels.)
  let cw = 7;
  for (const l of r.labels) cw = Math.max(cw, l.length);
  for (const row of r.confusion) for (const v of row) cw = Math.max(cw, String(v).length);
  lines.push(`${''.padEnd(w)}  ${r.labels.map((l) => l.padStart(cw)).join(' ')}`);
  r.confusion.forEach((row, i) => lines.push(`${r.labels[i].padEnd(w)}  ${row.map((v) => String(v).padStart(cw)).join(' ')}`));
  return lines.join('\n');
}
