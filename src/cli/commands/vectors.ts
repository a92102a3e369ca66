/**
 * `transferkit vectors …`: inspect, query, convert and evaluate word vectors.
 * `<source>` is a file path or a bundled short name (`transferkit vectors list`).
 */
import { Option, type Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { checkOutputFile, refuseInputAsOutput } from '../../io/output.js';
import type { AnalogyScore, LoadVectorsOptions, Neighbor, VectorFormat, WordVectors, WritableFormat } from '../../../text/vectors/index.js';
import { VECTOR_FORMAT_CHOICES, WRITABLE_FORMAT_CHOICES } from '../choices.js';
import type { CliContext } from '../context.js';
import { loadVectorsNoting } from '../load-vectors.js';
import { intOption } from '../parse.js';

/** The word-vectors module, loaded when a vectors command runs (not at CLI start-up). */
const wordVectors = () => import('../../../text/vectors/index.js');

/** `--unicode-errors`: what to do with invalid UTF-8 in words (loadVectors' unicodeErrors). */
export const UNICODE_ERRORS = ['strict', 'replace'] as const;

interface SourceOptions {
  format?: VectorFormat;
  unicodeErrors?: (typeof UNICODE_ERRORS)[number];
  limit?: number;
  cache?: boolean;
  json?: boolean;
}

/** Options every sub-command that loads vectors accepts. */
function sourceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'file format (default: detected from content)').choices(VECTOR_FORMAT_CHOICES))
    .option('--limit <n>', 'keep only the first N words', intOption('--limit'))
    .option('--no-cache', 'neither read nor write the binary cache')
    .addOption(new Option('--unicode-errors <mode>', 'invalid UTF-8 in a word: strict (an error naming the place) or replace (U+FFFD)').choices(UNICODE_ERRORS));
}

async function load(ctx: CliContext, source: string, opts: SourceOptions): Promise<WordVectors> {
  const options: LoadVectorsOptions = { format: opts.format, limit: opts.limit, cache: opts.cache, unicodeErrors: opts.unicodeErrors, progress: ctx.progress(opts.json) };
  return loadVectorsNoting(ctx, source, options);
}

/** `--index <dir>`: answer nearest-neighbour queries with a saved index (e.g. HNSW from `transferkit index build`). */
async function plugIndex(ctx: CliContext, wv: WordVectors, dir: string | undefined): Promise<void> {
  if (!dir) return;
  const { loadIndex } = await import('../../../embeddings/index.js');
  const index = await loadIndex(dir, { dim: wv.dim, metric: 'cosine' });
  if (index.size !== wv.size) ctx.note(`note: the index holds ${index.size} items, the vectors ${wv.size} words`);
  wv.useIndex(index, { name: dir });
}

function printNeighbors(ctx: CliContext, hits: Neighbor[], json: boolean | undefined): void {
  const rounded = hits.map((h) => ({ word: h.word, score: Number(h.score.toFixed(6)) }));
  if (json) return ctx.printJson(rounded);
  const width = hits.reduce((w, h) => Math.max(w, h.word.length), 4);
  for (const h of rounded) ctx.print(`${h.word.padEnd(width)}  ${h.score.toFixed(4)}`);
}

export function registerVectors(program: Command, ctx: CliContext): void {
  const vectors = program.command('vectors').description('pretrained word vectors: inspect, query, convert, evaluate');

  vectors
    .command('list')
    .description('list the bundled vector sets (usable as <source>)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { BUNDLED_VECTORS } = await wordVectors();
      if (opts.json) return ctx.printJson(BUNDLED_VECTORS);
      for (const b of BUNDLED_VECTORS) ctx.print(`${b.name}  ${b.size} × ${b.dim}  ${b.description}`);
    });

  sourceOptions(
    vectors
      .command('info')
      .description('vocabulary size, dimension, format, cache')
      .argument('<source>', 'file path or bundled name')
      .option('--json', 'print as JSON'),
  ).action(async (source: string, opts: SourceOptions) => {
    const t0 = performance.now();
    const wv = await load(ctx, source, opts);
    const ms = Math.round(performance.now() - t0);
    const o = wv.origin;
    const info = {
      source,
      file: o.file,
      format: o.format,
      words: wv.size,
      dim: wv.dim,
      duplicatesDropped: o.duplicates,
      fromCache: o.fromCache,
      cacheFile: o.cacheFile ?? null,
      loadMs: ms,
      first: wv.words.slice(0, 10),
    };
    if (opts.json) return ctx.printJson(info);
    ctx.print(`source:    ${source}${o.file !== source ? ` (${o.file})` : ''}`);
    ctx.print(`format:    ${o.format}`);
    ctx.print(`words:     ${wv.size}`);
    ctx.print(`dim:       ${wv.dim}`);
    if (o.duplicates) ctx.print(`dropped:   ${o.duplicates} duplicate word(s)`);
    ctx.print(`loaded in: ${ms} ms ${o.fromCache ? 'from the cache' : 'from the source'}${o.cacheFile ? ` (${o.cacheFile})` : ''}`);
    ctx.print(`first:     ${info.first.join(' ')}`);
  });

  sourceOptions(
    vectors
      .command('neighbors')
      .alias('neighbours')
      .description('most similar words (cosine), query word excluded')
      .argument('<source>', 'file path or bundled name')
      .argument('<word>', 'query word')
      .option('-k, --k <n>', 'number of neighbours', intOption('-k'), 10)
      .option('--index <dir>', 'answer with a saved index (e.g. HNSW) instead of exact search')
      .option('--json', 'print [{word, score}] as JSON'),
  ).action(async (source: string, word: string, opts: SourceOptions & { k: number; index?: string }) => {
    const wv = await load(ctx, source, opts);
    await plugIndex(ctx, wv, opts.index);
    printNeighbors(ctx, wv.mostSimilar(word, opts.k), opts.json);
  });

  sourceOptions(
    vectors
      .command('analogy')
      .description('a is to b as c is to ? (a, b, c excluded from the answers)')
      .argument('<source>', 'file path or bundled name')
      .argument('<a>', "first word of the pair, e.g. 'man'")
      .argument('<b>', "second word of the pair, e.g. 'king'")
      .argument('<c>', "the word to complete the analogy for, e.g. 'woman' (→ queen)")
      .option('-k, --k <n>', 'number of answers', intOption('-k'), 5)
      .addOption(new Option('--method <method>', '3CosAdd (add) or 3CosMul (mul)').choices(['add', 'mul']).default('add'))
      .option('--index <dir>', 'answer 3CosAdd with a saved index (e.g. HNSW) instead of exact search')
      .option('--json', 'print [{word, score}] as JSON'),
  ).action(async (source: string, a: string, b: string, c: string, opts: SourceOptions & { k: number; method: 'add' | 'mul'; index?: string }) => {
    if (opts.index && opts.method === 'mul') {
      throw new InvalidArgumentError('--index serves 3CosAdd only; 3CosMul scores every word exactly', {
        hint: 'drop --index to use --method mul (exact search), or drop --method mul to answer 3CosAdd with the index',
      });
    }
    const wv = await load(ctx, source, opts);
    await plugIndex(ctx, wv, opts.index);
    printNeighbors(ctx, wv.analogy(a, b, c, { method: opts.method, topn: opts.k }), opts.json);
  });

  sourceOptions(
    vectors
      .command('similarity')
      .description('cosine similarity of two words (gensim similarity)')
      .argument('<source>', 'file path or bundled name')
      .argument('<word1>', 'first word')
      .argument('<word2>', 'second word')
      .option('--json', 'print {word1, word2, similarity} as JSON'),
  ).action(async (source: string, word1: string, word2: string, opts: SourceOptions) => {
    const wv = await load(ctx, source, opts);
    const similarity = Number(wv.similarity(word1, word2).toFixed(6));
    if (opts.json) return ctx.printJson({ word1, word2, similarity });
    ctx.print(similarity.toFixed(4));
  });

  sourceOptions(
    vectors
      .command('doesnt-match')
      .description('the word that fits least with the others (gensim doesnt_match); unknown words are ignored, with a note')
      .argument('<source>', 'file path or bundled name')
      .argument('<words...>', 'at least three words, e.g. breakfast cereal dinner lunch')
      .option('--json', 'print {odd, ignored} as JSON'),
  ).action(async (source: string, words: string[], opts: SourceOptions) => {
    if (words.length < 3) {
      throw new InvalidArgumentError(`doesnt-match needs at least three words, got ${words.length}`, {
        hint: "give the candidates after the source, e.g. 'vectors doesnt-match glove-wink-100d breakfast cereal dinner lunch'",
      });
    }
    const wv = await load(ctx, source, opts);
    const ignored = words.filter((w) => !wv.has(w));
    const known = words.length - ignored.length;
    if (known < 3 && known > 0) {
      // With two words left, each is as far from the other as the other is from it: no odd one out.
      throw new InvalidArgumentError(`doesnt-match needs at least three words in the vocabulary, got ${known} (not in it: ${ignored.join(', ')})`, {
        hint: 'check case and spelling, or add candidates',
      });
    }
    const odd = wv.doesntMatch(words);
    if (opts.json) return ctx.printJson({ odd, ignored });
    if (ignored.length > 0) ctx.note(`note: not in the vocabulary, ignored: ${ignored.join(', ')}`);
    ctx.print(odd);
  });

  sourceOptions(
    vectors
      .command('convert')
      .description('write the vectors in another format (atomically)')
      .argument('<source>', 'file path or bundled name')
      .argument('<out>', 'output file')
      .addOption(new Option('--to <format>', 'output format').choices(WRITABLE_FORMAT_CHOICES).makeOptionMandatory()),
  ).action(async (source: string, out: string, opts: SourceOptions & { to: WritableFormat }) => {
    await checkOutputFile(out);
    await refuseInputAsOutput({ flag: '<out>', path: out, kind: 'file' }, { '<source>': source });
    const wv = await load(ctx, source, opts);
    const { saveVectors } = await wordVectors();
    await saveVectors(wv, out, opts.to, { progress: ctx.progress() });
    ctx.note(`wrote ${wv.size} × ${wv.dim} vectors as ${opts.to} to ${out}`);
  });

  sourceOptions(
    vectors
      .command('evaluate')
      .description('analogy accuracy (questions-words.txt format) or word-pair Spearman ρ (give --analogies or --pairs)')
      .argument('<source>', 'file path or bundled name')
      .option('--analogies <file>', 'questions-words.txt-format file')
      .option('--pairs <file>', "'word1 word2 score' file (e.g. WordSim-353, SimLex-999)")
      .option('--restrict <n>', 'only the first N words count as vocabulary (gensim default 300000)', intOption('--restrict'), 300_000)
      .addOption(new Option('--method <method>', 'analogy method').choices(['add', 'mul']).default('add'))
      .option('--case-sensitive', 'compare words case-sensitively (default: case-insensitive, as gensim)')
      .option('--json', 'print as JSON'),
  ).action(
    async (
      source: string,
      opts: SourceOptions & { analogies?: string; pairs?: string; restrict: number; method: 'add' | 'mul'; caseSensitive?: boolean },
    ) => {
      if (!opts.analogies === !opts.pairs) {
        throw new InvalidArgumentError(`give exactly one of --analogies <file> or --pairs <file>${opts.analogies ? ' (got both)' : ''}`, {
          hint: `e.g. 'vectors evaluate ${source} --analogies questions-words.txt' or '--pairs wordsim353.txt' (run each separately)`,
        });
      }
      const wv = await load(ctx, source, opts);
      const common = { restrictVocab: opts.restrict, caseInsensitive: !opts.caseSensitive, progress: ctx.progress(opts.json) };
      if (opts.analogies) {
        const r = await wv.evaluateAnalogies(opts.analogies, { ...common, method: opts.method });
        // A section with no answerable question (all OOV) has no accuracy: n/a, and null in JSON
        // (the library reports 0 there, as gensim does; correct + incorrect = 0 tells them apart).
        const answerable = (s: AnalogyScore) => s.correct + s.incorrect > 0;
        if (opts.json) {
          const score = (s: AnalogyScore) => ({ ...s, accuracy: answerable(s) ? s.accuracy : null });
          return ctx.printJson({ ...r, sections: r.sections.map(score), total: score(r.total) });
        }
        const width = r.sections.reduce((w, s) => Math.max(w, s.section.length), 7);
        for (const s of [...r.sections, r.total]) {
          const n = s.correct + s.incorrect;
          const accuracy = answerable(s) ? `${(100 * s.accuracy).toFixed(1).padStart(5)}%` : '   n/a';
          ctx.print(`${s.section.padEnd(width)}  ${accuracy}  (${s.correct}/${n}, ${s.oov} OOV)`);
        }
        ctx.print(`OOV questions: ${r.total.oov} (${(100 * r.oovRatio).toFixed(1)}%)`);
        return;
      }
      const r = await wv.evaluateWordPairs(opts.pairs!, common);
      // Undefined correlations (fewer than two pairs, or constant scores) are NaN: n/a here, null in JSON.
      if (opts.json) return ctx.printJson(r);
      const corr = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
      ctx.print(`spearman: ${corr(r.spearman)}`);
      ctx.print(`pearson:  ${corr(r.pearson)}`);
      ctx.print(`pairs:    ${r.pairs} (${r.oov} OOV, ${(100 * r.oovRatio).toFixed(1)}%)`);
    },
  );
}
