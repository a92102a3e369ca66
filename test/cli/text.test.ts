import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { writeOnnxEncoder } from '../helpers/onnx-encoder.js';
import { gloveText, tempDir, TOPICS, toyCorpus, toyVectors } from '../text/classify/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const csv = (rows: Array<{ text: string; label: string }>) => 'text,label\n' + rows.map((r) => `"${r.text.replace(/"/g, '""')}",${r.label}`).join('\n') + '\n';

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'toy.vec.txt'), gloveText(toyVectors()));
  await writeFile(join(dir, 'train.csv'), csv(toyCorpus({ n: 90, seed: 1, vocabulary: 'seen' })));
  await writeFile(join(dir, 'valid.jsonl'), toyCorpus({ n: 30, seed: 4 }).map((e) => JSON.stringify(e)).join('\n'));
  // The test set has an extra label the model never sees, and an empty text.
  const test = [...toyCorpus({ n: 30, seed: 2 }), { text: 'fooda sportb', label: 'music' }];
  await writeFile(join(dir, 'test.txt'), test.map((e) => `__label__${e.label} ${e.text}`).join('\n') + '\n__label__food\n');
  await writeFile(join(dir, 'one-class.csv'), 'text,label\na b,x\nc d,x\n');
  await writeFile(join(dir, 'texts.txt'), 'fooda the foodb\nsporta sportc is\n');
  await writeFile(join(dir, 'valid-other-labels.csv'), 'text,label\nfooda the,FOOD\nsporta a,Sport\n');
});
afterAll(() => cleanup());

/** A sentence encoder (transformers.js folder) that knows the topic words only: filler words become [UNK], whose row is zero. */
function toyEncoder(at: string): string {
  const toy = toyVectors();
  const topical = toy.words.map((w, i) => [w, i] as const).filter(([w]) => TOPICS.some((t) => w.startsWith(t)));
  const rows = new Float32Array(topical.length * toy.dim);
  topical.forEach(([, i], j) => rows.set(toy.matrix.subarray(i * toy.dim, (i + 1) * toy.dim), j * toy.dim));
  return writeOnnxEncoder(at, { words: topical.map(([w]) => w), vectors: rows, dim: toy.dim });
}

describe('text CLI copies of library limits (kept so that start-up loads no text module)', () => {
  it('equal MAX_BLOCK_WEIGHT, USE_LITE_MAX_CHUNKS and USE_LITE_MAX_TOKENS', async () => {
    const { TEXT_CLI_LIMITS } = await import('../../src/cli/choices.js');
    const { MAX_BLOCK_WEIGHT } = await import('../../text/classify/index.js');
    const { USE_LITE_MAX_CHUNKS, USE_LITE_MAX_TOKENS } = await import('../../text/sentence/index.js');
    expect(TEXT_CLI_LIMITS).toEqual({ maxBlockWeight: MAX_BLOCK_WEIGHT, useLiteMaxChunks: USE_LITE_MAX_CHUNKS, useLiteMaxTokens: USE_LITE_MAX_TOKENS });
  });
});

describe('transferkit text', () => {
  it('train → evaluate → predict with a hybrid model (JSON output)', async () => {
    const out = join(dir, 'bundle');
    const t = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--valid', join(dir, 'valid.jsonl'), '--test', join(dir, 'test.txt'), '--vectors', join(dir, 'toy.vec.txt'), '--out', out, '--json');
    // The test file's empty record is a data warning: on stderr, even with --json.
    expect(t.stderr).toBe(`warning: ${join(dir, 'test.txt')}: skipped 1 record(s) with an empty text (line 32)\n`);
    expect(t.code).toBe(0);
    const r = JSON.parse(t.stdout);
    expect(r.bundle).toBe(out);
    expect(r.labels).toEqual(['food', 'sport', 'tech']);
    expect(r.model).toEqual({ kind: 'hybrid', representation: 'mean-max' });
    expect(r.test.accuracy).toBeGreaterThan(0.6);
    expect(r.test.unseenLabels).toEqual([{ label: 'music', count: 1 }]);
    expect(r.skippedEmptyTexts).toBe(0);
    expect(r.oov.tokenRate).toBeLessThan(0.2);
    // The validation metrics are the library's (summary.validation), stored in the bundle's training summary.
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.training.validation).toMatchObject({ texts: 30, used: 30, accuracy: r.validation.accuracy, macroF1: r.validation.macroF1 });

    const e = await cli('text', 'evaluate', out, '--data', join(dir, 'test.txt'), '--json');
    expect(e.code).toBe(0);
    const ev = JSON.parse(e.stdout);
    expect(ev.accuracy).toBeCloseTo(r.test.accuracy, 10);
    expect(ev.perClass.map((c: { label: string }) => c.label)).toEqual(['food', 'sport', 'tech']);
    expect(ev.confusion).toHaveLength(3);
    expect(ev.skippedEmptyTexts).toBe(1);

    const p = await cli('text', 'predict', out, 'fooda foodb the', 'sporta is sportb', '--top-k', '2', '--json');
    expect(p.code).toBe(0);
    const pj = JSON.parse(p.stdout);
    // The same shape as `vision predict --json`: { predictions: [{ text, top: [{ label, probability }] }], skipped }.
    expect(Object.keys(pj)).toEqual(['predictions', 'skipped']);
    expect(pj.skipped).toEqual([]);
    expect(pj.predictions[0].text).toBe('fooda foodb the');
    expect(pj.predictions[0].top[0].label).toBe('food');
    expect(pj.predictions[1].top[0].label).toBe('sport');
    expect(pj.predictions[0].top).toHaveLength(2);
    expect(Object.keys(pj.predictions[0].top[0])).toEqual(['label', 'probability']);
    expect(pj.predictions[0].top[0].probability).toBeGreaterThan(pj.predictions[0].top[1].probability);

    // Input first, then tab-separated `label 95.0%` pairs, as vision predict prints.
    const pf = await cli('text', 'predict', out, '--data', join(dir, 'texts.txt'), '--top-k', '2');
    expect(pf.code).toBe(0);
    expect(pf.stdout.split('\n')[0]).toMatch(/^fooda the foodb\tfood \d+\.\d%\t\w+ \d+\.\d%$/);
    expect(pf.stderr).toBe('');
  });

  it('predict leaves empty texts out and reports where they were', async () => {
    const out = join(dir, 'bundle');
    const args = await cli('text', 'predict', out, 'fooda foodb', '  ', 'sporta sportb', '--json');
    expect(args.code).toBe(0);
    const aj = JSON.parse(args.stdout);
    expect(aj.predictions.map((p: { text: string }) => p.text)).toEqual(['fooda foodb', 'sporta sportb']);
    expect(aj.skipped).toEqual([{ position: 2, reason: 'empty text' }]);

    await writeFile(join(dir, 'some-empty.csv'), 'text,label\nfooda foodb,x\n"",y\nsporta,z\n');
    const csvRun = await cli('text', 'predict', out, '--data', join(dir, 'some-empty.csv'), '--json');
    expect(csvRun.code).toBe(0);
    const cj = JSON.parse(csvRun.stdout);
    expect(cj.predictions).toHaveLength(2);
    expect(cj.skipped).toEqual([{ line: 3, reason: 'empty text' }]);

    await writeFile(join(dir, 'some-empty.txt'), 'fooda foodb\n\n__label__x\nsporta\n');
    const txt = await cli('text', 'predict', out, '--data', join(dir, 'some-empty.txt'));
    expect(txt.code).toBe(0);
    expect(txt.stdout.trim().split('\n')).toHaveLength(2);
    expect(txt.stderr).toMatch(/skipped 1 empty text: line 3/);
  });

  it('evaluate --top-k K with K ≥ the number of labels warns and leaves out the trivially perfect top-K accuracy', async () => {
    const out = join(dir, 'topk-bow'); // 3 labels
    expect((await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'bow', '--out', out)).code).toBe(0);
    const ok = await cli('text', 'evaluate', out, '--data', join(dir, 'test.txt'), '--top-k', '2', '--json');
    expect(JSON.parse(ok.stdout).topK).toEqual({ k: 2, accuracy: expect.any(Number) });
    expect(ok.stderr).not.toMatch(/top-k/);
    for (const k of ['3', '10']) {
      const j = await cli('text', 'evaluate', out, '--data', join(dir, 'test.txt'), '--top-k', k, '--json');
      expect(j.code).toBe(0);
      expect(JSON.parse(j.stdout).topK).toBeUndefined();
      expect(j.stderr).toMatch(new RegExp(`warning: --top-k ${k} is not below the model's 3 labels.*100% by construction and is not reported \\(use --top-k 2\\)`));
    }
    const text = await cli('text', 'evaluate', out, '--data', join(dir, 'test.txt'), '--top-k', '3');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/accuracy .*macro-F1/);
    expect(text.stdout).not.toMatch(/top-3 accuracy/);
  });

  it('human-readable training and evaluation with a vectors + linear-head model', async () => {
    const out = join(dir, 'vec');
    const t = await cli('--quiet', 'text', 'train', '--train', join(dir, 'train.csv'), '--vectors', join(dir, 'toy.vec.txt'), '--out', out, '--model', 'mean', '--head', 'linear', '--epochs', '20');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/trained 'mean' on 90 texts, 3 labels/);
    expect(t.stdout).toMatch(/training texts: OOV/);
    expect(t.stdout).not.toMatch(/saved/); // a "done" note: on stderr, and --quiet drops it
    const e = await cli('--quiet', 'text', 'evaluate', out, '--data', join(dir, 'test.txt'));
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/accuracy .*macro-F1/);
    expect(e.stdout).toMatch(/confusion/);
    expect(e.stdout).toMatch(/never saw in training.*music \(1\)/);
  });

  it('fails with typed errors and hints', async () => {
    const oneClass = await cli('text', 'train', '--train', join(dir, 'one-class.csv'), '--model', 'bow', '--out', join(dir, 'x'));
    expect(oneClass.code).toBe(2);
    expect(oneClass.stderr).toMatch(/error\[E_DATA\].*only one class/);
    const missing = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--text-column', 'body', '--model', 'bow', '--out', join(dir, 'x'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no text column 'body'/);
    expect(missing.stderr).toMatch(/hint: the header has: 'text', 'label'; choose the column with --text-column/);
    // A tab-separated file named .csv: the fix is --format tsv, which then works, on train and predict.
    const tabbed = join(dir, 'tabbed.csv');
    await writeFile(tabbed, 'text\tlabel\n' + toyCorpus({ n: 30, seed: 5 }).map((e) => `${e.text}\t${e.label}`).join('\n') + '\n');
    const tabs = await cli('text', 'train', '--train', tabbed, '--model', 'bow', '--out', join(dir, 'tabbed-bow'));
    expect(tabs.code).toBe(2);
    expect(tabs.stderr).toMatch(/no text column 'text' in the header/);
    expect(tabs.stderr).toMatch(/hint: the header 'text\\tlabel' is one CSV column with tabs in it: the file looks like TSV; give --format tsv/);
    expect((await cli('text', 'train', '--train', tabbed, '--model', 'bow', '--format', 'tsv', '--out', join(dir, 'tabbed-bow'))).code).toBe(0);
    const predictTabs = await cli('text', 'predict', join(dir, 'tabbed-bow'), '--data', tabbed);
    expect(predictTabs.stderr).toMatch(/give --format tsv/);
    const predicted = await cli('text', 'predict', join(dir, 'tabbed-bow'), '--data', tabbed, '--format', 'tsv', '--json');
    expect(predicted.code).toBe(0);
    expect(JSON.parse(predicted.stdout).predictions).toHaveLength(30);
    const nothing = await cli('text', 'predict', join(dir, 'bundle'));
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to classify/);
    const noBundle = await cli('text', 'evaluate', join(dir, 'nope'), '--data', join(dir, 'test.txt'));
    expect(noBundle.code).toBe(2);
    expect(noBundle.stderr).toMatch(/E_NOT_FOUND/);
    const otherLabels = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--valid', join(dir, 'valid-other-labels.csv'), '--vectors', join(dir, 'toy.vec.txt'), '--model', 'embedding-pool', '--epochs', '2', '--out', join(dir, 'x'));
    expect(otherLabels.code).toBe(2);
    expect(otherLabels.stderr).toMatch(/error\[E_DATA\]: none of the 2 validation texts has a label seen in training: FOOD \(1\), Sport \(1\); training labels: food, sport, tech/);
    expect(otherLabels.stderr).toMatch(/hint: check the label column of the validation data/);
    // A test file whose labels are all unseen is refused before training: nothing trained, then lost.
    for (const model of ['embedding-pool', 'bow']) {
      const t0 = performance.now();
      const otherTest = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--test', join(dir, 'valid-other-labels.csv'), '--vectors', join(dir, 'toy.vec.txt'), '--model', model, '--out', join(dir, 'x'));
      expect(otherTest.code).toBe(2);
      expect(otherTest.stderr).toMatch(/error\[E_DATA\]: none of the 2 test texts has a label seen in training: FOOD \(1\), Sport \(1\); training labels: food, sport, tech/);
      expect(otherTest.stderr).toMatch(/hint: check the label column of the test data/);
      expect(otherTest.stderr).not.toMatch(/training '/);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
    expect(otherLabels.stderr).not.toMatch(/training '/);
    const badModel = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'xgboost', '--out', join(dir, 'x'));
    expect(badModel.code).not.toBe(0);
    expect(badModel.stderr).toMatch(/--model must be one of/);
  });

  it('with --json, data and training warnings still go to stderr (stdout stays pure JSON); --quiet drops them', async () => {
    const oov = join(dir, 'all-oov.csv');
    await writeFile(oov, csv([...Array.from({ length: 6 }, (_, i) => ({ text: `zork${i} blorp${i}`, label: i % 2 ? 'x' : 'y' })), { text: '', label: 'x' }]));
    const args = ['text', 'train', '--train', oov, '--vectors', join(dir, 'toy.vec.txt'), '--json'];
    const t = await cli(...args, '--out', join(dir, 'oov-model'));
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout).oov.tokenRate).toBe(1);
    expect(t.stderr).toMatch(/^warning: .*all-oov\.csv: skipped 1 record\(s\) with an empty text \(line 8\)$/m);
    expect(t.stderr).toMatch(/^warning: none of the 12 training tokens has a vector in .*toy\.vec\.txt: the word vectors add nothing/m);
    expect(t.stderr).not.toMatch(/training 'hybrid'|saved/); // progress notes stay off with --json
    const human = await cli(...args.filter((a) => a !== '--json'), '--out', join(dir, 'oov-model-2'));
    expect(human.code).toBe(0);
    expect(human.stderr).toMatch(/warning: none of the 12 training tokens has a vector/);
    const quiet = await cli('--quiet', ...args, '--out', join(dir, 'oov-model-3'));
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    JSON.parse(quiet.stdout);

    const smoothed = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--vectors', join(dir, 'toy.vec.txt'), '--model', 'smoothed', '--neighbours', '0', '--out', join(dir, 'smoothed-0-json'), '--json');
    expect(smoothed.code).toBe(0);
    expect(JSON.parse(smoothed.stdout).expansion.expandedWords).toBe(0);
    expect(smoothed.stderr).toMatch(/^warning: no training word got a neighbour: this smoothed model is a plain bag of words/m);
    const bow = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'bow', '--vectors', join(dir, 'toy.vec.txt'), '--out', join(dir, 'bow-json'), '--json');
    expect(bow.code).toBe(0);
    JSON.parse(bow.stdout);
    expect(bow.stderr).toBe('note: --model bow uses no word vectors; --vectors ignored\n');

    const ev = await cli('text', 'evaluate', join(dir, 'bow-json'), '--data', join(dir, 'test.txt'), '--json');
    expect(ev.code).toBe(0);
    JSON.parse(ev.stdout);
    expect(ev.stderr).toMatch(/^warning: .*test\.txt: skipped 1 record\(s\) with an empty text/);
  });

  it('text train refuses a bad --out before reading data or training', async () => {
    const { mkdir, readFile, readdir } = await import('node:fs/promises');
    const photos = join(dir, 'user-folder');
    await mkdir(photos, { recursive: true });
    await writeFile(join(photos, 'holiday.txt'), 'mine');
    const trainCsv = join(dir, 'train.csv');
    const before = await readFile(trainCsv, 'utf8');
    for (const out of [photos, trainCsv, join(trainCsv, 'm')]) {
      const t0 = performance.now();
      const r = await cli('text', 'train', '--train', trainCsv, '--vectors', join(dir, 'toy.vec.txt'), '--model', 'embedding-pool', '--epochs', '50', '--out', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
      expect(r.stderr).not.toMatch(/training/);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
    expect(await readdir(photos)).toEqual(['holiday.txt']);
    expect(await readFile(trainCsv, 'utf8')).toBe(before);
  });

  it('a folder where a data file is expected is reported as a folder', async () => {
    const { mkdir } = await import('node:fs/promises');
    const photos = join(dir, 'photos');
    await mkdir(photos, { recursive: true });
    const t = await cli('text', 'train', '--train', photos, '--model', 'bow', '--out', join(dir, 'from-photos'));
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: .*photos' is a folder, not a data file/);
    const p = await cli('text', 'predict', join(dir, 'bundle'), '--data', photos);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: .*photos' is a folder, not a text file/);
  });
  it('a smoothed model trains with its own neighbour options, and classifies texts made only of words unseen in training', async () => {
    const out = join(dir, 'smoothed');
    const t = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--vectors', join(dir, 'toy.vec.txt'), '--model', 'smoothed', '--neighbours', '10', '--min-similarity', '0.6', '--out', out, '--json');
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout).model).toEqual({ kind: 'smoothed', expansion: { neighbours: 10, minSimilarity: 0.6 } });
    // train.csv uses only the first half of each topic's words; 'foodm'/'sportn' are from the second half.
    const p = await cli('text', 'predict', out, 'foodm foodp the', 'sportn sportq a', '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).predictions.map((x: { top: Array<{ label: string }> }) => x.top[0].label)).toEqual(['food', 'sport']);
    // One neighbour option alone keeps the other's default.
    const one = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--vectors', join(dir, 'toy.vec.txt'), '--model', 'smoothed', '--neighbours', '5', '--out', join(dir, 'smoothed-5'), '--json');
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).model).toEqual({ kind: 'smoothed', expansion: { neighbours: 5 } });
    expect(JSON.parse(one.stdout).expansion).toMatchObject({ expandedWords: expect.any(Number), neighbourColumns: expect.any(Number) });
    expect(JSON.parse(one.stdout).expansion.expandedWords).toBeGreaterThan(0);
    // No neighbour at all: the model says it is a plain bag of words.
    const none = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--vectors', join(dir, 'toy.vec.txt'), '--model', 'smoothed', '--neighbours', '0', '--out', join(dir, 'smoothed-0'));
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/neighbour expansion: 0 of \d+ training words with a vector got neighbours; 0 words added/);
    expect(none.stderr).toMatch(/warning: no training word got a neighbour: this smoothed model is a plain bag of words/);
    const bad = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'smoothed', '--min-similarity', '-0.1', '--out', join(dir, 'never-sm'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-similarity must be a number in \[0, 1\], got '-0.1'/);
    // --lr and --c must be > 0: the option parser says so for 0 as for a negative value (no second, later check).
    for (const [model, flag] of [['mean', '--lr'], ['bow', '--c'], ['smoothed', '--c']]) {
      for (const value of ['0', '-1']) {
        const r = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', model, flag, value, '--out', join(dir, 'never-sm'));
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`${flag} must be a number > 0, got '${value}'`);
        expect(r.stderr).not.toMatch(/training/);
      }
    }
    const many = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'smoothed', '--neighbours', '5000', '--out', join(dir, 'never-sm'));
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/--neighbours must be an integer in \[0, 1000\], got '5000'/);
  });

  it('train refuses options the chosen --model does not read, and notes unused vectors for bow', async () => {
    const train = join(dir, 'train.csv');
    const cases: [string, string[], RegExp][] = [
      ['bow', ['--head', 'mlp:8'], /--head does not apply to --model bow/],
      ['bow', ['--epochs', '3'], /--epochs does not apply to --model bow; it is used only by the neural models/],
      ['bow', ['--finetune'], /--finetune does not apply to --model bow/],
      ['bow', ['--lr', '0.01'], /--lr does not apply to --model bow/],
      ['bow', ['--batch-size', '8'], /--batch-size does not apply to --model bow/],
      ['bow', ['--max-length', '20'], /--max-length does not apply to --model bow/],
      ['bow', ['--representation', 'sif'], /--representation does not apply to --model bow/],
      ['hybrid', ['--epochs', '3'], /--epochs does not apply to --model hybrid/],
      ['embedding-pool', ['--c', '10'], /--c does not apply to --model embedding-pool; it is used only by the linear models/],
      ['mean', ['--finetune'], /--finetune does not apply to --model mean/],
      ['bow', ['--neighbours', '5'], /--neighbours does not apply to --model bow; it is used only by --model smoothed/],
      ['hybrid', ['--min-similarity', '0.4'], /--min-similarity does not apply to --model hybrid/],
      ['smoothed', ['--extra-words', '10'], /--extra-words does not apply to --model smoothed; it is used only by models that store word vectors/],
      // The linear kinds are fitted by L-BFGS: no learning rate to schedule.
      ['bow', ['--schedule', 'one-cycle'], /--schedule does not apply to --model bow; it is used only by the neural models, which the core trainer trains with a learning rate \(bow, hybrid and smoothed are fitted by L-BFGS and have none\)/],
      ['hybrid', ['--schedule', 'cosine'], /--schedule does not apply to --model hybrid/],
      ['smoothed', ['--cycle-momentum'], /--cycle-momentum does not apply to --model smoothed/],
      ['bow', ['--schedule', 'one-cycle', '--cycle-momentum', '0.9,0.8'], /--schedule does not apply to --model bow/],
    ];
    for (const [model, extra, message] of cases) {
      const out = join(dir, `never-${model}`);
      const r = await cli('text', 'train', '--train', train, '--model', model, '--out', out, ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/drop --/);
    }
    // bow with --vectors/--extra-words trains; the unused options are named on stderr.
    const ok = await cli('text', 'train', '--train', train, '--model', 'bow', '--c', '10', '--vectors', join(dir, 'toy.vec.txt'), '--extra-words', '5', '--out', join(dir, 'bow-noted'));
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/note: --model bow uses no word vectors; --vectors ignored/);
    expect(ok.stderr).toMatch(/--extra-words ignored/);
  });

  it('train --schedule sets the rate of every epoch of a neural model (--json history and the manifest); --cycle-momentum cycles Adam\'s beta1', async () => {
    const train = join(dir, 'train.csv');
    const vectors = join(dir, 'toy.vec.txt');
    const out = join(dir, 'sched-step');
    const r = await cli('text', 'train', '--train', train, '--vectors', vectors, '--model', 'mean', '--epochs', '3', '--batch-size', '30', '--lr', '0.01', '--schedule', 'step:1:0.5', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schedule).toEqual({ type: 'step', every: 1, gamma: 0.5 });
    // Halved every epoch: a constant rate would stay at 0.01.
    expect(j.history.map((h: { lr: number }) => h.lr)).toEqual([0.01, 0.005, 0.0025]);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.training.schedule).toEqual(j.schedule);
    expect(manifest.training.history).toEqual(j.history);

    // Without --schedule: constant, recorded as such.
    const c = await cli('text', 'train', '--train', train, '--vectors', vectors, '--model', 'mean', '--epochs', '2', '--lr', '0.01', '--out', join(dir, 'sched-constant'), '--json');
    expect(c.code, c.stderr).toBe(0);
    const cj = JSON.parse(c.stdout);
    expect(cj.schedule).toEqual({ type: 'constant' });
    expect(cj.history.map((h: { lr: number }) => h.lr)).toEqual([0.01, 0.01]);

    // fastai's fit_one_cycle on an embedding network: the momentum is in every epoch's record.
    const o = await cli('text', 'train', '--train', train, '--vectors', vectors, '--model', 'embedding-pool', '--max-length', '16', '--epochs', '4', '--lr', '0.01', '--schedule', 'one-cycle:0.5', '--cycle-momentum', '0.9,0.8', '--out', join(dir, 'sched-cycle'), '--json');
    expect(o.code, o.stderr).toBe(0);
    const oj = JSON.parse(o.stdout);
    expect(oj.schedule).toEqual({ type: 'one-cycle', pctStart: 0.5, cycleMomentum: { high: 0.9, low: 0.8 } });
    const lrs = oj.history.map((h: { lr: number }) => h.lr);
    expect(lrs[0]).toBeLessThan(lrs[1]);
    expect(lrs[3]).toBeLessThan(1e-7);
    expect(oj.history[0].momentum).toBeGreaterThan(0.8);
    expect(oj.history[0].momentum).toBeLessThan(0.9);
    expect(oj.history[3].momentum).toBe(0.9);

    // A linear model has no history (and no schedule) in --json.
    const b = await cli('text', 'train', '--train', train, '--model', 'bow', '--out', join(dir, 'sched-bow'), '--json');
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).not.toHaveProperty('history');
  });

  it('train refuses a bad --schedule or --cycle-momentum before reading data', async () => {
    const cases: [string[], RegExp][] = [
      [['--schedule', 'exponential'], /error\[E_INVALID_ARGUMENT\]: --schedule: unknown learning-rate schedule 'exponential'\n  hint: use constant, step/],
      [['--schedule', 'one-cycle:1.5'], /--schedule one-cycle:1\.5: 'pctStart' must be in \(0, 1\), got 1\.5/],
      [['--cycle-momentum'], /--cycle-momentum cycles the momentum against a one-cycle learning rate, but the default schedule here is constant\n  hint: add --schedule one-cycle, or drop --cycle-momentum/],
      [['--schedule', 'cosine', '--cycle-momentum'], /but --schedule cosine is not one-cycle/],
    ];
    for (const [extra, message] of cases) {
      const r = await cli('text', 'train', '--train', join(dir, 'no-such.csv'), '--model', 'mean', '--out', join(dir, 'never-sched'), ...extra);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr, extra.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/no-such\.csv/);
    }
    const help = (await cli('text', 'train', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--schedule <spec> learning-rate schedule, .*\(default: constant; the neural models only\)/);
    expect(help).toMatch(/--cycle-momentum \[high,low\]/);
  });

  it('train --model sentence --encoder DIR: the bundle holds the encoder; evaluate and predict need nothing else', async () => {
    const model = toyEncoder(join(dir, 'train-encoder'));
    const out = join(dir, 'sentence-bundle');
    const t = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--test', join(dir, 'test.txt'), '--model', 'sentence', '--encoder', model, '--epochs', '60', '--out', out, '--json');
    expect(t.code).toBe(0);
    const r = JSON.parse(t.stdout);
    expect(r.model).toEqual({ kind: 'sentence', encoder: { model } });
    expect(r.sentenceEncoder).toMatchObject({ name: 'train-encoder/mean', source: model, dim: 16, pooling: 'mean' });
    expect(r.vectors).toBeUndefined();
    expect(r.test.accuracy).toBeGreaterThan(0.9);
    await rm(model, { recursive: true }); // the bundle is self-contained
    const p = await cli('text', 'predict', out, 'sportd the sportk', '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).predictions[0].top[0].label).toBe('sport');
    const e = await cli('text', 'evaluate', out, '--data', join(dir, 'valid.jsonl'));
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/accuracy/);
    // Human-readable output names the encoder; word-vector options get a note, not an error.
    const again = toyEncoder(join(dir, 'train-encoder-2'));
    const h = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'sentence', '--encoder', again, '--pooling', 'mean', '--max-tokens', '64', '--vectors', join(dir, 'toy.vec.txt'), '--out', join(dir, 'sentence-2'));
    expect(h.code).toBe(0);
    expect(h.stderr).toMatch(/note: --model sentence uses no word vectors; --vectors ignored/);
    expect(h.stdout).toMatch(/sentence encoder: train-encoder-2\/mean \(.*\), dim 16, up to 64 tokens per text; stored in the bundle/);
    // An encoder that knows none of the words gives every text a zero vector: a warning, not a silent useless model.
    const alien = writeOnnxEncoder(join(dir, 'alien-encoder'), { words: ['zebra'], vectors: new Float32Array(16).fill(1), dim: 16 });
    const blind = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'sentence', '--encoder', alien, '--epochs', '2', '--out', join(dir, 'blind'));
    expect(blind.code).toBe(0);
    expect(blind.stderr).toMatch(/warning: the sentence encoder gave every training text a zero vector/);
    // Refused before any work: no encoder, an encoder for another kind, the encoder folder as --out.
    const none = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'sentence', '--out', join(dir, 'never'));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--model sentence needs --encoder/);
    const bow = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'bow', '--encoder', again, '--out', join(dir, 'never'));
    expect(bow.code).toBe(2);
    expect(bow.stderr).toMatch(/--encoder does not apply to --model bow/);
    const over = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'sentence', '--encoder', again, '--out', again);
    expect(over.code).not.toBe(0);
    expect(over.stderr).toMatch(/refusing to write the text-classifier bundle/);
    expect(existsSync(join(again, 'onnx', 'model.onnx'))).toBe(true);
  });

  it('train --model smoothed|hybrid --encoder DIR: a sentence block next to the sparse features; the bundle holds the encoder', async () => {
    const model = toyEncoder(join(dir, 'block-encoder'));
    const out = join(dir, 'smoothed-sentence');
    const vec = join(dir, 'toy.vec.txt');
    const t = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--test', join(dir, 'test.txt'), '--model', 'smoothed', '--encoder', model, '--encoder-weight', '2', '--vectors', vec, '--out', out, '--json');
    expect(t.code).toBe(0);
    const r = JSON.parse(t.stdout);
    expect(r.model).toEqual({ kind: 'smoothed', sentence: { model }, sentenceWeight: 2 });
    expect(r.sentenceEncoder).toMatchObject({ source: model, dim: 16 });
    expect(r.expansion.expandedWords).toBeGreaterThan(0);
    expect(r.test.accuracy).toBeGreaterThan(0.9);
    await rm(model, { recursive: true }); // self-contained: predict needs neither the encoder folder nor the vectors
    const p = await cli('text', 'predict', out, 'sportd the sportk', 'foodq a foodw', '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).predictions.map((x: { top: Array<{ label: string }> }) => x.top[0].label)).toEqual(['sport', 'food']);

    // hybrid + --encoder: the encoder replaces the word vectors (--vectors gets a note), human-readable output names it.
    const again = toyEncoder(join(dir, 'block-encoder-2'));
    const h = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'hybrid', '--encoder', again, '--vectors', vec, '--out', join(dir, 'hybrid-sentence'));
    expect(h.code).toBe(0);
    expect(h.stderr).toMatch(/note: --model hybrid with --encoder uses no word vectors; --vectors ignored/);
    expect(h.stderr).toMatch(/training 'hybrid' on 90 texts with sentence encoder .*block-encoder-2…/);
    expect(h.stdout).toMatch(/sentence encoder: block-encoder-2\/mean \(.*\), dim 16, .*stored in the bundle/);
    const manifest = JSON.parse(await readFile(join(dir, 'hybrid-sentence', 'manifest.json'), 'utf8'));
    expect(manifest.extra.spec).toEqual({ kind: 'hybrid', sentence: { model: again } });
    const hp = await cli('text', 'predict', join(dir, 'hybrid-sentence'), 'techb the techz', '--json');
    expect(JSON.parse(hp.stdout).predictions[0].top[0].label).toBe('tech');

    // --max-tokens caps the TF-IDF tokenizer of hybrid and smoothed, with --encoder as without (0 = all tokens);
    // --encoder-max-tokens is the block encoder's.
    for (const kind of ['hybrid', 'smoothed']) {
      for (const [extra, tokenizer, sentence] of [
        [['--max-tokens', '5'], 5, { model: again }],
        [['--max-tokens', '0'], 0, { model: again }],
        [['--encoder-max-tokens', '5'], 500, { model: again, maxTokens: 5 }],
        [['--max-tokens', '7', '--encoder-max-tokens', '5'], 7, { model: again, maxTokens: 5 }],
      ] as Array<[string[], number, object]>) {
        const capped = join(dir, `${kind}-max-tokens`);
        const c = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', kind, '--encoder', again, ...extra, '--vectors', vec, '--out', capped, '--json');
        expect(c.code, `${kind} ${extra.join(' ')}: ${c.stderr}`).toBe(0);
        const cr = JSON.parse(c.stdout);
        expect(cr.model.sentence, extra.join(' ')).toEqual(sentence);
        // The toy encoder's own default is its 512 positions.
        expect(cr.sentenceEncoder.maxTokens, extra.join(' ')).toBe('maxTokens' in sentence ? 5 : 512);
        const m = JSON.parse(await readFile(join(capped, 'manifest.json'), 'utf8'));
        expect(m.preprocessing.tokenizer.maxTokens, `${kind} ${extra.join(' ')}`).toBe(tokenizer);
        expect(m.encoder.maxTokens).toBe(cr.sentenceEncoder.maxTokens);
        await rm(capped, { recursive: true });
      }
    }
    // Without --encoder it caps the classifier's tokenizer, too.
    const plainCap = join(dir, 'smoothed-plain-max-tokens');
    expect((await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'smoothed', '--max-tokens', '5', '--vectors', vec, '--out', plainCap)).code).toBe(0);
    expect(JSON.parse(await readFile(join(plainCap, 'manifest.json'), 'utf8')).preprocessing.tokenizer.maxTokens).toBe(5);
    // --model sentence: --encoder-max-tokens is what --max-tokens is there (the encoder's tokens).
    const sentenceCap = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'sentence', '--encoder', again, '--encoder-max-tokens', '6', '--epochs', '1', '--out', join(dir, 'sentence-encoder-max-tokens'), '--json');
    expect(sentenceCap.code, sentenceCap.stderr).toBe(0);
    expect(JSON.parse(sentenceCap.stdout).model.encoder).toEqual({ model: again, maxTokens: 6 });
    expect(JSON.parse(sentenceCap.stdout).sentenceEncoder.maxTokens).toBe(6);
    const help = (await cli('text', 'train', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--max-tokens <n> tokens kept per text by the classifier's tokenizer \(the TF-IDF features of bow, hybrid and smoothed, with or without --encoder;/);
    expect(help).toMatch(/--model sentence: the encoder's tokens, as --encoder-max-tokens/);
    expect(help).toMatch(/--encoder-max-tokens <n> sentence encoder \(--model sentence, and hybrid\|smoothed with --encoder\): tokens it reads per text, 2 or more .*use-lite: 1 to 128 pieces, default 128/);
    expect(help).toMatch(/windows of --encoder-max-tokens pieces \(default 128\)/);

    // --encoder-max-tokens (and --model sentence's --max-tokens) refused before the data is read (no-such.csv is never opened).
    const early: Array<[string[], RegExp]> = [
      [['--model', 'hybrid', '--encoder', 'use-lite', '--encoder-max-tokens', '500'], /--encoder-max-tokens 500 is more than the 128 pieces use-lite reads/],
      [['--model', 'smoothed', '--encoder', 'use-lite', '--encoder-max-tokens', '129'], /--encoder-max-tokens 129 is more than the 128 pieces use-lite reads/],
      [['--model', 'sentence', '--encoder', 'use-lite', '--max-tokens', '500'], /--max-tokens 500 is more than the 128 pieces use-lite reads/],
      [['--model', 'hybrid', '--encoder', again, '--encoder-max-tokens', '1'], /--encoder-max-tokens 1 leaves no room for a transformers\.js model's special tokens: give 2 or more/],
      [['--model', 'sentence', '--encoder', again, '--max-tokens', '1'], /--max-tokens 1 leaves no room/],
      [['--model', 'hybrid', '--encoder', again, '--encoder-max-tokens', '0'], /--encoder-max-tokens must be an integer ≥ 1, got '0'/],
      [['--model', 'smoothed', '--encoder-max-tokens', '64'], /--encoder-max-tokens applies to a sentence encoder, and --model smoothed was given none/],
      [['--model', 'hybrid', '--encoder-max-tokens', '64'], /--encoder-max-tokens applies to a sentence encoder, and --model hybrid was given none/],
      [['--model', 'sentence', '--encoder-max-tokens', '64'], /--model sentence needs --encoder/],
      [['--model', 'bow', '--encoder-max-tokens', '64'], /--encoder-max-tokens does not apply to --model bow/],
      [['--model', 'sentence', '--encoder', again, '--max-tokens', '8', '--encoder-max-tokens', '8'], /--max-tokens and --encoder-max-tokens both set the encoder's tokens of --model sentence: give one/],
    ];
    for (const [args, message] of early) {
      const x = await cli('text', 'train', '--train', join(dir, 'no-such.csv'), ...args, '--out', join(dir, 'never'));
      expect(x.code, args.join(' ')).toBe(2);
      expect(x.stderr, args.join(' ')).toMatch(message);
      expect(x.stderr, args.join(' ')).not.toMatch(/no-such\.csv/);
    }

    // Refused before any work.
    const refusals: Array<[string[], RegExp]> = [
      [['--model', 'smoothed', '--encoder-weight', '2'], /--encoder-weight applies to a sentence encoder, and --model smoothed was given none/],
      [['--model', 'hybrid', '--pooling', 'cls'], /--pooling applies to a sentence encoder, and --model hybrid was given none/],
      [['--model', 'hybrid', '--encoder', again, '--representation', 'sif'], /--encoder replaces the word-vector representation of --model hybrid: drop --representation/],
      [['--model', 'bow', '--encoder-weight', '2'], /--encoder-weight does not apply to --model bow/],
      [['--model', 'sentence', '--encoder', again, '--encoder-weight', '2'], /--encoder-weight does not apply to --model sentence/],
      [['--model', 'smoothed', '--encoder', again, '--encoder-weight', '0'], /--encoder-weight must be a number in \(0, 100\], got '0'/],
      // An upper bound: a weight of 1e20 trained a model that always said 1/K, 1e40 one that predicted NaN.
      [['--model', 'hybrid', '--encoder', again, '--encoder-weight', '1e20'], /--encoder-weight must be a number in \(0, 100\], got '1e20'/],
      [['--model', 'smoothed', '--encoder', again, '--encoder-weight', '101'], /--encoder-weight must be a number in \(0, 100\], got '101'/],
      [['--model', 'smoothed', '--encoder', join(dir, 'no-such-encoder'), '--vectors', vec], /no model folder at/],
    ];
    for (const [args, message] of refusals) {
      const x = await cli('text', 'train', '--train', join(dir, 'train.csv'), ...args, '--out', join(dir, 'never'));
      expect(x.code, args.join(' ')).not.toBe(0);
      expect(x.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('train refuses, before reading data or training, an --out bundle folder that holds files the bundle does not list', async () => {
    const out = join(dir, 'with-notes');
    expect((await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'bow', '--out', out)).code).toBe(0);
    await writeFile(join(out, 'notes.txt'), 'my notes');
    const again = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'bow', '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: refusing to write the text-classifier bundle to .*with-notes: the bundle there does not list its file 'notes.txt'/);
    expect(again.stderr).not.toMatch(/training 'bow'/);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('my notes');
  });

  it('predict --data and embed --data warn on stderr about bytes that are not UTF-8 (a Latin-1 file)', async () => {
    const out = join(dir, 'latin1-bow');
    expect((await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'bow', '--out', out)).code).toBe(0);
    const data = join(dir, 'latin1.txt');
    await writeFile(data, Buffer.concat([Buffer.from('fooda caf'), Buffer.from([0xe9]), Buffer.from('\nsporta\n')]));
    const p = await cli('text', 'predict', out, '--data', data, '--json');
    expect(p.code).toBe(0);
    expect(p.stderr).toMatch(/^warning: .*latin1\.txt: 1 byte sequence is not valid UTF-8 \(first on line 1\)/);
    expect(JSON.parse(p.stdout).predictions).toHaveLength(2);
    const e = await cli('text', 'embed', '--data', data, '--vectors', join(dir, 'toy.vec.txt'), '--out', join(dir, 'latin1.jsonl'), '--json');
    expect(e.code).toBe(0);
    expect(e.stderr).toMatch(/warning: .*latin1\.txt: 1 byte sequence is not valid UTF-8/);
  });

  it('embed writes document vectors that index build and query use, keyed by a column', async () => {
    const data = join(dir, 'docs.jsonl');
    const docs = toyCorpus({ n: 12, seed: 9 }).map((e, i) => ({ id: `doc${i}`, ...e }));
    await writeFile(data, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const out = join(dir, 'docs-vectors.jsonl');
    const e = await cli('text', 'embed', '--data', data, '--key-column', 'id', '--vectors', join(dir, 'toy.vec.txt'), '--representation', 'tfidf-mean', '--out', out, '--json');
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ out, count: 12, dim: 16, representation: 'tfidf-mean', empty: [] });
    const idx = join(dir, 'docs.idx');
    expect((await cli('index', 'build', out, '--out', idx, '--metric', 'cosine')).code).toBe(0);
    const q = await cli('index', 'query', idx, '--key', 'doc0', '-k', '3', '--json');
    expect(q.code).toBe(0);
    const hits = JSON.parse(q.stdout) as { key: string; metadata: { label: string } }[];
    // Nearest documents share doc0's topic (the corpus cycles through the three topics).
    expect(hits.map((h) => h.metadata.label)).toEqual([docs[0].label, docs[0].label, docs[0].label]);
    const text = await cli('text', 'embed', '--data', data, '--vectors', join(dir, 'toy.vec.txt'), '--out', join(dir, 'plain.jsonl'));
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/wrote 12 document vectors \(mean of .*toy\.vec\.txt, dim 16\)/);
    const same = await cli('text', 'embed', '--data', data, '--vectors', join(dir, 'toy.vec.txt'), '--out', data);
    expect(same.code).not.toBe(0);
    expect(same.stderr).toMatch(/--out .* is the --data input/);
    expect(JSON.parse((await readFile(data, 'utf8')).split('\n')[0]!)).toMatchObject({ id: 'doc0' }); // the data is untouched
    const bad = await cli('text', 'embed', '--data', data, '--key-column', 'nope', '--vectors', join(dir, 'toy.vec.txt'), '--out', join(dir, 'bad.jsonl'));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/no string or number field 'nope' \(the key\)/);
  });

  it('embed --encoder runs a transformers.js model folder; index build and query use its vectors', async () => {
    const model = toyEncoder(join(dir, 'toy-encoder'));
    const data = join(dir, 'enc-docs.jsonl');
    const docs = toyCorpus({ n: 12, seed: 9 }).map((e, i) => ({ id: `doc${i}`, ...e }));
    await writeFile(data, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const out = join(dir, 'enc-vectors.jsonl');
    const e = await cli('text', 'embed', '--data', data, '--key-column', 'id', '--encoder', model, '--out', out, '--json');
    expect(e.code).toBe(0);
    const summary = JSON.parse(e.stdout);
    expect(summary).toMatchObject({ out, count: 12, dim: 16, representation: 'sentence', empty: [], encoder: { name: 'toy-encoder/mean', source: model } });
    expect(summary.vectors).toBeUndefined();
    expect(summary.oov).toBeUndefined();
    const first = JSON.parse((await readFile(out, 'utf8')).split('\n')[0]!) as { key: string; vector: number[] };
    expect(first.key).toBe('doc0');
    expect(Math.hypot(...first.vector)).toBeCloseTo(1, 4);
    const idx = join(dir, 'enc-docs.idx');
    expect((await cli('index', 'build', out, '--out', idx, '--metric', 'cosine')).code).toBe(0);
    const q = await cli('index', 'query', idx, '--key', 'doc0', '-k', '3', '--json');
    const hits = JSON.parse(q.stdout) as { metadata: { label: string } }[];
    expect(hits.map((h) => h.metadata.label)).toEqual([docs[0].label, docs[0].label, docs[0].label]);
    const plain = await cli('text', 'embed', '--data', data, '--encoder', model, '--pooling', 'mean', '--max-tokens', '8', '--out', join(dir, 'enc-plain.jsonl'));
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/wrote 12 document vectors \(toy-encoder\/mean, dim 16\)/);
    // Options of the other kind of representation are refused, before any work.
    const mixed = await cli('text', 'embed', '--data', data, '--encoder', model, '--representation', 'sif', '--out', join(dir, 'never.jsonl'));
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--encoder replaces word vectors: drop --representation/);
    const pooling = await cli('text', 'embed', '--data', data, '--pooling', 'cls', '--out', join(dir, 'never.jsonl'));
    expect(pooling.code).toBe(2);
    expect(pooling.stderr).toMatch(/--pooling applies to a sentence encoder/);
    const full = await cli('text', 'embed', '--data', data, '--no-quantized', '--out', join(dir, 'never.jsonl'));
    expect(full.stderr).toMatch(/--no-quantized applies to a sentence encoder/);
    // --prefix goes before every text and into the recipe.
    const prefixed = await cli('text', 'embed', '--data', data, '--encoder', model, '--prefix', 'passage: ', '--query-prefix', 'query: ', '--no-quantized', '--out', join(dir, 'enc-prefixed.jsonl'), '--json');
    expect(prefixed.code).toBe(0);
    expect(JSON.parse(prefixed.stdout).recipe).toMatchObject({ kind: 'text-encoder', prefix: 'passage: ', queryPrefix: 'query: ', quantized: false });
    expect((await cli('index', 'build', join(dir, 'enc-prefixed.jsonl'), '--out', join(dir, 'enc-prefixed.idx'))).code).toBe(0);
    expect((await cli('index', 'info', join(dir, 'enc-prefixed.idx'))).stdout).toMatch(/recipe: +texts → sentence encoder .*, mean pooling, ≤ 512 tokens, full-precision ONNX, prefix "passage: ", query prefix "query: "/);
    const missing = await cli('text', 'embed', '--data', data, '--encoder', join(dir, 'no-such-model'), '--out', join(dir, 'never.jsonl'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no model folder at/);
  });

  it('index query --text embeds a new text with the recipe text embed wrote and index build saved', async () => {
    const data = join(dir, 'q-docs.jsonl');
    const docs = toyCorpus({ n: 12, seed: 9 }).map((e, i) => ({ id: `doc${i}`, ...e }));
    await writeFile(data, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const vecs = join(dir, 'toy.vec.txt');
    // Word vectors, mean: the recipe names the vectors by absolute path, so it works from anywhere.
    const out = join(dir, 'q-mean.jsonl');
    const e = await cli('text', 'embed', '--data', data, '--key-column', 'id', '--vectors', vecs, '--out', out, '--json');
    expect(JSON.parse(e.stdout)).toMatchObject({ recipe: { kind: 'text-vectors', vectors: vecs, representation: 'mean', dim: 16 }, recipeFile: `${out}.recipe.json` });
    const meanRecipe = JSON.parse(await readFile(`${out}.recipe.json`, 'utf8')).recipe;
    const idx = join(dir, 'q-mean.idx');
    const b = await cli('index', 'build', out, '--out', idx);
    expect(b.stderr).toMatch(/recipe: texts → mean of word vectors .*toy\.vec\.txt \(index query --text\)/);
    const q = await cli('index', 'query', idx, '--text', 'sportc sporte sportf the', '-k', '3', '--json');
    expect(q.code).toBe(0);
    expect((JSON.parse(q.stdout) as { metadata: { label: string } }[]).map((h) => h.metadata.label)).toEqual(['sport', 'sport', 'sport']);
    const none = await cli('index', 'query', idx, '--text', 'zzz qqq');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/error\[E_DATA\]: the query text has no direction .*none of its words has a vector/);
    expect((await cli('index', 'query', idx, '--image', join(dir, 'x.jpg'))).stderr).toMatch(/embeds texts → .*, not images[\s\S]*hint: query it with --text/);
    // A sentence encoder's recipe works the same way.
    const model = toyEncoder(join(dir, 'q-encoder'));
    const encOut = join(dir, 'q-enc.jsonl');
    expect((await cli('text', 'embed', '--data', data, '--key-column', 'id', '--encoder', model, '--out', encOut)).code).toBe(0);
    const encIdx = join(dir, 'q-enc.idx');
    expect((await cli('index', 'build', encOut, '--out', encIdx)).code).toBe(0);
    const eq = await cli('index', 'query', encIdx, '--text', 'techa techb', '-k', '2', '--json');
    expect((JSON.parse(eq.stdout) as { metadata: { label: string } }[]).map((h) => h.metadata.label)).toEqual(['tech', 'tech']);
    // tfidf-mean is fitted on the collection: no recipe, and a stale one from the earlier run is removed.
    const fitted = await cli('text', 'embed', '--data', data, '--vectors', vecs, '--representation', 'tfidf-mean', '--out', out);
    expect(fitted.stderr).toMatch(/note: no recipe for query texts: 'tfidf-mean' is fitted on the collection/);
    expect(existsSync(`${out}.recipe.json`)).toBe(false);
    const plainIdx = join(dir, 'q-tfidf.idx');
    expect((await cli('index', 'build', out, '--out', plainIdx)).code).toBe(0);
    expect((await cli('index', 'info', plainIdx)).stdout).toMatch(/recipe: +none/);
    const refused = await cli('index', 'query', plainIdx, '--text', 'fooda');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/has no embedding recipe[\s\S]*hint: query it with --key, --word .*or rebuild it from a JSONL with a recipe/);
    // --recipe names one explicitly (a bare recipe works too); malformed or mismatched ones are refused before building.
    const withRecipe = join(dir, 'q-explicit.idx');
    await writeFile(join(dir, 'r.json'), JSON.stringify(meanRecipe));
    expect((await cli('index', 'build', out, '--out', withRecipe, '--recipe', join(dir, 'r.json'))).code).toBe(0);
    await writeFile(join(dir, 'bad.json'), '[1, 2]');
    const bad = await cli('index', 'build', out, '--out', join(dir, 'never.idx'), '--recipe', join(dir, 'bad.json'));
    expect(bad.stderr).toMatch(/recipe file must hold a recipe/);
    await writeFile(join(dir, 'loose.json'), JSON.stringify({ ...meanRecipe, tokenizer: { lowercase: 'no' } }));
    const loose = await cli('index', 'build', out, '--out', join(dir, 'never.idx'), '--recipe', join(dir, 'loose.json'));
    expect(loose.stderr).toMatch(/not a usable recipe: tokenizer\.\w+ is missing/);
    await writeFile(join(dir, 'wide.json'), JSON.stringify({ ...meanRecipe, dim: 300 }));
    const wide = await cli('index', 'build', out, '--out', join(dir, 'never.idx'), '--recipe', join(dir, 'wide.json'));
    expect(wide.stderr).toMatch(/E_DIMENSION_MISMATCH/);
    // A sidecar written for another version of the JSONL is not used (here: the mean run's, beside a file rewritten since).
    const stale = join(dir, 'q-stale.jsonl');
    expect((await cli('text', 'embed', '--data', data, '--vectors', vecs, '--out', stale)).code).toBe(0);
    await writeFile(stale, await readFile(out, 'utf8')); // the tfidf-mean vectors, under the mean run's sidecar
    const staleBuild = await cli('index', 'build', stale, '--out', join(dir, 'q-stale.idx'));
    expect(staleBuild.code).toBe(0);
    expect(staleBuild.stderr).toMatch(/warning: .*q-stale\.jsonl\.recipe\.json not used: it was written for a \d+-byte q-stale\.jsonl/);
    expect((await cli('index', 'info', join(dir, 'q-stale.idx'))).stdout).toMatch(/recipe: +none/);
    // A sidecar without a fingerprint (older versions), or one that cannot be read, is skipped with a warning: the build goes on.
    await writeFile(`${stale}.recipe.json`, JSON.stringify(meanRecipe));
    const bare = await cli('index', 'build', stale, '--out', join(dir, 'q-bare.idx'));
    expect(bare.code).toBe(0);
    expect(bare.stderr).toMatch(/not used: it records no fingerprint/);
    await writeFile(`${stale}.recipe.json`, '{broken');
    const corrupt = await cli('index', 'build', stale, '--out', join(dir, 'q-corrupt.idx'));
    expect(corrupt.code).toBe(0);
    expect(corrupt.stderr).toMatch(/not used: .*recipe file is not valid JSON/);
    // Embeddings JSONL named otherwise (docs.json) is recognised by its first line.
    const named = join(dir, 'q-named.json');
    await writeFile(named, await readFile(out, 'utf8'));
    const namedBuild = await cli('index', 'build', named, '--out', join(dir, 'q-named.idx'), '--json');
    expect(namedBuild.code, namedBuild.stderr).toBe(0);
    expect(JSON.parse(namedBuild.stdout)).toMatchObject({ source: 'jsonl', count: 12 });
    // An index built from word vectors gets their mean as its recipe: a text finds words near it.
    const words = join(dir, 'q-words.idx');
    expect((await cli('index', 'build', vecs, '--out', words)).stderr).toMatch(/recipe: texts → mean of word vectors/);
    const near = await cli('index', 'query', words, '--text', 'fooda foodb', '-k', '3', '--json');
    expect((JSON.parse(near.stdout) as { key: string }[]).every((h) => h.key.startsWith('food'))).toBe(true);
  });

  it('train and embed say on stderr what loading the vectors noticed (here: a corrupt cache, rebuilt)', async () => {
    const { loadVectors } = await import('../../text/vectors/index.js');
    const vecs = join(dir, 'noticed.vec.txt');
    await writeFile(vecs, gloveText(toyVectors()));
    const corrupt = async () => {
      const cacheFile = (await loadVectors(vecs)).origin.cacheFile!;
      const bytes = await readFile(cacheFile);
      bytes[bytes.length - 5] ^= 0x40;
      await writeFile(cacheFile, bytes);
    };
    await corrupt();
    const t = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--vectors', vecs, '--model', 'mean', '--epochs', '1', '--out', join(dir, 'noticed-model'), '--json');
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/warning: .*corrupt cache/);
    await corrupt();
    const e = await cli('text', 'embed', '--data', join(dir, 'train.csv'), '--vectors', vecs, '--out', join(dir, 'noticed.jsonl'));
    expect(e.code).toBe(0);
    expect(e.stderr).toMatch(/warning: .*corrupt cache/);
  });
});

describe('--encoder-chunks (use-lite: a long text as the mean over windows)', () => {
  const FOOD = 'I baked fresh bread this morning and the soup needed more salt and pepper before dinner.';
  const SPORT = 'The team won the football match after she scored a goal in the final minute of the game.';
  const long = (s: string, times: number) => Array.from({ length: times }, () => s).join(' ');
  const rows = [
    { text: long(FOOD, 12), label: 'food' },
    { text: 'We had pasta with tomato sauce.', label: 'food' },
    { text: `${FOOD} ${long(FOOD, 10)}`, label: 'food' },
    { text: long(SPORT, 12), label: 'sport' },
    { text: 'The referee showed a red card.', label: 'sport' },
    { text: `${SPORT} ${long(SPORT, 10)}`, label: 'sport' },
  ];
  let data: string;
  beforeAll(async () => {
    data = join(dir, 'long.csv');
    await writeFile(data, csv(rows));
  });

  it('text train --model hybrid --encoder use-lite --encoder-chunks 2 stores chunks in the bundle and says so', async () => {
    const out = join(dir, 'chunks-bundle');
    const t = await cli('text', 'train', '--train', data, '--model', 'hybrid', '--encoder', 'use-lite', '--encoder-chunks', '2', '--out', out);
    expect(t.stderr).not.toMatch(/error/);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/sentence encoder: use-lite \(use-lite\), dim 512, a text as the mean of up to 2 windows of 128 pieces; stored in the bundle/);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.encoder).toMatchObject({ family: 'use-lite', maxTokens: 128, chunks: 2 });
    expect(manifest.extra.spec.sentence).toEqual({ model: 'use-lite', chunks: 2 });
    const p = await cli('text', 'predict', out, long(SPORT, 5), '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).predictions[0].top[0].label).toBe('sport');
  });

  it('text train --model hybrid --encoder use-lite --max-tokens 500 caps the TF-IDF tokenizer (not the encoder) again; --encoder-max-tokens reaches use-lite', async () => {
    const out = join(dir, 'use-lite-max-tokens');
    const t = await cli('text', 'train', '--train', data, '--model', 'hybrid', '--encoder', 'use-lite', '--max-tokens', '500', '--out', out, '--json');
    expect(t.code, t.stderr).toBe(0);
    const r = JSON.parse(t.stdout);
    expect(r.model.sentence).toEqual({ model: 'use-lite' });
    expect(r.sentenceEncoder).toMatchObject({ family: 'use-lite', maxTokens: 128 });
    expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')).preprocessing.tokenizer.maxTokens).toBe(500);
    const both = await cli('text', 'train', '--train', data, '--model', 'hybrid', '--encoder', 'use-lite', '--max-tokens', '0', '--encoder-max-tokens', '64', '--out', out, '--json');
    expect(both.code, both.stderr).toBe(0);
    expect(JSON.parse(both.stdout).sentenceEncoder).toMatchObject({ family: 'use-lite', maxTokens: 64 });
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.preprocessing.tokenizer.maxTokens).toBe(0);
    expect(manifest.encoder).toMatchObject({ family: 'use-lite', maxTokens: 64 });
  });

  it('text embed --encoder use-lite --encoder-chunks 2 records chunks in the recipe', async () => {
    const out = join(dir, 'chunks.jsonl');
    const e = await cli('text', 'embed', '--data', data, '--encoder', 'use-lite', '--encoder-chunks', '2', '--out', out);
    expect(e.code).toBe(0);
    expect(e.stderr).toMatch(/wrote 6 document vectors \(use-lite, mean of up to 2 windows of 128 pieces, dim 512\)/);
    const recipe = JSON.parse(await readFile(`${out}.recipe.json`, 'utf8'));
    expect(recipe.recipe).toMatchObject({ kind: 'text-encoder', family: 'use-lite', model: 'use-lite', maxTokens: 128, chunks: 2, dim: 512 });
  });

  it('is refused without --encoder, with a transformers.js encoder, with a model kind without encoder, and out of 1..64', async () => {
    const model = toyEncoder(join(dir, 'chunks-toy-encoder'));
    const refusals: Array<[string[], RegExp]> = [
      [['text', 'embed', '--data', data, '--encoder-chunks', '2', '--out', join(dir, 'never.jsonl')], /--encoder-chunks applies to a sentence encoder/],
      [['text', 'embed', '--data', data, '--encoder', model, '--encoder-chunks', '2', '--out', join(dir, 'never.jsonl')], /--encoder-chunks applies to use-lite \(the Universal Sentence Encoder lite\), not to the transformers\.js model/],
      [['text', 'train', '--train', data, '--model', 'smoothed', '--encoder-chunks', '2', '--out', join(dir, 'never')], /--encoder-chunks applies to a sentence encoder, and --model smoothed was given none/],
      [['text', 'train', '--train', data, '--model', 'bow', '--encoder-chunks', '2', '--out', join(dir, 'never')], /--encoder-chunks does not apply to --model bow/],
      [['text', 'train', '--train', data, '--model', 'sentence', '--encoder', model, '--encoder-chunks', '2', '--out', join(dir, 'never')], /--encoder-chunks applies to use-lite .*not to the transformers\.js model/],
      [['text', 'train', '--train', data, '--model', 'hybrid', '--encoder', 'use-lite', '--encoder-chunks', '0', '--out', join(dir, 'never')], /--encoder-chunks must be an integer in \[1, 64\], got '0'/],
      [['text', 'embed', '--data', data, '--encoder', 'use-lite', '--encoder-chunks', '65', '--out', join(dir, 'never.jsonl')], /--encoder-chunks must be an integer in \[1, 64\], got '65'/],
    ];
    for (const [args, message] of refusals) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(existsSync(join(dir, 'never.jsonl'))).toBe(false);
  });
});
