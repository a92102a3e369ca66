/**
 * A backend leaves no process-wide error handlers behind: tfjs-backend-wasm's Emscripten module
 * installs `uncaughtException` / `unhandledRejection` listeners that rethrow, which made any uncaught
 * error of the user's own program print ~38 KB of the module's minified source instead of the error.
 * Each case runs in a fresh process (the backend starts once per process).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function runAfterInit(backend: string, failure: string) {
  const script = `import { initEngine } from '${process.cwd()}/src/engine/backend.ts';
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const info = await initEngine({ backend: '${backend}' });
    const after = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    console.log(JSON.stringify({ backend: info.backend, before, after }));
    ${failure}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRANSFERKIT_BACKEND: '', TRANSFERKIT_WASM_THREADS: '' },
  });
}

describe('the wasm backend leaves the process error handlers alone', () => {
  it('an uncaught error thrown after initEngine prints the user\'s error, not the backend\'s source', () => {
    const r = runAfterInit('wasm', `setTimeout(() => { throw new Error('my own bug in user code'); }, 0);`);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(report.backend).toBe('wasm');
    expect(report.after).toEqual(report.before);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: my own bug in user code');
    expect(r.stderr).not.toContain('WasmBackendModule');
    // Node's own report of an uncaught error: the throwing line, the message and the stack.
    expect(r.stderr.length).toBeLessThan(2000);
  });

  it('an unhandled rejection after initEngine is reported as Node reports it', () => {
    const r = runAfterInit('wasm', `Promise.reject(new Error('my own rejected promise'));`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: my own rejected promise');
    expect(r.stderr).not.toContain('WasmBackendModule');
    expect(r.stderr.length).toBeLessThan(2000);
  });

  it('listeners the program installed before initEngine stay', () => {
    const script = `import { initEngine } from '${process.cwd()}/src/engine/backend.ts';
      const mine = (e) => { console.log('handled: ' + e.message); process.exit(3); };
      process.on('uncaughtException', mine);
      await initEngine({ backend: 'wasm' });
      console.log(JSON.stringify(process.listeners('uncaughtException').map((l) => l === mine)));
      setTimeout(() => { throw new Error('caught by mine'); }, 0);`;
    const own = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TRANSFERKIT_BACKEND: '', TRANSFERKIT_WASM_THREADS: '' },
    });
    expect(own.stdout).toContain('[true]');
    expect(own.stdout).toContain('handled: caught by mine');
    expect(own.status).toBe(3);
  });
});
