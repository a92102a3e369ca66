/**
 * The threaded wasm build under Node (src/engine/wasm-threads.ts): it starts with one thread
 * per CPU, computes exactly what the single-threaded build computes, and lets the process
 * exit on its own. Each case runs in a fresh process (the backend starts once per process).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, wantedWasmThreads, wasmThreadsNote } from '../../src/engine/wasm-threads.js';

const script = `import { initEngine, tf } from '${process.cwd()}/src/engine/backend.ts';
  const info = await initEngine({ backend: 'wasm' });
  // A convolution, a matrix product and a reduction big enough to be split across threads.
  const x = tf.randomUniform([4, 40, 40, 16], -1, 1, 'float32', 1);
  const w = tf.randomUniform([3, 3, 16, 32], -1, 1, 'float32', 2);
  const y = tf.conv2d(x, w, 1, 'same');
  const m = tf.matMul(tf.reshape(y, [-1, 32]), tf.randomUniform([32, 64], -1, 1, 'float32', 3));
  const s = tf.sum(m, 0);
  const { createHash } = await import('node:crypto');
  const bytes = (t) => createHash('sha256').update(new Uint8Array(t.dataSync().buffer)).digest('hex');
  console.log(JSON.stringify({ threads: info.threads, notes: info.notes, conv: bytes(y), matmul: bytes(m), sum: bytes(s) }));`;

// No explicit exit: the process has to end by itself (a pthread worker left ref'd would hang it).
function run(threads: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRANSFERKIT_BACKEND: '', TRANSFERKIT_WASM_THREADS: threads },
  });
  expect(r.signal, 'the process did not exit by itself').toBeNull();
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { threads: number; notes: string[]; conv: string; matmul: string; sum: string };
}

describe('threaded wasm', () => {
  it("TRANSFERKIT_WASM_THREADS: a whole number from 1 to 8 or 'auto' (one per CPU); unset is one thread; anything else an error", () => {
    expect(wantedWasmThreads({ TRANSFERKIT_WASM_THREADS: '3' })).toBe(3);
    expect(wantedWasmThreads({ TRANSFERKIT_WASM_THREADS: ' Auto ' })).toBe(Math.min(cpus().length, MAX_WASM_THREADS));
    expect(wantedWasmThreads({ TRANSFERKIT_WASM_THREADS: '1' })).toBe(1);
    expect(wantedWasmThreads({ TRANSFERKIT_WASM_THREADS: '' })).toBe(1);
    expect(wantedWasmThreads({})).toBe(1);
    for (const bad of ['0', '-2', '1.5', 'many', '2x', '64']) {
      expect(() => wantedWasmThreads({ TRANSFERKIT_WASM_THREADS: bad })).toThrow(/TRANSFERKIT_WASM_THREADS must be a whole number from 1 to 8 or 'auto'/);
    }
    expect(wasmThreadsNote(4, 2)).toMatch(/4 wasm threads on 2 CPUs/);
    expect(wasmThreadsNote(2, 2)).toBeUndefined();
  });

  it('starts with the threads asked for, computes bit for bit what one thread computes, and exits by itself', () => {
    const one = run('');
    const two = run('2');
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.notes).toEqual([]);
    expect(two.conv).toBe(one.conv);
    expect(two.matmul).toBe(one.matmul);
    expect(two.sum).toBe(one.sum);
  });
});
