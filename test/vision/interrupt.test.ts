/**
 * A real Ctrl-C (SIGINT) during `transferkit vision train`, in a child process: training stops
 * after the current batch, the bundle is written with the weights so far, and — as `text train`
 * does — the manifest (and --json) say it was interrupted and how many epochs ran; the exit code is 0.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticImages } from '../../vision/index.js';
import { cliWithCtrlC } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

let dir: string;

beforeAll(async () => {
  dir = tempDir('tk-vision-int-');
  await writeSyntheticImages(join(dir, 'data'), { classes: 2, perClass: 6, size: 32, seed: 2 });
});

/** `transferkit vision train …` with a Ctrl-C once stderr shows `when`. */
const trainAndCtrlC = (args: string[], when: string) => cliWithCtrlC(['vision', 'train', ...args], when, 120_000);

describe('Ctrl-C during vision train', () => {
  it('saves the bundle; the manifest records the stop reason and the epochs that ran, with a warning', async () => {
    const out = join(dir, 'interrupted');
    // (--json prints nothing while training, so the plain-text run is the one a test can interrupt on cue.)
    const r = await trainAndCtrlC(['--data', join(dir, 'data'), '--out', out, '--epochs', '1000000', '--image-size', '32', '--batch-size', '4', '--validation-split', '0'], 'epoch 1/');
    expect(r.sent).toBe(true);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
    expect(r.stderr).toMatch(/stopped: interrupted\n/);
    expect(r.stderr).toMatch(/warning: training was interrupted \(Ctrl-C\) after \d+ epochs? \(the last may be partial\): the bundle holds the weights trained so far; train again for a finished model/);
    expect(r.stderr).toContain(`saved ${out}`);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.training).toMatchObject({ epochs: 1000000, stopReason: 'interrupted', interrupted: true });
    expect(manifest.training.epochsRun).toBeGreaterThanOrEqual(1);
    expect(manifest.training.epochsRun).toBeLessThan(1000000);
    expect(manifest.training.history).toHaveLength(manifest.training.epochsRun);
    expect(r.stderr).toContain(`after ${manifest.training.epochsRun} epoch`);
  }, 150_000);
});
