/**
 * `runTextDemo()`: the text job end to end on embedded data, no downloads — a
 * seeded stratified sample of SpamAssassin, an 80/20 split, the default model
 * (hybrid: TF-IDF + mean‖max glove-wink-100d vectors), metrics on the held-out part.
 */
import type { ClassificationReport } from '../../src/metrics/classification.js';
import type { Progress } from '../../src/progress.js';
import { DEFAULT_TEXT_VECTORS, trainTextClassifier, type Prediction } from './classifier.js';
import { loadSpamAssassin } from './data/spam-assassin.js';
import { splitExamples, stratifiedSample } from './data/split.js';
import type { ModelSpec } from './models/model.js';

export interface TextDemoOptions {
  /** Messages sampled from the 6,046 (stratified, seeded). Default 2000; 0 = all. */
  sample?: number;
  /** Default 42. */
  seed?: number;
  /** Default { kind: 'hybrid', representation: 'mean-max' }. */
  model?: ModelSpec;
  /** Progress while loading the vectors. */
  progress?: Progress;
}

export interface TextDemoResult {
  dataset: string;
  model: ModelSpec;
  vectors: string;
  trainTexts: number;
  testTexts: number;
  /** Wall-clock training time (tokenising + fitting), seconds. */
  trainSeconds: number;
  accuracy: number;
  macroF1: number;
  report: ClassificationReport;
  /** Two held-out messages with their predictions. */
  examples: Array<{ text: string; label: string; prediction: Prediction }>;
}

export async function runTextDemo(options: TextDemoOptions = {}): Promise<TextDemoResult> {
  const seed = options.seed ?? 42;
  const all = loadSpamAssassin();
  const n = options.sample ?? 2000;
  const data = n > 0 ? stratifiedSample(all, n, seed) : all;
  const { train, validation: test } = splitExamples(data, { validation: 0.2, seed });
  const model = options.model ?? { kind: 'hybrid', representation: 'mean-max' };
  const clf = await trainTextClassifier(train, {
    model,
    vectors: DEFAULT_TEXT_VECTORS,
    seed,
    progress: options.progress,
  });
  try {
    const ev = await clf.evaluate(test);
    const shown = [test.find((e) => e.label === 'spam')!, test.find((e) => e.label === 'ham')!];
    const preds = await clf.predict(shown.map((e) => e.text));
    return {
      dataset: `SpamAssassin (${data.length} of ${all.length} messages, stratified, seed ${seed})`,
      model,
      vectors: DEFAULT_TEXT_VECTORS,
      trainTexts: train.length,
      testTexts: test.length,
      trainSeconds: clf.summary.seconds,
      accuracy: ev.report.accuracy,
      macroF1: ev.report.macroF1,
      report: ev.report,
      examples: shown.map((e, i) => ({ text: e.text.slice(0, 200), label: e.label, prediction: preds[i][0] })),
    };
  } finally {
    clf.dispose();
  }
}
