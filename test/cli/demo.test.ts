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
    expect(out.index.heldOut).toBe(200); // the count the recall was measured on, as printed
    expect(out.index.recallAt10).toBeGreaterThanOrEqual(0.95);
    expect(out.index.paris).not.toContain('paris');
  });

  it('the vision job trains, saves, reloads and predicts; the time reported is the whole run', async () => {
    const r = await cli('demo', '--only', 'vectors,vision', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.vision.backbone).toBe('mobilenet_v2_nsfwjs');
    expect(out.vision.predictions).toHaveLength(3);
    // Loading the vectors is part of the run, not of the vision job.
    expect(out.seconds).toBeGreaterThan(out.vision.seconds.total);
  });

  it('the search job finds e-mails by a new text through the recipe their vectors were made with', async () => {
    const r = await cli('demo', '--only', 'search', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.search.documents).toBe(2000);
    expect(out.search.neighbourLabelAgreement).toBeGreaterThan(0.9);
    // A mortgage query finds spam about mortgages; a kernel query finds the Linux lists' (ham) mail.
    expect(out.search.queries[0].hits.map((h: { label: string }) => h.label)).toEqual(['spam', 'spam', 'spam']);
    expect(out.search.queries[0].hits.some((h: { subject: string }) => /mortgage/i.test(h.subject))).toBe(true);
    expect(out.search.queries[1].hits.map((h: { label: string }) => h.label)).toEqual(['ham', 'ham', 'ham']);
  });

  it('ends with the time of the whole run, after every job', async () => {
    const r = await cli('demo', '--only', 'vectors');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^done in \d+\.\d s$/);
  });

  it('an unknown job is a clear error', async () => {
    const r = await cli('demo', '--only', 'vectors,sound');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown demo job 'sound'/);
  });

  it('an empty --only is refused, not read as every job', async () => {
    for (const only of ['', ' , ']) {
      const r = await cli('demo', '--only', only);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: --only names no demo job/);
      expect(r.stderr).toMatch(/hint: give a comma-separated list of: vectors, index, search, text, vision/);
    }
  });
});

describe('transferkit demo options', () => {
  it('--index-words must be a whole number ≥ 1000', async () => {
    const r = await cli('demo', '--only', 'index', '--index-words', 'many');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--index-words must be an integer ≥ 1000, got 'many'/);
  });

  it('too few --index-words is refused with the reason (200 held out, paris among them)', async () => {
    const r = await cli('demo', '--only', 'index', '--index-words', '100');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: --index-words must be an integer ≥ 1000, got '100'/);
    expect(r.stderr).toMatch(/hint: the index demo holds 200 of the indexed words back .*'paris'/);
  });
});
