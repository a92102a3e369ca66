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

describe('CLI errors', () => {
  it('a typed error prints one actionable line, no stack unless --verbose', async () => {
    // `info` with a forced, unavailable backend goes through the typed-error path.
    const { spawnSync } = await import('node:child_process');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin-dev.ts', ...args], {
        encoding: 'utf8',
        env: { ...process.env, TRANSFERKIT_BACKEND: 'node-gpu' },
      });
    const plain = run('info');
    if (plain.status === 0) return; // a CUDA machine really has the GPU backend
    expect(plain.status).toBe(2);
    expect(plain.stderr).toMatch(/^error\[E_BACKEND_UNAVAILABLE\]: backend 'node-gpu' is not available/);
    expect(plain.stderr).toMatch(/hint: /);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const verbose = run('--verbose', 'info');
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});
