/** Label names ↔ class indices, with unseen labels reported rather than fatal. */
import { DataError, InvalidArgumentError } from '../../../src/errors.js';
import type { TextExample } from './types.js';
import { labelCounts } from './types.js';

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

/**
 * Examples as the classifier reads them, checked: every text a string, every label a string, number
 * or boolean that is not empty. Labels become strings, trimmed — as `readDataset` reads them — so
 * `1` given in memory and `1` read from a file are the same label. A bad example is a `DataError`
 * naming its position (0-based) in `what` ('training set', 'validation set', …).
 */
export function checkExamples(examples: readonly TextExample[], what = 'training set'): TextExample[] {
  if (!Array.isArray(examples)) {
    throw new InvalidArgumentError(`the ${what} must be an array of { text, label } examples, got ${kindOf(examples)}`);
  }
  return examples.map((e: unknown, i) => {
    const where = `example ${i} of the ${what}`;
    if (e === null || typeof e !== 'object') throw new DataError(`${where} is ${kindOf(e)}, not a { text, label } object`, { hint: 'give every example a text and a label' });
    const { text, label } = e as { text: unknown; label: unknown };
    if (typeof text !== 'string') {
      throw new DataError(`${where} has a text that is ${kindOf(text)}, not a string`, { hint: 'every text is a string (readDataset skips empty texts; filter the others out)' });
    }
    if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') {
      throw new DataError(`${where} has a label that is ${kindOf(label)}, not a string, number or boolean`, { hint: 'every example needs a label (single-label classification)' });
    }
    const name = String(label).trim();
    if (name === '') throw new DataError(`${where} has an empty label`, { hint: 'every example needs a label' });
    return typeof label === 'string' && name === label ? (e as TextExample) : { ...(e as TextExample), label: name };
  });
}

/** Sorted distinct labels of a training set; fails when there is only one class. */
export function trainingLabels(examples: readonly TextExample[], what = 'training set'): string[] {
  examples = checkExamples(examples, what);
  const counts = labelCounts(examples);
  if (examples.length === 0) throw new DataError(`the ${what} is empty`, { hint: 'give labelled texts of at least two labels' });
  if (counts.length < 2) {
    throw new DataError(`the ${what} has only one class ('${counts[0]?.label ?? ''}', ${examples.length} texts)`, {
      hint: 'a classifier needs texts of at least two labels; check the label column',
    });
  }
  return counts.map((c) => c.label).sort();
}

export interface EncodedLabels {
  /** Class index per example; −1 for labels the model never saw. */
  y: Int32Array;
  /** Labels not in the model, with their counts. */
  unseen: Array<{ label: string; count: number }>;
}

/** Map label names to class indices; unknown labels become −1 and are listed. */
export function encodeLabels(examples: readonly TextExample[], labels: readonly string[], what = 'examples'): EncodedLabels {
  examples = checkExamples(examples, what);
  const index = new Map(labels.map((l, i) => [l, i]));
  const y = new Int32Array(examples.length);
  const unseen = new Map<string, number>();
  examples.forEach((e, i) => {
    const c = index.get(e.label);
    if (c === undefined) {
      y[i] = -1;
      unseen.set(e.label, (unseen.get(e.label) ?? 0) + 1);
    } else y[i] = c;
  });
  return { y, unseen: [...unseen].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count) };
}

/**
 * Encode held-out data (validation or test) against the training labels, and throw a `DataError`
 * when none of its texts has a training label: it could measure nothing. Callers run this before
 * anything is trained, so a mislabelled file costs no training run.
 */
export function requireKnownLabels(examples: readonly TextExample[], labels: readonly string[], what: string): EncodedLabels {
  const encoded = encodeLabels(examples, labels, `${what} set`);
  if (examples.length > 0 && encoded.y.every((c) => c < 0)) {
    const shown = encoded.unseen.slice(0, 5).map((u) => `${u.label} (${u.count})`).join(', ');
    throw new DataError(
      `none of the ${examples.length} ${what} texts has a label seen in training: ${shown}${encoded.unseen.length > 5 ? ', …' : ''}; training labels: ${labels.join(', ')}`,
      { hint: `check the label column of the ${what} data (same names and case as the training data), or train without ${what} data` },
    );
  }
  return encoded;
}
