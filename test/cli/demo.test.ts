import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

describe('transferkit demo', () => {
  it('vectors and index jobs give gensim-equal answers and a measured recall', async () => {
    const r = await cli('demo', '--only', 'vectors,index', '--index-words', '5000', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.vectors.neighbours.map((n: { word: string }) => n.word)).toEqual(['prince', 'queen', 'son', 'brother', 'monarch']);
    expect(out.vectors.analogies['man:king::woman'].word).toBe('queen');
    expect(out.vectors.analogies['france:paris::italy'].word).toBe('rome');
    expect(out.index.words).toBe(5000);
    expect(out.index.recallAt10).toBeGreaterThanOrEqual(0.95);
    expect(out.index.paris).not.toContain('paris');
  });

  it('the vision job trains, saves, reloads and predicts', async () => {
    const r = await cli('demo', '--only', 'vision', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.vision.backbone).toBe('mobilenet_v2_nsfwjs');
    expect(out.vision.predictions).toHaveLength(3);
  });

  it('an unknown job is a clear error', async () => {
    const r = await cli('demo', '--only', 'vectors,sound');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown demo job 'sound'/);
  });
});

describe('transferkit demo options', () => {
  it('--index-words must be a whole number ≥ 100', async () => {
    const r = await cli('demo', '--only', 'index', '--index-words', 'many');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--index-words must be an integer ≥ 100/);
  });
});
