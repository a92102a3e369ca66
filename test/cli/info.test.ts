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
    // The sentence-encoder runtime (text embed --encoder, --model sentence) is a dependency.
    expect(info.versions['@xenova/transformers']).toMatch(/^2\./);
    expect(info.versions['onnxruntime-node']).toMatch(/^\d+\./);
    const text = await cli('info');
    expect(text.stdout).toMatch(/sentence encoders: @xenova\/transformers 2\.\S+ on onnxruntime-node \d/);
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

describe('CLI error wording', () => {
  it('usage errors use the documented format with a hint naming the command, exit 2', async () => {
    const r = await cli('info', '--colour');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error[E_USAGE]: unknown option '--colour'\n  hint: run 'transferkit info --help' for usage\n");
    // A value that starts with '-' (a text, a negative number) is read as an option: the hint says where it goes.
    const dashed = await cli('text', 'predict', 'some-model', '-50% off');
    expect(dashed.stderr).toMatch(/hint: run 'transferkit text predict --help' for usage; a value that starts with '-' goes after '--'/);
    // A mistyped option (with or without =value) is just that.
    for (const typo of ['--foo', '--foo=bar', '-x']) expect((await cli('text', 'predict', 'some-model', typo)).stderr).not.toMatch(/goes after '--'/);
  });

  it('file-system errors become E_IO with a hint; unknown failures say they are bugs', async () => {
    const { describeError } = await import('../../src/cli/errors.js');
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x.txt'"), { code: 'ENOENT' });
    expect(describeError(enoent, 'transferkit vectors evaluate')).toMatchObject({ code: 'E_IO', expected: true, hint: expect.stringMatching(/path exists/) });
    expect(describeError(new TypeError('x is undefined'), 'transferkit')).toMatchObject({ code: 'E_UNEXPECTED', expected: false });
  });

  it('a misspelt TRANSFERKIT_BACKEND is rejected by every command', async () => {
    const { settings } = await import('../../src/settings.js');
    const saved = settings.backend;
    settings.backend = 'quantum';
    try {
      const r = await cli('vectors', 'list');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: unknown backend 'quantum' \(from TRANSFERKIT_BACKEND\)/);
    } finally {
      settings.backend = saved;
    }
  });
});
