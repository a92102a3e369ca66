/**
 * A synthetic topic corpus with matching word vectors, small enough for fast tests:
 * three topics, each with its own words whose vectors cluster around a topic centre,
 * plus filler words shared by all topics. Training texts use only the first
 * `seenFraction` of each topic's words; test texts may use any of them — so a model
 * that uses the pretrained vectors can classify texts whose topic words it never saw.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../src/random.js';
import { WordVectors } from '../../../text/vectors/index.js';
import type { TextExample } from '../../../text/classify/index.js';

export const TOPICS = ['food', 'sport', 'tech'] as const;
const WORDS_PER_TOPIC = 24;
const FILLER = ['the', 'a', 'and', 'of', 'to', 'in', 'is', 'it', 'was', 'for', 'on', 'with', 'this', 'that', 'very', 'today'];

export function topicWords(topic: string): string[] {
  return Array.from({ length: WORDS_PER_TOPIC }, (_, i) => `${topic}${String.fromCharCode(97 + (i % 26))}${i >= 26 ? i : ''}`);
}

/** 16-d vectors: topic words near their topic's centre, filler words anywhere. */
export function toyVectors(dim = 16, seed = 3): WordVectors {
  const rng = new Rng(seed);
  const words: string[] = [];
  const rows: number[][] = [];
  for (const t of TOPICS) {
    const centre = Array.from({ length: dim }, () => rng.normal());
    for (const w of topicWords(t)) {
      words.push(w);
      rows.push(centre.map((c) => c + 0.35 * rng.normal()));
    }
  }
  for (const w of FILLER) {
    words.push(w);
    rows.push(Array.from({ length: dim }, () => rng.normal()));
  }
  // Capitalised entry to exercise the case fallback of cased vectors.
  return WordVectors.fromArrays({ words, matrix: Float32Array.from(rows.flat()), dim });
}

export interface ToyCorpusOptions {
  n: number;
  seed?: number;
  /** Fraction of each topic's words that may appear. Default 1. */
  vocabulary?: 'seen' | 'unseen' | 'all';
  /** Topic words per text. Default 3. */
  topicTokens?: number;
}

/** Seen words: the first half of each topic's list; unseen: the second half. */
export function toyCorpus(options: ToyCorpusOptions): TextExample[] {
  const { n, seed = 1, vocabulary = 'all', topicTokens = 3 } = options;
  const rng = new Rng(seed);
  const out: TextExample[] = [];
  const half = WORDS_PER_TOPIC / 2;
  for (let i = 0; i < n; i++) {
    const topic = TOPICS[i % TOPICS.length];
    const pool = topicWords(topic);
    const from = vocabulary === 'unseen' ? half : 0;
    const to = vocabulary === 'seen' ? half : WORDS_PER_TOPIC;
    const tokens: string[] = [];
    for (let k = 0; k < 5; k++) tokens.push(FILLER[rng.int(FILLER.length)]);
    for (let k = 0; k < topicTokens; k++) tokens.splice(rng.int(tokens.length + 1), 0, pool[from + rng.int(to - from)]);
    out.push({ text: tokens.join(' ') + '.', label: topic });
  }
  return out;
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tk-text-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** GloVe text format ("word v1 v2 …" per line) of some vectors. */
export function gloveText(v: WordVectors): string {
  return v.words.map((w, i) => `${w} ${Array.from(v.matrix.subarray(i * v.dim, (i + 1) * v.dim), (x) => x.toFixed(5)).join(' ')}`).join('\n') + '\n';
}
