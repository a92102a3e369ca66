/**
 * `runSearchDemo()`: job 3 over documents, end to end on embedded data — a seeded sample of
 * SpamAssassin e-mails embedded as the mean of their glove-wink-100d vectors (`embedTexts`, with
 * its recipe), an exact cosine index over them, and new query texts embedded by that recipe
 * (`textQueryEncoder`), as `text embed` → `index build` → `index query --text` do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIndex, readEmbeddingsJsonl } from '../../embeddings/index.js';
import { DEFAULT_TEXT_VECTORS } from './classifier.js';
import { loadSpamAssassin } from './data/spam-assassin.js';
import { stratifiedSample } from './data/split.js';
import { embedTexts } from './embed.js';
import { textQueryEncoder } from './query-encoder.js';
import type { PretrainedVectors } from './vectors/lookup.js';

export const DEFAULT_SEARCH_QUERIES = ['lowest mortgage rates, refinance your home today', 'kernel patch breaks the build on debian'];

export interface SearchDemoOptions {
  /** E-mails sampled (stratified, seeded). Default 2000. */
  sample?: number;
  seed?: number;
  queries?: string[];
  /** Hits shown per query. Default 3. */
  k?: number;
  /** glove-wink-100d when already loaded (else loaded here). */
  vectors?: PretrainedVectors;
}

export interface SearchDemoResult {
  documents: number;
  dim: number;
  embedSeconds: number;
  /** Share of e-mails whose nearest other e-mail has their label (spam/ham): how well the space groups them. */
  neighbourLabelAgreement: number;
  queries: Array<{ text: string; hits: Array<{ label: string; subject: string; score: number }> }>;
}

export async function runSearchDemo(options: SearchDemoOptions = {}): Promise<SearchDemoResult> {
  const seed = options.seed ?? 42;
  const k = options.k ?? 3;
  const mails = stratifiedSample(loadSpamAssassin(), options.sample ?? 2000, seed);
  const dir = await mkdtemp(join(tmpdir(), 'transferkit-search-demo-'));
  try {
    const file = join(dir, 'mails.jsonl');
    const vectors = options.vectors ?? DEFAULT_TEXT_VECTORS;
    const embedded = await embedTexts(mails.map((m) => ({ text: m.text, label: m.label })), file, { vectors, snippet: 80 });
    const table = await readEmbeddingsJsonl(file);
    const { index } = buildIndex({ keys: table.keys, matrix: table.matrix, dim: table.dim, metadata: table.metadata, kind: 'exact', metric: 'cosine', recipe: embedded.recipe });
    const labelOf = (key: string) => (index.metadata(key) as { label: string }).label;
    const nearest = index.queryBatch(table.matrix, { k: 2 });
    let agree = 0;
    nearest.forEach((hits, i) => {
      const other = hits.find((h) => h.key !== table.keys[i]);
      if (other && labelOf(other.key) === labelOf(table.keys[i])) agree++;
    });
    const encoder = await textQueryEncoder(embedded.recipe!, { vectors: typeof vectors === 'string' ? undefined : vectors });
    const queries = [];
    for (const text of options.queries ?? DEFAULT_SEARCH_QUERIES) {
      const hits = index.query(await encoder.encode([text]), { k });
      queries.push({
        text,
        hits: hits.map((h) => ({ label: labelOf(h.key), subject: ((index.metadata(h.key) as { text?: string }).text ?? '').split('\n')[0], score: h.score })),
      });
    }
    return { documents: index.size, dim: table.dim, embedSeconds: embedded.seconds, neighbourLabelAgreement: agree / table.keys.length, queries };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
