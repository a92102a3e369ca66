/**
 * `transferkit demo`: the toolkit's jobs end to end on what `npm ci` installed —
 * the bundled GloVe-derived vectors, the SpamAssassin corpus, the MobileNetV2
 * shipped by nsfwjs. Nothing is downloaded.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { WordVectors } from '../../../text/vectors/index.js';
import type { CliContext } from '../context.js';
import { intOption } from '../parse.js';
import { TUNE_HELP_DEFAULTS } from './index-cmd.js';

export const DEMO_JOBS = ['vectors', 'index', 'search', 'text', 'vision'] as const;
type DemoJob = (typeof DEMO_JOBS)[number];

interface DemoOptions {
  only?: string;
  json?: boolean;
  indexWords: number;
}

/**
 * Fewest words the index demo indexes: it queries 'paris' (the 967th most frequent
 * word of the bundled vectors) and holds HELD_OUT_WORDS of them back to tune ef on.
 */
export const MIN_INDEX_WORDS = 1000;
/** Indexed words held back as unseen queries when tuning ef: buildIndex's default (the demo tunes with `tune: true`). */
const HELD_OUT_WORDS = TUNE_HELP_DEFAULTS.queries;

function indexWordsOption(value: string): number {
  const n = Number(value);
  if (Number.isInteger(n) && n < MIN_INDEX_WORDS) {
    throw new InvalidArgumentError(`--index-words must be an integer ≥ ${MIN_INDEX_WORDS}, got '${value}'`, {
      hint: `the index demo holds ${HELD_OUT_WORDS} of the indexed words back to tune ef on, and looks up the neighbours of 'paris' (word 967 by frequency); use --index-words ${MIN_INDEX_WORDS} or more`,
    });
  }
  return intOption('--index-words', MIN_INDEX_WORDS)(value);
}

function parseJobs(only: string | undefined): DemoJob[] {
  if (only === undefined) return [...DEMO_JOBS];
  const jobs = only.split(',').map((s) => s.trim()).filter(Boolean);
  if (jobs.length === 0) {
    throw new InvalidArgumentError(`--only names no demo job (got '${only}')`, { hint: `give a comma-separated list of: ${DEMO_JOBS.join(', ')} (or leave --only out to run them all)` });
  }
  for (const j of jobs) {
    if (!(DEMO_JOBS as readonly string[]).includes(j)) {
      throw new InvalidArgumentError(`unknown demo job '${j}'`, { hint: `use any of: ${DEMO_JOBS.join(', ')}` });
    }
  }
  return jobs as DemoJob[];
}

const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const seconds = (since: number) => (performance.now() - since) / 1000;

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'run the jobs end to end on embedded defaults, with no downloads: word-vector queries, a nearest-neighbour ' +
        'index with measured recall, e-mails searched by a new text, a spam classifier from pretrained vectors, an image classifier from MobileNetV2',
    )
    .option('--only <jobs>', `comma-separated subset of: ${DEMO_JOBS.join(', ')}`)
    .option('--index-words <n>', `words indexed by the index demo (at least ${MIN_INDEX_WORDS})`, indexWordsOption, 20_000)
    .option('--json', 'print the results as JSON')
    .action(async (opts: DemoOptions) => {
      const started = performance.now();
      const jobs = parseJobs(opts.only);
      const engine = await ctx.engine();
      const say = (line: string) => (opts.json ? undefined : ctx.print(line));
      const results: Record<string, unknown> = { backend: engine.backend };
      say(`transferkit demo — backend ${engine.backend} (${engine.why})`);
      let vectors: WordVectors | undefined;
      const needVectors = async () => {
        if (!vectors) {
          const { DEFAULT_VECTORS, loadVectors } = await import('../../../text/vectors/index.js');
          const t = performance.now();
          vectors = await loadVectors(DEFAULT_VECTORS, { progress: ctx.progress(opts.json) });
          say(`\nloaded ${DEFAULT_VECTORS}: ${vectors.size.toLocaleString('en')} words × ${vectors.dim} in ${seconds(t).toFixed(2)} s${vectors.origin.fromCache ? ' (from cache)' : ' (first load: cache written)'}`);
        }
        return vectors;
      };

      if (jobs.includes('vectors')) {
        const wv = await needVectors();
        say('\n== word vectors ==');
        const king = wv.mostSimilar('king', 5);
        const queen = wv.analogy('man', 'king', 'woman', { topn: 1 })[0];
        const rome = wv.analogy('france', 'paris', 'italy', { topn: 1 })[0];
        say(`neighbours of king: ${king.map((n) => `${n.word} ${n.score.toFixed(3)}`).join(', ')}`);
        say(`man : king :: woman : ${queen.word} (${queen.score.toFixed(3)})`);
        say(`france : paris :: italy : ${rome.word} (${rome.score.toFixed(3)})`);
        results.vectors = { neighbours: king, analogies: { 'man:king::woman': queen, 'france:paris::italy': rome } };
      }

      if (jobs.includes('index')) {
        const wv = await needVectors();
        const n = Math.min(opts.indexWords, wv.size);
        say(`\n== nearest-neighbour index (HNSW over the ${n.toLocaleString('en')} most frequent words) ==`);
        const { buildIndex, TUNE_DEFAULTS } = await import('../../../embeddings/index.js');
        const t = performance.now();
        const { index, tuning } = buildIndex({
          keys: wv.words.slice(0, n),
          matrix: wv.matrix.subarray(0, n * wv.dim),
          dim: wv.dim,
          kind: 'hnsw',
          metric: 'cosine',
          tune: true, // buildIndex's TUNE_DEFAULTS: its target recall, k and held-out words
          progress: ctx.progress(opts.json),
        });
        const buildSeconds = seconds(t);
        const hits = index.query(wv.get('paris', { oov: 'throw' })!, { k: 5, exclude: ['paris'] });
        say(`built in ${buildSeconds.toFixed(1)} s; ef tuned to ${tuning?.ef} for recall@${TUNE_DEFAULTS.k} ${tuning?.recall.toFixed(3)} on ${tuning?.queries} held-out words (${Math.round(tuning?.qps ?? 0)} queries/s)`);
        say(`nearest to paris: ${hits.map((h) => h.key).join(', ')}`);
        results.index = { words: n, heldOut: tuning?.queries, buildSeconds, ef: tuning?.ef, recallAt10: tuning?.recall, qps: tuning?.qps, paris: hits.map((h) => h.key) };
      }

      if (jobs.includes('search')) {
        say('\n== document search (SpamAssassin e-mails, mean of GloVe, exact cosine index, queried by new texts) ==');
        const { runSearchDemo } = await import('../../../text/classify/index.js');
        const r = await runSearchDemo({ vectors: await needVectors() });
        say(`embedded ${r.documents} e-mails (dim ${r.dim}) in ${r.embedSeconds.toFixed(1)} s; an e-mail's nearest other e-mail has its label ${pct(r.neighbourLabelAgreement)} of the time`);
        for (const q of r.queries) {
          say(`"${q.text}":`);
          for (const h of q.hits) say(`  ${h.score.toFixed(3)} [${h.label}] ${h.subject.replace(/\s+/g, ' ').slice(0, 70)}`);
        }
        results.search = r;
      }

      if (jobs.includes('text')) {
        say('\n== text classifier from pretrained vectors (SpamAssassin) ==');
        const { runTextDemo } = await import('../../../text/classify/index.js');
        const r = await runTextDemo({ progress: ctx.progress(opts.json) });
        say(`${r.dataset}: trained on ${r.trainTexts}, tested on ${r.testTexts}`);
        say(`model ${JSON.stringify(r.model)} with ${r.vectors}: accuracy ${pct(r.accuracy)}, macro-F1 ${pct(r.macroF1)}, training ${r.trainSeconds.toFixed(1)} s`);
        for (const e of r.examples) say(`  [${e.label}] → ${e.prediction.label} (${pct(e.prediction.score)}): ${e.text.replace(/\s+/g, ' ').slice(0, 70)}…`);
        results.text = { ...r, report: undefined };
      }

      if (jobs.includes('vision')) {
        say('\n== image classifier from a pretrained CNN (feature extraction) ==');
        const { runVisionDemo } = await import('../../../vision/index.js');
        const r = await runVisionDemo({ write: (line) => say(line) });
        results.vision = r;
      }

      // The whole run (engine start-up, loading vectors and every job), not the last job's.
      const total = seconds(started);
      results.seconds = total;
      say(`\ndone in ${total.toFixed(1)} s`);
      if (opts.json) ctx.printJson(results);
    });
}
