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

export const DEMO_JOBS = ['vectors', 'index', 'text', 'vision'] as const;
type DemoJob = (typeof DEMO_JOBS)[number];

interface DemoOptions {
  only?: string;
  json?: boolean;
  indexWords: number;
}

function parseJobs(only: string | undefined): DemoJob[] {
  if (!only) return [...DEMO_JOBS];
  const jobs = only.split(',').map((s) => s.trim()).filter(Boolean);
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
        'index with measured recall, a spam classifier from pretrained vectors, an image classifier from MobileNetV2',
    )
    .option('--only <jobs>', `comma-separated subset of: ${DEMO_JOBS.join(', ')}`)
    .option('--index-words <n>', 'words indexed by the index demo', intOption('--index-words', 100), 20_000)
    .option('--json', 'print the results as JSON')
    .action(async (opts: DemoOptions) => {
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
        const { buildIndex } = await import('../../../embeddings/index.js');
        const t = performance.now();
        const { index, tuning } = buildIndex({
          keys: wv.words.slice(0, n),
          matrix: wv.matrix.subarray(0, n * wv.dim),
          dim: wv.dim,
          kind: 'hnsw',
          metric: 'cosine',
          tune: { target: 0.95, k: 10, queries: 200 },
          progress: ctx.progress(opts.json),
        });
        const buildSeconds = seconds(t);
        const hits = index.query(wv.get('paris', { oov: 'throw' })!, { k: 5, exclude: ['paris'] });
        say(`built in ${buildSeconds.toFixed(1)} s; ef tuned to ${tuning?.ef} for recall@10 ${tuning?.recall.toFixed(3)} on 200 held-out words (${Math.round(tuning?.qps ?? 0)} queries/s)`);
        say(`nearest to paris: ${hits.map((h) => h.key).join(', ')}`);
        results.index = { words: n, buildSeconds, ef: tuning?.ef, recallAt10: tuning?.recall, qps: tuning?.qps, paris: hits.map((h) => h.key) };
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
        say(`done in ${r.seconds.total.toFixed(1)} s`);
        results.vision = r;
      }

      if (opts.json) ctx.printJson(results);
    });
}
