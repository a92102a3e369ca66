/**
 * A real Ctrl-C (SIGINT) during `transferkit text train`, in a child process: a neural model
 * stops after the current batch and its bundle is written with the weights so far; a linear
 * model, fitted in one synchronous run, ends the process by the signal with nothing written.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';
import { cli, cliWithCtrlC } from '../helpers/cli.js';
import { gloveText, tempDir, toyCorpus, toyVectors } from '../text/classify/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'toy.vec.txt'), gloveText(toyVectors()));
  await writeFile(join(dir, 'train.csv'), 'text,label\n' + toyCorpus({ n: 90, seed: 1 }).map((e) => `"${e.text}",${e.label}`).join('\n') + '\n');
  // Enough random texts that the bag-of-words fit takes seconds (it is never let finish).
  const rng = new Rng(7);
  const rows = Array.from({ length: 8000 }, (_, i) => `${Array.from({ length: 30 }, () => `w${rng.int(20000)}`).join(' ')},c${i % 4}`);
  await writeFile(join(dir, 'big.csv'), 'text,label\n' + rows.join('\n') + '\n');
});
afterAll(() => cleanup());

/** `transferkit text train …` with a Ctrl-C once stderr shows `when`. */
const trainAndCtrlC = (args: string[], when: string) => cliWithCtrlC(['text', 'train', ...args], when, 60_000);

const exists = (path: string) => access(path).then(() => true, () => false);

describe('Ctrl-C during text train', () => {
  it('a neural model stops after the current batch; the bundle is written with the weights so far and says it was interrupted', async () => {
    const out = join(dir, 'interrupted');
    const r = await trainAndCtrlC(['--train', join(dir, 'train.csv'), '--vectors', join(dir, 'toy.vec.txt'), '--model', 'mean', '--epochs', '1000000', '--out', out], 'epoch 1/');
    expect(r.sent).toBe(true);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
    expect(r.stderr).toMatch(/stopped: interrupted\n/);
    expect(r.stderr).toMatch(/warning: training was interrupted \(Ctrl-C\) after \d+ epochs? \(the last may be partial\): the bundle holds the weights trained so far/);
    expect(r.stderr).toMatch(new RegExp(`saved ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.training.interrupted).toBe(true);
    expect(manifest.training.epochs).toBeGreaterThanOrEqual(1);
    const p = await cli('text', 'predict', out, 'fooda foodb the', '--json');
    expect(p.code).toBe(0);
    expect(['food', 'sport', 'tech']).toContain(JSON.parse(p.stdout).predictions[0].top[0].label); // a usable model, if barely trained
  }, 90_000);

  it('a linear model (fitted in one go) ends at once by the signal, and no bundle is left', async () => {
    const out = join(dir, 'never');
    const r = await trainAndCtrlC(['--train', join(dir, 'big.csv'), '--model', 'bow', '--out', out], "training 'bow' on 8000 texts");
    expect(r.sent).toBe(true);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: null, signal: 'SIGINT' });
    expect(await exists(out)).toBe(false);
    expect(r.stdout).toBe('');
  }, 90_000);
});
