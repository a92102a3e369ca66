/** A disposed classifier refuses to work with a typed error, and metrics that JSON cannot write are refused before saving. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../src/engine/backend.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { saveTextClassifier, trainTextClassifier, type ModelSpec } from '../../../text/classify/index.js';
import { tempDir, toyCorpus, toyVectors } from './helpers.js';

const vectors = toyVectors();
const train = toyCorpus({ n: 30, seed: 1 });
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await initEngine();
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('a disposed classifier', () => {
  const kinds: ModelSpec[] = [{ kind: 'bow' }, { kind: 'hybrid' }, { kind: 'vectors', representation: 'mean' }, { kind: 'embedding', maxLength: 8 }];
  for (const spec of kinds) {
    it(`${spec.kind}: refuses predict, evaluate and save with an InvalidArgumentError (not a tfjs error, nor answers from a released model)`, async () => {
      const clf = await trainTextClassifier(train, { vectors, model: spec, epochs: 1, extraWords: 0 });
      clf.dispose();
      clf.dispose(); // a second call does nothing
      expect(clf.isDisposed).toBe(true);
      await expect(clf.predict(['fooda'])).rejects.toThrow(InvalidArgumentError);
      await expect(clf.predictProba(['fooda'])).rejects.toThrow(/cannot predict: this text classifier was disposed/);
      await expect(clf.evaluate(train)).rejects.toThrow(/cannot evaluate/);
      const out = join(dir, `disposed-${spec.kind}`);
      await expect(saveTextClassifier(out, clf)).rejects.toThrow(/cannot save it: this text classifier was disposed/);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('metrics saved with a classifier', () => {
  it('a BigInt, a circular object or a non-object is an InvalidArgumentError, and nothing is written', async () => {
    const clf = await trainTextClassifier(train, { model: { kind: 'bow' } });
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    for (const [name, metrics] of [['bigint', { x: 10n }], ['circular', circular], ['array', [1]]] as const) {
      const out = join(dir, `metrics-${name}`);
      const error = await saveTextClassifier(out, clf, metrics as unknown as Record<string, unknown>).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(name === 'array' ? /metrics must be an object/ : /the metrics cannot be stored as JSON/);
      expect(existsSync(out)).toBe(false);
    }
    clf.dispose();
  });
});
