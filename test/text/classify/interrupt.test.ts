import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../src/engine/backend.js';
import type { Callback } from '../../../src/training/trainer.js';
import { saveTextClassifier, trainTextClassifier, type ModelSpec, type TrainTextOptions } from '../../../text/classify/index.js';
import { tempDir, toyCorpus, toyVectors } from './helpers.js';

const vectors = toyVectors();
const train = toyCorpus({ n: 90, seed: 1, vocabulary: 'seen' });
const valid = toyCorpus({ n: 30, seed: 4 });
const test = toyCorpus({ n: 60, seed: 2 });
const base: TrainTextOptions = { vectors, vectorsName: 'toy-16d', seed: 0, extraWords: 0, batchSize: 16, epochs: 50 };

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await initEngine();
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** Sends SIGINT to this process (as Ctrl-C would) after the given batch of the given epoch; counts the batches run. */
function ctrlCAt(epoch: number, batch: number) {
  const seen = { batches: 0, listenersWhileTraining: -1 };
  const callback: Callback = {
    onEvent(e) {
      if (e.type !== 'batchEnd') return;
      seen.batches++;
      seen.listenersWhileTraining = process.listenerCount('SIGINT');
      if (e.epoch === epoch && e.batch === batch) process.emit('SIGINT');
    },
  };
  return { seen, callback };
}

const NEURAL: Array<{ name: string; spec: ModelSpec }> = [
  { name: 'vectors (mean-max + linear head)', spec: { kind: 'vectors', representation: 'mean-max' } },
  { name: 'embedding (pool)', spec: { kind: 'embedding', architecture: 'pool', maxLength: 16 } },
];

describe('Ctrl-C while a text classifier trains (handleInterrupt)', () => {
  for (const k of NEURAL) {
    it(`${k.name}: stops after the current batch, keeps the weights so far, and says so in the summary and the bundle`, async () => {
      const { seen, callback } = ctrlCAt(1, 2);
      const clf = await trainTextClassifier(train, { ...base, model: k.spec, handleInterrupt: true, callbacks: [callback] });
      // 90 texts in batches of 16: 6 batches per epoch; stopped after batch 2 of epoch 1 (the second).
      expect(seen.batches).toBe(6 + 3);
      expect(seen.listenersWhileTraining).toBe(1);
      expect(process.listenerCount('SIGINT')).toBe(0);
      expect(clf.summary.interrupted).toBe(true);
      expect(clf.summary.epochs).toBe(2);
      // The weights so far are a usable model.
      const p = await clf.predictProba(test.map((e) => e.text));
      expect(p.every(Number.isFinite)).toBe(true);
      const out = join(dir, k.spec.kind);
      await saveTextClassifier(out, clf);
      const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.training).toMatchObject({ interrupted: true, epochs: 2 });
      clf.dispose();
    });
  }

  it('with validation texts, early stopping still keeps the best epoch when interrupted', async () => {
    const { seen, callback } = ctrlCAt(2, 0);
    const clf = await trainTextClassifier(train, { ...base, model: NEURAL[0].spec, validation: valid, handleInterrupt: true, callbacks: [callback] });
    expect(seen.batches).toBe(6 + 6 + 1);
    expect(clf.summary).toMatchObject({ interrupted: true, epochs: 3 });
    clf.dispose();
  });

  it('without handleInterrupt (the default) no SIGINT listener is installed and nothing is marked', async () => {
    const { seen, callback } = ctrlCAt(0, 0); // emitting SIGINT with no listener does nothing
    const clf = await trainTextClassifier(train, { ...base, epochs: 2, model: NEURAL[0].spec, callbacks: [callback] });
    expect(seen.listenersWhileTraining).toBe(0);
    expect(seen.batches).toBe(12);
    expect(clf.summary.epochs).toBe(2);
    expect('interrupted' in clf.summary).toBe(false);
    clf.dispose();
  });

  it('the linear kinds accept the option and leave SIGINT alone (fitted in one synchronous run; test/cli/text-interrupt.test.ts sends a real Ctrl-C)', async () => {
    const clf = await trainTextClassifier(train, { ...base, model: { kind: 'hybrid' }, handleInterrupt: true });
    expect(process.listenerCount('SIGINT')).toBe(0);
    expect('interrupted' in clf.summary).toBe(false);
    clf.dispose();
  });
});
