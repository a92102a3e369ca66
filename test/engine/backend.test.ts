import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { initEngine } from '../../src/engine/backend.js';

const tsx = ['--import', 'tsx', '--input-type=module', '-e'];
const script = (backend?: string) =>
  `import { initEngine } from '${process.cwd()}/src/engine/backend.ts';
   const info = await initEngine(${backend ? `{ backend: '${backend}' }` : ''});
   console.log(JSON.stringify(info));`;

describe('engine selection', () => {
  it('picks the first loadable backend and records why the others were skipped', async () => {
    const info = await initEngine();
    expect(['node-gpu', 'node', 'wasm', 'cpu']).toContain(info.backend);
    const chosen = info.attempts.find((a) => a.ok)!;
    expect(chosen.name).toBe(info.backend);
    for (const a of info.attempts.filter((x) => !x.ok)) expect(a.reason).toBeTruthy();
    expect(info.why).toMatch(/first/);
  });

  it('forcing an unavailable backend fails clearly (fresh process)', () => {
    // Native tfjs cannot be installed here; if it ever is, this test picks a name that cannot load.
    const r = spawnSync(process.execPath, [...tsx, script('node-gpu')], { encoding: 'utf8', env: { ...process.env } });
    if (r.status === 0) return; // native GPU backend really available on this machine
    expect(r.stderr).toMatch(/backend 'node-gpu' is not available/);
  });

  it('TRANSFERKIT_BACKEND=cpu forces the pure-JS backend', () => {
    const out = execFileSync(process.execPath, [...tsx, script()], {
      encoding: 'utf8',
      env: { ...process.env, TRANSFERKIT_BACKEND: 'cpu' },
    });
    const info = JSON.parse(out.trim().split('\n').pop()!);
    expect(info.backend).toBe('cpu');
    expect(info.why).toMatch(/TRANSFERKIT_BACKEND/);
  });

  it('an unknown backend name is an argument error', () => {
    const r = spawnSync(process.execPath, [...tsx, script()], {
      encoding: 'utf8',
      env: { ...process.env, TRANSFERKIT_BACKEND: 'quantum' },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown backend 'quantum'/);
  });
});
