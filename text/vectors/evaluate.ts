/**
 * Standard intrinsic evaluations, as gensim's KeyedVectors runs them:
 * - `evaluateAnalogies`: the `questions-words.txt` format (`: section` lines, then
 *   `a b c d` questions meaning a:b :: c:d); a question is right when the best
 *   answer (query words excluded) is d. Questions with a word outside the
 *   vocabulary (restricted to the first `restrictVocab` words) are counted as OOV
 *   and left out of the accuracy.
 * - `evaluateWordPairs`: `word1 word2 score` lines; Spearman ρ (and Pearson r)
 *   between the given scores and cosine similarities; OOV pairs counted and skipped.
 */
import { readFile } from 'node:fs/promises';
import { exactTopK } from '../../embeddings/index.js';
import { InvalidArgumentError, InvalidFileError, NotFoundError } from '../../src/errors.js';
import { silentProgress, type Progress } from '../../src/progress.js';
import { pearson, spearman } from './stats.js';
import type { AnalogyMethod, WordVectors } from './word-vectors.js';

export interface EvaluateOptions {
  /** Only the first N words count as vocabulary (gensim's default: 300,000). */
  restrictVocab?: number;
  /** Compare words case-insensitively (gensim's default). Default true. */
  caseInsensitive?: boolean;
  progress?: Progress;
}

export interface AnalogyEvaluationOptions extends EvaluateOptions {
  /** 3CosAdd (default) or 3CosMul. */
  method?: AnalogyMethod;
}

export interface AnalogyScore {
  section: string;
  correct: number;
  incorrect: number;
  /** Questions skipped because a word is not in the (restricted) vocabulary. */
  oov: number;
  /** correct / (correct + incorrect); 0 when no question was answerable (as gensim; the CLI shows n/a, its JSON null). */
  accuracy: number;
}

export interface AnalogyEvaluation {
  sections: AnalogyScore[];
  total: AnalogyScore;
  /** oov / all questions. */
  oovRatio: number;
}

export interface WordPairsEvaluation {
  /** Spearman rank correlation between the file's scores and cosine similarity. */
  spearman: number;
  pearson: number;
  /** Pairs evaluated. */
  pairs: number;
  /** Pairs skipped because a word is not in the (restricted) vocabulary. */
  oov: number;
  oovRatio: number;
}

export const DEFAULT_RESTRICT_VOCAB = 300_000;
/** Questions answered per exact scan (the kernel serves several queries per pass over the matrix). */
const BATCH = 64;

/** word (folded when case-insensitive) → row, among the first `rows` words; the most frequent spelling wins. */
function vocabulary(wv: WordVectors, rows: number, fold: (w: string) => string): Map<string, number> {
  const map = new Map<string, number>();
  for (let r = 0; r < rows; r++) {
    const key = fold(wv.words[r]!);
    if (!map.has(key)) map.set(key, r);
  }
  return map;
}

async function readLines(file: string, what: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new NotFoundError(`${what} file ${file} does not exist`, { file, cause: e, hint: 'check the path of the evaluation file' });
    if (e.code === 'EISDIR') throw new InvalidArgumentError(`${file} is a folder, not ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} file`, { file, cause: e, hint: `give the ${what} file itself` });
    throw e;
  });
  const lines = text.split(/\r?\n/);
  if (lines.every((l) => l.trim() === '')) throw new InvalidFileError(`the ${what} file is empty`, { file, location: 'line 1', hint: 'check the path' });
  return lines;
}

function restrictOf(wv: WordVectors, options: EvaluateOptions): number {
  const r = options.restrictVocab ?? DEFAULT_RESTRICT_VOCAB;
  if (!Number.isInteger(r) || r < 1) throw new InvalidArgumentError(`restrictVocab must be a positive integer, got ${r}`);
  return Math.min(r, wv.size);
}

interface Question {
  section: number;
  rows: [number, number, number];
  words: [string, string, string, string];
}

export async function evaluateAnalogies(wv: WordVectors, file: string, options: AnalogyEvaluationOptions = {}): Promise<AnalogyEvaluation> {
  const fold = options.caseInsensitive === false ? (w: string) => w : (w: string) => w.toLowerCase();
  const rows = restrictOf(wv, options);
  const method = options.method ?? 'add';
  const progress = options.progress ?? silentProgress;
  const vocab = vocabulary(wv, rows, fold);
  const lines = await readLines(file, 'analogy');

  const sections: AnalogyScore[] = [];
  const questions: Question[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith(':')) {
      sections.push({ section: line.slice(1).trim(), correct: 0, incorrect: 0, oov: 0, accuracy: 0 });
      return;
    }
    const parts = line.split(/\s+/);
    if (parts.length !== 4) {
      throw new InvalidFileError(`expected 4 words 'a b c d', found ${parts.length}`, { file, location: `line ${i + 1}`, hint: 'the questions-words format is `: section` lines followed by `a b c d` lines' });
    }
    if (sections.length === 0) {
      throw new InvalidFileError('a question before the first `: section` line', { file, location: `line ${i + 1}`, hint: 'start the file with a `: section-name` line' });
    }
    const w = parts.map(fold) as [string, string, string, string];
    const r = w.map((x) => vocab.get(x));
    if (r.some((x) => x === undefined)) {
      sections[sections.length - 1]!.oov++;
      return;
    }
    questions.push({ section: sections.length - 1, rows: [r[0]!, r[1]!, r[2]!], words: w });
  });

  progress.start('analogies', questions.length);
  try {
    const inv = wv.inverseNorm();
    const dim = wv.dim;
    for (let q0 = 0; q0 < questions.length; q0 += BATCH) {
      // Read per batch: a view of WebAssembly memory is only valid until that memory grows.
      const matrix = wv.matrix;
      const batch = questions.slice(q0, q0 + BATCH);
      let answers: string[][];
      if (method === 'add') {
        const qv = new Float32Array(batch.length * dim);
        batch.forEach((q, i) => {
          const [a, b, c] = q.rows;
          const fa = inv[a]!;
          const fb = inv[b]!;
          const fc = inv[c]!;
          let n = 0;
          const v = new Float64Array(dim);
          for (let k = 0; k < dim; k++) {
            v[k] = matrix[b * dim + k]! * fb + matrix[c * dim + k]! * fc - matrix[a * dim + k]! * fa;
            n += v[k]! * v[k]!;
          }
          const scale = n > 0 ? 1 / Math.sqrt(n) : 0;
          for (let k = 0; k < dim; k++) qv[i * dim + k] = v[k]! * scale;
        });
        const results = exactTopK({ matrix, dim, rows, metric: 'cosine', rowScale: inv }, qv, batch.length, {
          k: 5,
          accept: (row, qi) => {
            const r = batch[qi]!.rows;
            return row !== r[0] && row !== r[1] && row !== r[2];
          },
        });
        answers = results.map((res) => Array.from(res.rows, (r) => wv.words[r]!));
      } else {
        // A question with a zero-vector word has no 3CosMul answer (mostSimilarCosmul refuses the word): counted incorrect,
        // as 3CosAdd's arbitrary answer for it would be.
        answers = batch.map((q) =>
          q.rows.some((r) => inv[r] === 0) ? [] : wv.mostSimilarCosmul([wv.words[q.rows[1]]!, wv.words[q.rows[2]]!], [wv.words[q.rows[0]]!], 5, rows).map((n) => n.word),
        );
      }
      batch.forEach((q, i) => {
        const ignore = new Set(q.words.slice(0, 3));
        const predicted = answers[i]!.map(fold).find((w) => !ignore.has(w));
        const s = sections[q.section]!;
        if (predicted === q.words[3]) s.correct++;
        else s.incorrect++;
      });
      progress.update(Math.min(questions.length, q0 + BATCH));
    }
  } finally {
    progress.stop();
  }
  const total: AnalogyScore = { section: 'total', correct: 0, incorrect: 0, oov: 0, accuracy: 0 };
  for (const s of sections) {
    s.accuracy = s.correct + s.incorrect > 0 ? s.correct / (s.correct + s.incorrect) : 0;
    total.correct += s.correct;
    total.incorrect += s.incorrect;
    total.oov += s.oov;
  }
  const answered = total.correct + total.incorrect;
  total.accuracy = answered > 0 ? total.correct / answered : 0;
  const all = answered + total.oov;
  if (all === 0) throw new InvalidFileError('no questions found', { file, location: `line ${lines.length}`, hint: 'expected `: section` lines followed by `a b c d` lines' });
  return { sections, total, oovRatio: total.oov / all };
}

export async function evaluateWordPairs(wv: WordVectors, file: string, options: EvaluateOptions = {}): Promise<WordPairsEvaluation> {
  const fold = options.caseInsensitive === false ? (w: string) => w : (w: string) => w.toLowerCase();
  const rows = restrictOf(wv, options);
  const vocab = vocabulary(wv, rows, fold);
  const lines = await readLines(file, 'word-pairs');
  const gold: number[] = [];
  const predicted: number[] = [];
  let oov = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    if (parts.length !== 3) {
      throw new InvalidFileError(`expected 'word1 word2 score', found ${parts.length} fields`, { file, location: `line ${i + 1}`, hint: 'one pair per line: word1 word2 score (# starts a comment)' });
    }
    const score = Number(parts[2]);
    if (!Number.isFinite(score)) throw new InvalidFileError(`the score '${parts[2]}' is not a number`, { file, location: `line ${i + 1}`, hint: 'one pair per line: word1 word2 score (# starts a comment)' });
    const a = vocab.get(fold(parts[0]!));
    const b = vocab.get(fold(parts[1]!));
    if (a === undefined || b === undefined) {
      oov++;
      return;
    }
    gold.push(score);
    predicted.push(wv.similarity(wv.words[a]!, wv.words[b]!));
  });
  const all = gold.length + oov;
  if (all === 0) throw new InvalidFileError('no word pairs found', { file, location: `line ${lines.length}`, hint: 'one pair per line: word1 word2 score (# starts a comment)' });
  return { spearman: spearman(gold, predicted), pearson: pearson(gold, predicted), pairs: gold.length, oov, oovRatio: oov / all };
}
