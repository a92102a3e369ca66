import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'tk-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run the CLI from sources in a fresh process; returns its exit code, stdout and every module it loaded. */
function run(...args: string[]): { code: number | null; stdout: string; modules: string[] } {
  const record = join(tmp, `${args.join('_').replace(/\W+/g, '_')}.txt`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', pathToFileURL(join(root, 'test/cli/fixtures/record-imports.mjs')).href, join(root, 'src/cli/bin-dev.ts'), ...args],
    { cwd: root, encoding: 'utf8', env: { ...process.env, RECORD_IMPORTS: record } },
  );
  const modules = [...new Set(readFileSync(record, 'utf8').split('\n').filter(Boolean))];
  return { code: r.status, stdout: r.stdout, modules };
}

const inRepo = (dir: string) => (url: string) => url.startsWith(pathToFileURL(join(root, dir)).href + '/');
const heavy = {
  text: inRepo('text'),
  vision: inRepo('vision'),
  embeddings: inRepo('embeddings'),
  tfjs: (url: string) => /\/node_modules\/@tensorflow\//.test(url),
};
function loaded(modules: string[]): string[] {
  return Object.entries(heavy)
    .filter(([, test]) => modules.some(test))
    .map(([name]) => name);
}

describe('CLI start-up loads no domain module and no TensorFlow.js', () => {
  it('--version, --help and a command group or command help load none of them', () => {
    for (const args of [['--version'], ['--help'], ['text', '--help'], ['index', 'build', '--help'], ['vision', 'train', '--help']]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.modules.some((u) => u.endsWith('/src/cli/main.ts')), 'the recorder sees the CLI').toBe(true);
      expect(loaded(r.modules), args.join(' ')).toEqual([]);
    }
  });

  it('a command loads what it uses when it runs: info the engine only, vision backbones the vision module but not text', () => {
    const info = run('info', '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout).backend).toBeTruthy();
    expect(loaded(info.modules)).toEqual(['tfjs']);

    const list = run('vision', 'backbones', '--json');
    expect(list.code).toBe(0);
    expect(loaded(list.modules)).toContain('vision');
    expect(loaded(list.modules)).not.toContain('text');
  });
});
