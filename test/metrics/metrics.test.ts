import { describe, expect, it } from 'vitest';
import { accuracy, classificationReport, formatReport, confusionMatrix, macroF1, perClassScores, stratifiedSplit, topKAccuracy, balancedClassWeights } from '../../src/metrics/index.js';
import { lrMultiplier } from '../../src/training/schedules.js';

describe('metrics', () => {
  it('accuracy, confusion, per-class P/R/F1 and macro-F1 match hand computation', () => {
    const yTrue = [0, 0, 1, 1, 2, 2];
    const yPred = [0, 1, 1, 1, 2, 0];
    expect(accuracy(yTrue, yPred)).toBeCloseTo(4 / 6);
    const cm = confusionMatrix(yTrue, yPred, 3);
    expect(cm).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
    const s = perClassScores(cm);
    expect(s[0]).toMatchObject({ precision: 0.5, recall: 0.5, support: 2 });
    expect(s[1].precision).toBeCloseTo(2 / 3);
    expect(s[1].f1).toBeCloseTo(0.8);
    expect(macroF1(s)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3);
  });

  it('top-k accuracy and the report', () => {
    const scores = [0.6, 0.3, 0.1, /**/ 0.2, 0.3, 0.5, /**/ 0.1, 0.7, 0.2];
    expect(topKAccuracy([0, 0, 2], scores, 3, 1)).toBeCloseTo(1 / 3);
    expect(topKAccuracy([0, 0, 2], scores, 3, 2)).toBeCloseTo(2 / 3);
    const r = classificationReport([0, 0, 2], scores, ['a', 'b', 'c'], { topK: 2 });
    expect(r.accuracy).toBeCloseTo(1 / 3);
    expect(r.topK!.accuracy).toBeCloseTo(2 / 3);
    expect(r.perClass.map((c) => c.label)).toEqual(['a', 'b', 'c']);
  });

  it('agree with scikit-learn: top-k breaks ties like top_k_accuracy_score, macro-F1 counts a predicted-only class', () => {
    // Uniform scores over 4 classes, labels 0–3: sklearn ranks the higher index first among ties → 0.5 at k = 2.
    const uniform = new Array(16).fill(0.25);
    expect(topKAccuracy([0, 1, 2, 3], uniform, 4, 2)).toBeCloseTo(0.5);
    expect(topKAccuracy([0, 1, 2, 3], uniform, 4, 1)).toBeCloseTo(0.25);
    expect(topKAccuracy([0], [NaN, NaN], 2, 1)).toBe(0);
    // y_true [0,0,1,1], y_pred [0,2,1,1]: f1_score(average='macro') = (2/3 + 1 + 0) / 3.
    const s = perClassScores(confusionMatrix([0, 0, 1, 1], [0, 2, 1, 1], 3));
    expect(macroF1(s)).toBeCloseTo((2 / 3 + 1 + 0) / 3);
  });

  it('refuses a topK that is not a whole number ≥ 1', () => {
    const scores = [0.6, 0.4, 0.3, 0.7];
    for (const k of [0, -1, 1.5]) expect(() => classificationReport([0, 1], scores, ['a', 'b'], { topK: k })).toThrow(/topK must be a whole number ≥ 1/);
  });

  it('prints confusion columns as wide as the longest label, so labels sharing a prefix stay apart', () => {
    const text = formatReport(classificationReport([0, 1], [0.9, 0.1, 0.2, 0.8], ['category_ham', 'category_spam']));
    const header = text.split('\n').find((l) => l.includes('category_ham') && l.includes('category_spam'));
    expect(header).toBeDefined();
    expect(text).not.toMatch(/categor categor/);
    // Many labels: the table is built without spreading labels² cells into one call.
    const n = 600;
    const labels = Array.from({ length: n }, (_, i) => `class-${i}`);
    const scores = new Float32Array(n * n);
    for (let i = 0; i < n; i++) scores[i * n + i] = 1;
    expect(formatReport(classificationReport(Array.from({ length: n }, (_, i) => i), scores, labels)).split('\n').length).toBeGreaterThan(2 * n);
  });

  it('stratified split keeps proportions, is seeded, and covers every index once', () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
    const a = stratifiedSplit(labels, { validation: 0.2, test: 0.1, seed: 7 });
    const b = stratifiedSplit(labels, { validation: 0.2, test: 0.1, seed: 7 });
    expect(Array.from(a.validation)).toEqual(Array.from(b.validation));
    const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(labels.map((_, i) => i));
    expect(Array.from(a.validation).filter((i) => labels[i] === 1)).toHaveLength(4);
    expect(Array.from(a.validation).filter((i) => labels[i] === 0)).toHaveLength(16);
    expect(Array.from(a.test).filter((i) => labels[i] === 1)).toHaveLength(2);
    const c = stratifiedSplit(labels, { validation: 0.2, seed: 8 });
    expect(Array.from(c.validation)).not.toEqual(Array.from(a.validation));
  });

  it('balanced class weights', () => {
    expect(balancedClassWeights([0, 0, 0, 1], 2)).toEqual([4 / 6, 2]);
  });

  it('learning-rate schedules have the documented shape', () => {
    const p = (step: number) => ({ step, totalSteps: 101, epoch: Math.floor(step / 10) });
    expect(lrMultiplier({ type: 'constant' }, p(50))).toBe(1);
    expect(lrMultiplier({ type: 'step', every: 3, gamma: 0.5 }, p(65))).toBeCloseTo(0.25);
    expect(lrMultiplier({ type: 'cosine' }, p(0))).toBeCloseTo(1);
    expect(lrMultiplier({ type: 'cosine' }, p(50))).toBeCloseTo(0.5);
    expect(lrMultiplier({ type: 'cosine' }, p(100))).toBeCloseTo(0);
    expect(lrMultiplier({ type: 'one-cycle' }, p(0))).toBeCloseTo(1 / 25);
    expect(lrMultiplier({ type: 'one-cycle' }, p(25))).toBeCloseTo(1);
    expect(lrMultiplier({ type: 'one-cycle' }, p(100))).toBeCloseTo(1 / 25e4);
  });
});
