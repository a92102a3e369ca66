/**
 * `transferkit index …`: build, query, inspect and evaluate nearest-neighbour
 * indexes saved as directories (see docs/index.md).
 */
import { extname } from 'node:path';
import type { Command } from 'commander';
import type { EmbeddingRecipe, EmbeddingsTable, Metric, SearchHit, TUNE_DEFAULTS } from '../../../embeddings/index.js';
import type { TextEmbeddingRecipe } from '../../../text/classify/index.js';
import type { WordVectors } from '../../../text/vectors/index.js';
import type { ImageEmbeddingRecipe } from '../../../vision/index.js';
import { DataError, DimensionMismatchError, InvalidArgumentError, KeyNotFoundError } from '../../errors.js';
import type { Progress } from '../../progress.js';
import { checkOutputDir } from '../../io/output.js';
import { HNSW_DEFAULTS, METRIC_CHOICES } from '../choices.js';
import type { CliContext } from '../context.js';
import { choiceOption, fractionOption, intOption, MAX_SEED } from '../parse.js';

/** The embeddings module, loaded when an index command runs (not at CLI start-up). */
const embeddings = () => import('../../../embeddings/index.js');

/**
 * buildIndex's ef-tuning defaults (embeddings TUNE_DEFAULTS), for --help: start-up loads no embeddings
 * module. `satisfies` makes tsc refuse any value that differs from the library's (and
 * test/cli/choices.test.ts compares them); the build passes none of them but --target.
 */
export const TUNE_HELP_DEFAULTS = { target: 0.95, k: 10, queries: 200 } as const satisfies Pick<typeof TUNE_DEFAULTS, 'target' | 'k' | 'queries'>;

const JSONL_EXTENSIONS = ['.jsonl', '.ndjson'];
const INPUT_FORMATS = ['auto', 'vectors', 'jsonl'] as const;
const KINDS = ['auto', 'hnsw', 'exact'] as const;

interface BuildOpts {
  out: string;
  metric: Metric;
  M: number;
  efConstruction: number;
  ef?: number;
  kind: (typeof KINDS)[number];
  input: (typeof INPUT_FORMATS)[number];
  limit?: number;
  tune?: boolean;
  target: number;
  recipe?: string;
  unicodeErrors?: 'strict' | 'replace';
  json?: boolean;
}

/** Whether a file of another extension starts like embeddings JSONL: a first line that is an object with "key" and "vector". */
async function looksLikeEmbeddingsJsonl(source: string): Promise<boolean> {
  const { open } = await import('node:fs/promises');
  const handle = await open(source, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').trimStart();
    const first = head.split('\n')[0];
    return first.startsWith('{') && /"key"\s*:/.test(first) && /"vector"\s*:\s*\[/.test(head);
  } finally {
    await handle.close();
  }
}

/** Keys + matrix from a JSONL embeddings file or a word-vectors source (file or bundled name). */
async function readSource(source: string, opts: BuildOpts, progress: Progress): Promise<EmbeddingsTable & { from: string; wordVectors?: WordVectors }> {
  const jsonl = opts.input === 'jsonl' || (opts.input === 'auto' && (JSONL_EXTENSIONS.includes(extname(source).toLowerCase()) || (await looksLikeEmbeddingsJsonl(source))));
  if (jsonl) {
    const { readEmbeddingsJsonl } = await embeddings();
    return { ...(await readEmbeddingsJsonl(source, { limit: opts.limit, progress })), from: 'jsonl' };
  }
  const { loadVectors } = await import('../../../text/vectors/index.js');
  let wv: WordVectors;
  try {
    wv = await loadVectors(source, { limit: opts.limit, progress, unicodeErrors: opts.unicodeErrors });
  } catch (e) {
    // --input vectors on a JSONL embeddings file: the word-vector readers' own hints would mislead.
    if (opts.input === 'vectors' && (await looksLikeEmbeddingsJsonl(source))) {
      throw new InvalidArgumentError(`${source} looks like JSONL embeddings ({"key": …, "vector": […]} per line), not word vectors, which --input vectors reads`, {
        hint: 'drop --input vectors (auto reads it as JSONL), or give --input jsonl',
        cause: e,
      });
    }
    throw e;
  }
  return { keys: [...wv.words], matrix: wv.matrix, dim: wv.dim, metadata: [], from: 'vectors', wordVectors: wv };
}

/** The recipe validators of the domains, loaded when needed. */
async function recipeProblem(recipe: unknown): Promise<{ domain: 'text' | 'image' | undefined; problem: string | undefined }> {
  const kind = String((recipe as { kind?: unknown } | undefined)?.kind ?? '');
  if (kind.startsWith('text-')) {
    const { textRecipeProblem } = await import('../../../text/classify/index.js');
    return { domain: 'text', problem: textRecipeProblem(recipe) };
  }
  if (kind.startsWith('image-')) {
    const { imageRecipeProblem } = await import('../../../vision/index.js');
    return { domain: 'image', problem: imageRecipeProblem(recipe) };
  }
  return { domain: undefined, problem: `kind '${kind}' is not one this version can embed queries with (text-vectors, text-encoder, image-backbone)` };
}

/** One line on what a recipe embeds with (for notes and `index info`); `usable` from `recipeProblem`. */
function describeRecipe(recipe: unknown, usable: boolean): string {
  const r = (recipe ?? {}) as Record<string, unknown>;
  if (!usable) return `kind '${String(r.kind)}', not usable by this version`;
  switch (r.kind) {
    case 'text-vectors':
      return `texts → ${String(r.representation)} of word vectors ${String(r.vectors)} (index query --text)`;
    case 'text-encoder': {
      if (r.family === 'use-lite') {
        // Recipes without chunks (written before it existed, or with one window) read the first maxTokens pieces.
        const reads = typeof r.chunks === 'number' && r.chunks > 1 ? `, ≤ ${String(r.maxTokens)} pieces per window, mean of up to ${r.chunks} windows` : `, ≤ ${String(r.maxTokens)} pieces`;
        return `texts → Universal Sentence Encoder lite ${String(r.model)}${reads} (index query --text)`;
      }
      const extras = [`${String(r.pooling)} pooling`, `≤ ${String(r.maxTokens)} tokens`, r.quantized ? '8-bit ONNX' : 'full-precision ONNX', r.normalize === false ? 'not normalised' : '', r.prefix ? `prefix ${JSON.stringify(r.prefix)}` : '', r.queryPrefix !== undefined ? `query prefix ${JSON.stringify(r.queryPrefix)}` : ''];
      return `texts → sentence encoder ${String(r.model)}, ${extras.filter(Boolean).join(', ')} (index query --text)`;
    }
    default:
      return `images → backbone ${String(r.backbone)} at ${(r.imageSize as number[] | undefined)?.join('×') ?? '?'} px (index query --image)`;
  }
}

/**
 * Embed one query (a text or an image file) the way the index's vectors were made, from the recipe
 * saved with it. The CLI is the one layer that knows the domains: the index itself never reads it.
 */
async function embedQuery(ctx: CliContext, dir: string, recipe: unknown, dim: number, query: { text: string } | { image: string }, progress: Progress): Promise<Float32Array> {
  const wanted = 'text' in query ? 'text' : 'image';
  if (recipe === undefined) {
    throw new InvalidArgumentError(`the index in ${dir} has no embedding recipe, so a query ${wanted} cannot be embedded`, {
      hint: `query it with --key, --word (word-vector indexes) or --vector; or rebuild it from a JSONL with a recipe: 'vision embed', and 'text embed' with mean, mean-max or --encoder (tfidf-mean and sif have none), write one next to it`,
    });
  }
  const { domain, problem } = await recipeProblem(recipe);
  if (problem) throw new InvalidArgumentError(`the index in ${dir} has a recipe this version cannot use: ${problem}`, { hint: 'rebuild the index with a recipe from text embed or vision embed (--recipe FILE)' });
  if (domain !== wanted) {
    throw new InvalidArgumentError(`the index in ${dir} embeds ${describeRecipe(recipe, true)}, not ${wanted}s`, { hint: domain === 'image' ? 'query it with --image FILE' : 'query it with --text "…"' });
  }
  let vector: Float32Array;
  if ('text' in query) {
    const { textQueryEncoder } = await import('../../../text/classify/index.js');
    const encoder = await textQueryEncoder(recipe as TextEmbeddingRecipe, { progress });
    try {
      vector = await encoder.encode([query.text]);
    } finally {
      encoder.dispose?.();
    }
    if (vector.every((x) => x === 0)) {
      const words = (recipe as { kind: string }).kind === 'text-vectors';
      throw new DataError(
        `the query text has no direction in this index's space: ${words ? 'its embedding is all zeros (none of its words has a vector, or the vectors of those it has are all zeros)' : 'the encoder gave a zero vector'}`,
        { hint: words ? 'use other words (words whose vectors are all zeros carry no meaning), or query with --key' : 'use another text, or query with --key' },
      );
    }
  } else {
    const { embedQueryImage, imageQueryEncoder } = await import('../../../vision/index.js');
    await ctx.engine();
    const backbone = await imageQueryEncoder(recipe as ImageEmbeddingRecipe, { progress });
    try {
      vector = await embedQueryImage(backbone, query.image);
    } finally {
      backbone.dispose();
    }
  }
  if (vector.length !== dim) {
    throw new DimensionMismatchError(dim, vector.length, { what: 'the embedded query', hint: `the recipe's ${'text' in query ? 'vectors or encoder' : 'backbone'} now gives other vectors than the index holds; embed the data again and rebuild the index` });
  }
  return vector;
}

/** Why a recipe cannot serve data of dimension `dim`: a problem with the recipe itself, or another dimension. */
async function recipeUnfit(recipe: EmbeddingRecipe, dim: number): Promise<{ problem?: string; otherDim?: number }> {
  const { problem } = await recipeProblem(recipe);
  if (problem) return { problem };
  const recipeDim = (recipe as { dim?: unknown }).dim;
  return recipeDim === dim ? {} : { otherDim: Number(recipeDim) };
}

/**
 * The recipe to save with a new index: `--recipe FILE` as given (read already, `given`); else the
 * JSONL's sidecar when it was written for this very file; else, for word vectors, their mean (so
 * `--text` works on a word index).
 */
async function chooseRecipe(
  ctx: CliContext,
  source: string,
  opts: BuildOpts,
  table: EmbeddingsTable & { from: string; wordVectors?: WordVectors },
  given: EmbeddingRecipe | undefined,
): Promise<EmbeddingRecipe | undefined> {
  if (given !== undefined) {
    const { problem, otherDim } = await recipeUnfit(given, table.dim);
    if (problem) throw new InvalidArgumentError(`${opts.recipe}: not a usable recipe: ${problem}`, { hint: 'give the .recipe.json that text embed or vision embed wrote' });
    if (otherDim !== undefined) {
      throw new DimensionMismatchError(table.dim, otherDim, { what: `the recipe in ${opts.recipe}`, hint: 'the recipe was written for other vectors; give the one written with this data' });
    }
    return given;
  }
  if (table.from === 'jsonl') {
    const { readRecipeFile, recipeFileFor, recipeMismatch } = await embeddings();
    // A sidecar is only a guess at what the JSONL holds: one that does not fit is skipped with a warning, never fatal.
    const from = recipeFileFor(source);
    const skip = (why: string) => {
      ctx.note(`warning: ${from} not used: ${why}. Embed the data again, or give --recipe ${from} if you know it applies`);
      return undefined;
    };
    let side: Awaited<ReturnType<typeof readRecipeFile>>;
    try {
      side = await readRecipeFile(from, { optional: true });
    } catch (e) {
      return skip((e as Error).message);
    }
    if (!side) {
      // (With --json the summary's recipe: null says it.)
      if (!opts.json) ctx.note(`note: no recipe next to ${source} (${from}): the index can be queried with --key or --vector, not --text/--image`);
      return undefined;
    }
    if (!side.for) return skip('it records no fingerprint of the file it was written for (written by an older transferkit?)');
    const why = await recipeMismatch(side, source);
    if (why) return skip(why);
    const { problem, otherDim } = await recipeUnfit(side.recipe, table.dim);
    if (problem) return skip(problem);
    if (otherDim !== undefined) return skip(`its dim ${otherDim} is not the data's ${table.dim}`);
    return side.recipe;
  }
  const { wordVectorsRecipe } = await import('../../../text/classify/index.js');
  if (table.wordVectors && opts.unicodeErrors === 'replace' && table.wordVectors.words.some((w) => w.includes('\ufffd'))) {
    // A recipe loads its vectors strictly: it would fail on the very bytes that were replaced.
    ctx.note(`note: no recipe: ${source} has invalid UTF-8, read with --unicode-errors replace, which a recipe cannot repeat; the index can be queried with --word, --key or --vector (convert the file to UTF-8 to query with --text)`);
    return undefined;
  }
  return table.wordVectors ? wordVectorsRecipe(table.wordVectors, source) : undefined;
}

/** JSON numbers as `vectors --json` prints them: 6 decimals (and no negative zero). */
const round6 = (x: number) => Number(x.toFixed(6)) + 0;
/** A score or distance for the table: 4 decimals, rounding errors around 0 shown as 0. */
const fixed4 = (x: number) => (Math.abs(x) < 5e-5 ? 0 : x).toFixed(4);

function printHits(ctx: CliContext, hits: SearchHit[]): void {
  const width = hits.reduce((w, h) => Math.max(w, h.key.length), 3);
  ctx.print(`${'#'.padStart(3)}  ${'key'.padEnd(width)}  ${'score'.padStart(9)}  ${'distance'.padStart(9)}`);
  hits.forEach((h, i) => {
    const meta = h.metadata === undefined ? '' : `  ${JSON.stringify(h.metadata)}`;
    ctx.print(`${String(i + 1).padStart(3)}  ${h.key.padEnd(width)}  ${fixed4(h.score).padStart(9)}  ${fixed4(h.distance).padStart(9)}${meta}`);
  });
}

function parseVector(text: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`--vector must be a JSON array of numbers, got '${text.slice(0, 40)}'`, { hint: `e.g. --vector '[0.1, -0.3, …]'` });
  }
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number')) {
    throw new InvalidArgumentError(`--vector must be a non-empty JSON array of numbers, got '${text.slice(0, 40)}'`, { hint: `e.g. --vector '[0.1, -0.3, …]' with as many numbers as the index dimension ('index info' shows it)` });
  }
  // JSON reads 1e400 as Infinity; 1e39 is a double but Infinity as float32, the precision of the index.
  const bad = (v as number[]).findIndex((x) => !Number.isFinite(Math.fround(x)));
  if (bad >= 0) {
    const x = (v as number[])[bad]!;
    throw new InvalidArgumentError(`--vector: the value at position ${bad} (0-based) is out of float32 range (${Number.isFinite(x) ? x : `too large even for a double, read as ${x}`})`, {
      hint: 'vectors are stored as float32: every value must be of magnitude at most 3.40e+38',
    });
  }
  return v as number[];
}

/** Build options only an HNSW index reads, as [flag, option key]. */
const HNSW_BUILD_OPTIONS: [string, keyof BuildOpts][] = [
  ['--M', 'M'],
  ['--ef-construction', 'efConstruction'],
  ['--ef', 'ef'],
  ['--tune', 'tune'],
  ['--target', 'target'],
];

/** The HNSW-only build options given on the command line. */
function hnswOptionsGiven(cmd: Command): string[] {
  return HNSW_BUILD_OPTIONS.filter(([, key]) => cmd.getOptionValueSource(key) === 'cli').map(([flag]) => flag);
}

/** --ef on an exact index: harmless (exact search is what a larger ef approaches), so a note. */
function noteEfOnExact(ctx: CliContext, ef: number | undefined, kind: string): void {
  if (ef !== undefined && kind !== 'hnsw') ctx.note(`note: --ef ignored: the index is ${kind} (every search is exhaustive)`);
}

export function registerIndex(program: Command, ctx: CliContext): void {
  const index = program.command('index').description('nearest-neighbour indexes over any embeddings (HNSW or exact)');

  index
    .command('build')
    .description('build an index from word vectors (file or bundled name, e.g. glove-wink-100d) or a JSONL embeddings file ({"key", "vector", …metadata})')
    .argument('<source>', 'word-vectors file or bundled name, or a JSONL embeddings file')
    .requiredOption('--out <dir>', 'directory to write the index to (replaced atomically)')
    .option('--metric <metric>', `distance: ${METRIC_CHOICES.join(', ')}`, choiceOption('--metric', METRIC_CHOICES), 'cosine' as Metric)
    .option('--kind <kind>', 'auto (exact below 20,000 items), hnsw or exact', choiceOption('--kind', KINDS), 'auto')
    .option('--M <n>', 'HNSW links per node', intOption('--M', 2), HNSW_DEFAULTS.M)
    .option('--ef-construction <n>', 'HNSW build breadth', intOption('--ef-construction'), HNSW_DEFAULTS.efConstruction)
    .option('--ef <n>', `HNSW default query breadth (default ${HNSW_DEFAULTS.ef}, or tuned with --tune)`, intOption('--ef'))
    .option(
      '--tune',
      `pick the smallest ef reaching --target recall@${TUNE_HELP_DEFAULTS.k} on ${TUNE_HELP_DEFAULTS.queries} items (at most half of them) held back as unseen queries (inserted afterwards), and store it`,
    )
    .option('--target <recall>', `recall@${TUNE_HELP_DEFAULTS.k} to tune ef for, in (0, 1]; giving it implies --tune`, fractionOption('--target', 'a recall'), TUNE_HELP_DEFAULTS.target)
    .option('--input <format>', 'source type: auto (by extension: .jsonl/.ndjson are embeddings), vectors or jsonl', choiceOption('--input', INPUT_FORMATS), 'auto')
    .option('--limit <n>', 'read only the first n items', intOption('--limit'))
    .option('--unicode-errors <mode>', 'word vectors: invalid UTF-8 in a word is an error (strict) or read as U+FFFD (replace)', choiceOption('--unicode-errors', ['strict', 'replace'] as const))
    .option('--recipe <file>', "embedding recipe saved with the index, for index query --text/--image (default: the JSONL's .recipe.json that text embed / vision embed wrote, when present)")
    .option('--json', 'print the summary as JSON')
    .action(async (source: string, opts: BuildOpts, cmd: Command) => {
      const hnswOnly = hnswOptionsGiven(cmd);
      if (opts.kind === 'exact' && hnswOnly.length > 0) {
        throw new InvalidArgumentError(`${hnswOnly.join(', ')} ${hnswOnly.length === 1 ? 'applies' : 'apply'} only to HNSW indexes, not --kind exact`, {
          hint: `drop ${hnswOnly.join(' ')}, or build with --kind hnsw (or auto)`,
        });
      }
      // A recall target is a request to tune ef for it: --target implies --tune.
      const tune = opts.tune === true || cmd.getOptionValueSource('target') === 'cli';
      if (tune && cmd.getOptionValueSource('ef') === 'cli') {
        throw new InvalidArgumentError(`--ef ${opts.ef} and ${opts.tune ? '--tune' : '--target'} both set the index's ef; tuning would replace the --ef value`, {
          hint: `drop --ef to tune ef for the recall target, or drop ${opts.tune ? '--tune' : '--target'} to keep ef=${opts.ef}`,
        });
      }
      const { buildIndex, HnswIndex, INDEX_OWNER, MAX_M, TUNE_DEFAULTS: tuneDefaults, readRecipeFile } = await embeddings();
      // hnswlib caps M silently: the index would record a value it does not use. Refused even when auto builds exact.
      if (opts.M > MAX_M) {
        throw new InvalidArgumentError(`--M ${opts.M} is above ${MAX_M}, the largest M hnswlib uses`, { hint: `give --M ${MAX_M} or less (typical values are 8 to 64; the default is ${HNSW_DEFAULTS.M})` });
      }
      await checkOutputDir(opts.out, INDEX_OWNER);
      // Read now, so that a bad --recipe fails before the source is read.
      const givenRecipe = opts.recipe !== undefined ? (await readRecipeFile(opts.recipe))!.recipe : undefined;
      const progress = ctx.progress(opts.json);
      const t0 = performance.now();
      const table = await readSource(source, opts, progress);
      const readSeconds = (performance.now() - t0) / 1000;
      // How a query becomes a vector of this space (see chooseRecipe).
      const recipe = await chooseRecipe(ctx, source, opts, table, givenRecipe);
      const t1 = performance.now();
      const { index: built, tuning } = buildIndex({
        keys: table.keys,
        matrix: table.matrix,
        dim: table.dim,
        metadata: table.metadata.length > 0 ? table.metadata : undefined,
        kind: opts.kind,
        metric: opts.metric,
        M: opts.M,
        efConstruction: opts.efConstruction,
        ef: opts.ef,
        tune: tune ? { target: opts.target } : false, // k, queries and seed: the library's defaults
        recipe,
        progress,
      });
      const buildSeconds = (performance.now() - t1) / 1000;
      const k = tuneDefaults.k;
      const tuned = tuning ? { ef: tuning.ef, target: tuning.target, k, recall: round6(tuning.recall), reached: tuning.reached, queries: tuning.queries } : null;
      if (tune && built instanceof HnswIndex && !tuning) {
        ctx.note(`warning: ef not tuned: no item could be held back as a query (${built.size} items; zero vectors are never queries); ef stays ${built.ef}`);
      } else if (tuning && !tuning.reached) {
        ctx.note(`warning: recall@${k} ${tuning.recall.toFixed(3)} < target ${opts.target} even at ef=${tuning.ef}; consider a larger --M or --ef-construction`);
      } else if (!(built instanceof HnswIndex) && hnswOnly.length > 0) {
        // --kind auto chose exact for a small source: the HNSW options are harmless, but say so.
        ctx.note(`note: ${hnswOnly.join(', ')} ignored: --kind auto built an exact index for ${built.size} items (recall is 1; --kind hnsw forces HNSW)`);
      }
      await built.save(opts.out);
      const summary = {
        out: opts.out,
        kind: built.kind,
        source: table.from,
        count: built.size,
        dim: built.dim,
        metric: built.metric,
        ...(built instanceof HnswIndex ? { M: built.M, efConstruction: built.efConstruction, ef: built.ef } : {}),
        tuned,
        recipe: recipe ?? null,
        readSeconds: Number(readSeconds.toFixed(3)),
        buildSeconds: Number(buildSeconds.toFixed(3)),
      };
      if (opts.json) return ctx.printJson(summary);
      ctx.note(`built ${summary.kind} index of ${summary.count} × ${summary.dim} (${summary.metric}) in ${summary.buildSeconds.toFixed(1)} s → ${opts.out}`);
      if (built instanceof HnswIndex) ctx.note(`M=${built.M} efConstruction=${built.efConstruction} ef=${built.ef}${tuned ? ` (tuned for recall@${k} ≥ ${tuned.target} on ${tuned.queries} held-out items: ${tuned.recall.toFixed(3)}${tuned.reached ? '' : ', target not reached'})` : ''}`);
      if (recipe !== undefined) ctx.note(`recipe: ${describeRecipe(recipe, true)}`);
    });

  index
    .command('query')
    .description('nearest neighbours of a stored key, a word, a vector, or a new text or image embedded as the index\'s items were (give exactly one of --key, --word, --vector, --text, --image)')
    .argument('<dir>', 'index folder written by index build')
    .option('--key <key>', 'query with the vector stored under this key (the key itself is left out)')
    .option('--word <word>', 'same as --key, for word-vector indexes')
    .option('--vector <json>', 'query with this vector, e.g. \'[0.1, 0.2, …]\'')
    .option('--text <text>', 'query with this text, embedded by the recipe saved with the index (built from text embed output)')
    .option('--image <file>', 'query with this image, embedded by the recipe saved with the index (built from vision embed output)')
    .option('-k, --k <n>', 'number of neighbours', intOption('-k'), 10)
    .option('--ef <n>', 'HNSW search breadth for this query (default: the index\'s)', intOption('--ef'))
    .option('--json', 'print hits as JSON')
    .action(async (dir: string, opts: { key?: string; word?: string; vector?: string; text?: string; image?: string; k: number; ef?: number; json?: boolean }) => {
      const given = [opts.key, opts.word, opts.vector, opts.text, opts.image].filter((x) => x !== undefined).length;
      if (given !== 1) {
        throw new InvalidArgumentError(`give exactly one of --key, --word, --vector, --text or --image${given > 1 ? ` (got ${given})` : ''}`, {
          hint: `e.g. 'index query ${dir} --key KEY' (an item stored in the index) or --vector '[0.1, …]'`,
        });
      }
      const { loadIndex } = await embeddings();
      const idx = await loadIndex(dir);
      let vector: ArrayLike<number>;
      let exclude: string[] = [];
      if (opts.vector !== undefined) {
        vector = parseVector(opts.vector);
      } else if (opts.text !== undefined || opts.image !== undefined) {
        if (opts.text !== undefined && opts.text.trim() === '') throw new InvalidArgumentError('--text is empty', { hint: 'give the text to search with' });
        const query = opts.text !== undefined ? { text: opts.text } : { image: opts.image! };
        vector = await embedQuery(ctx, dir, idx.recipe, idx.dim, query, ctx.progress(opts.json));
      } else {
        const key = (opts.key ?? opts.word)!;
        const v = idx.vector(key);
        if (v === undefined) {
          throw new KeyNotFoundError(key, { what: opts.word !== undefined ? 'word' : 'key', hint: `the index in ${dir} holds ${idx.size} items; check spelling and case` });
        }
        vector = v;
        exclude = [key];
      }
      noteEfOnExact(ctx, opts.ef, idx.kind);
      const hits = idx.query(vector, { k: opts.k, ef: opts.ef, exclude });
      if (opts.json) return ctx.printJson(hits.map((h) => ({ ...h, score: round6(h.score), distance: round6(h.distance) })));
      printHits(ctx, hits);
    });

  index
    .command('info')
    .description('what a saved index holds: kind, size, dimension, metric, parameters, files')
    .argument('<dir>', 'index folder written by index build')
    .option('--json', 'print the manifest as JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const { readManifest } = await embeddings();
      const m = await readManifest(dir);
      if (opts.json) return ctx.printJson({ ...m, recipe: m.recipe ?? null });
      ctx.print(`kind:     ${m.kind}`);
      ctx.print(`items:    ${m.count}${m.slots > m.count ? ` (+${m.slots - m.count} deleted slots)` : ''}`);
      ctx.print(`dim:      ${m.dim}`);
      ctx.print(`metric:   ${m.metric}`);
      const params = Object.entries(m.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      if (params) ctx.print(`params:   ${params}`);
      ctx.print(`recipe:   ${m.recipe === undefined ? 'none (query with --key, --word or --vector)' : describeRecipe(m.recipe, !(await recipeProblem(m.recipe)).problem)}`);
      for (const [name, f] of Object.entries(m.files)) ctx.print(`file:     ${name} ${f.bytes} bytes sha256 ${f.sha256.slice(0, 12)}…`);
      ctx.print(`created:  ${m.createdAt}`);
    });

  index
    .command('eval')
    .description('recall@k and queries/s against exact search, on items sampled from the index (each leaves itself out) or on held-out queries')
    .argument('<dir>', 'index folder written by index build')
    .option('--queries <n>', 'number of queries (sampled, or the first n of --queries-file)', intOption('--queries'), 200)
    .option('--queries-file <jsonl>', 'held-out query vectors, JSONL {"key", "vector"} (more honest than sampled items, which are easy to find)')
    .option('-k, --k <n>', 'neighbours per query', intOption('-k'), 10)
    .option('--ef <n>', 'HNSW search breadth (default: the index\'s)', intOption('--ef'))
    .option('--seed <n>', 'sampling seed', intOption('--seed', 0, MAX_SEED), 1)
    .option('--json', 'print as JSON')
    .action(async (dir: string, opts: { queries: number; queriesFile?: string; k: number; ef?: number; seed: number; json?: boolean }) => {
      const { evaluate, loadIndex, readEmbeddingsJsonl, sampleSelfQueries } = await embeddings();
      const idx = await loadIndex(dir);
      noteEfOnExact(ctx, opts.ef, idx.kind);
      // Sampled queries leave themselves out; with k at or above what is left, every search returns
      // everything and recall is 1 by construction.
      const candidates = opts.queriesFile ? idx.size : idx.size - 1;
      const items = (count: number) => `${count} item${count === 1 ? '' : 's'}`;
      const why = `the index holds ${items(idx.size)}${opts.queriesFile ? '' : '; each sampled query leaves itself out'}`;
      if (candidates <= 1) {
        // Not even -k 1 leaves a neighbour to miss: no k gives a meaningful recall.
        throw new InvalidArgumentError(`the index is too small to evaluate: a query can find ${candidates <= 0 ? 'no item' : 'only 1 item'} (${why}), so recall is 1 for every k`, {
          hint: `evaluate an index of at least ${opts.queriesFile ? 2 : 3} items${opts.queriesFile ? '' : ' (2 with --queries-file)'}: build it from more items`,
        });
      }
      if (opts.k >= candidates) {
        throw new InvalidArgumentError(`-k ${opts.k} is not below the ${items(candidates)} a query can find (${why}): recall would be 1 by construction`, {
          hint: candidates === 2 ? 'use -k 1' : `use -k ${candidates - 1} or less`,
        });
      }
      let res;
      if (opts.queriesFile) {
        const held = await readEmbeddingsJsonl(opts.queriesFile, { limit: opts.queries });
        if (held.dim !== idx.dim) {
          throw new DimensionMismatchError(idx.dim, held.dim, {
            what: `queries in ${opts.queriesFile}`,
            file: opts.queriesFile,
            hint: `--queries-file needs vectors of the index dimension (${idx.dim}), embedded the same way as the indexed items`,
          });
        }
        let queries = held.matrix;
        if (idx.metric === 'cosine') {
          // A zero vector has no direction under cosine: skipped with a note, as sampled queries skip zero rows.
          const { isZeroVector } = await embeddings();
          const zero = held.keys.map((_, i) => isZeroVector(held.matrix, i * idx.dim, (i + 1) * idx.dim));
          const skipped = zero.flatMap((z, i) => (z ? [held.lines?.[i] ?? i + 1] : []));
          if (skipped.length === held.keys.length) {
            throw new InvalidArgumentError(`every query vector in ${opts.queriesFile} is all zeros: a zero vector has no direction under cosine`, {
              file: opts.queriesFile,
              hint: 'give held-out vectors with at least one non-zero value',
            });
          }
          if (skipped.length > 0) {
            const shown = skipped.slice(0, 5).join(', ') + (skipped.length > 5 ? ', …' : '');
            ctx.note(`note: skipped ${skipped.length} zero vector${skipped.length === 1 ? '' : 's'} of ${opts.queriesFile} (line${skipped.length === 1 ? '' : 's'} ${shown}): a zero vector has no direction under cosine`);
            queries = new Float32Array((held.keys.length - skipped.length) * idx.dim);
            let j = 0;
            zero.forEach((z, i) => {
              if (!z) queries.set(held.matrix.subarray(i * idx.dim, (i + 1) * idx.dim), j++ * idx.dim);
            });
          }
        }
        res = evaluate(idx, queries, { k: opts.k, ef: opts.ef });
      } else {
        const { queries, selfKeys } = sampleSelfQueries(idx, opts.queries, opts.seed);
        res = evaluate(idx, queries, { k: opts.k, ef: opts.ef, selfKeys });
      }
      const out = {
        kind: idx.kind,
        count: idx.size,
        queriesFrom: opts.queriesFile ? 'file' : 'index',
        ...res,
        recall: round6(res.recall),
        qps: Math.round(res.qps),
        exactQps: res.exactQps === null ? null : Math.round(res.exactQps),
      };
      if (opts.json) return ctx.printJson(out);
      ctx.print(`${idx.kind} index, ${idx.size} items, ${res.queries} ${opts.queriesFile ? 'held-out' : 'sampled'} queries, k=${res.k}${res.ef !== null ? `, ef=${res.ef}` : ''}`);
      ctx.print(`recall@${res.k}: ${res.recall.toFixed(4)}`);
      ctx.print(`queries/s: ${res.qps.toFixed(0)} (one at a time)`);
      if (res.exactQps !== null) ctx.print(`exact queries/s: ${res.exactQps.toFixed(0)} (batched)`);
    });
}
