import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

describe('transferkit info', () => {
  it('--json names the backend and why the native ones were skipped', async () => {
    const r = await cli('info', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.backend).toBeTruthy();
    expect(info.why).toBeTruthy();
    expect(info.cacheDir).toBeTruthy();
    if (info.backend === 'wasm') {
      expect(info.attempts.filter((a: { ok: boolean }) => !a.ok).map((a: { name: string }) => a.name)).toEqual(['node-gpu', 'node']);
    }
  });

  it('unknown options fail with a non-zero code and a usage hint', async () => {
    const r = await cli('--bogus');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown option/);
  });

  it('an unavailable --backend choice is rejected', async () => {
    const r = await cli('--backend', 'quantum', 'info');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/quantum/);
  });
});
