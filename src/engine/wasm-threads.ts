/**
 * Multi-threaded wasm under Node.js.
 *
 * @tensorflow/tfjs-backend-wasm ships a threaded SIMD build (XNNPACK on a pool of
 * pthreads) but never uses it under Node:
 *   1. its feature test answers "no threads" whenever it runs in Node;
 *   2. it hands the pthread workers `blob:` URLs, which Node's `Worker` cannot load;
 *   3. it caps the pool at logical cores / 2 (it assumes two hyper-threads per core), so
 *      a 2-vCPU machine gets one thread;
 *   4. a running pthread worker keeps the process alive after the work is done.
 * Threads are opt-in (`TRANSFERKIT_WASM_THREADS`, see `wantedWasmThreads`).
 * `withWasmThreads` works around all four for the duration of the backend's start-up
 * only (the global patches are undone before it returns), and `releaseWasmWorkers`
 * lets the process exit once the backend is up. The worker script is written to a
 * temporary file, read by each worker when it starts, and removed afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { removeOnInterrupt } from '../io/atomic.js';

const require = createRequire(import.meta.url);

/** tfjs-backend-wasm pre-creates this many workers and never uses more threads. */
export const MAX_WASM_THREADS = 8;

/**
 * Threads to ask for: TRANSFERKIT_WASM_THREADS — a whole number (at most 8) or `auto` (one per
 * CPU). Default 1, the single-threaded build. Measured on 2 CPUs (MobileNetV2): 2 threads run
 * feature extraction 1.27–1.3× faster, but a fine-tuning step at 96 px 1.2× slower (its many
 * small JS-side kernels compete with the pool's waiting threads) and the test suite, whose files
 * run side by side, 1.5× slower — so threads are opt-in, for a machine left to one job.
 */
export function wantedWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TRANSFERKIT_WASM_THREADS?.trim().toLowerCase();
  if (!raw) return 1;
  if (raw === 'auto') return Math.max(1, Math.min(os.cpus().length, MAX_WASM_THREADS));
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_WASM_THREADS) {
    throw new InvalidArgumentError(`TRANSFERKIT_WASM_THREADS must be a whole number from 1 to ${MAX_WASM_THREADS} or 'auto', got '${env.TRANSFERKIT_WASM_THREADS}'`, {
      hint: `e.g. TRANSFERKIT_WASM_THREADS=auto (one per CPU: ${os.cpus().length} here), or unset it for one thread`,
    });
  }
  return n;
}

/** A note when the threads asked for exceed the CPUs (usually slower: the pool's threads wait by spinning). */
export function wasmThreadsNote(threads: number, cpus = os.cpus().length): string | undefined {
  return threads > cpus ? `${threads} wasm threads on ${cpus} CPUs: more threads than CPUs is usually slower` : undefined;
}

/**
 * Run `start` (which initialises the wasm backend) so that it gets the threaded build with
 * `threads` threads. Everything patched here is restored before returning, whether `start`
 * succeeds or not.
 */
export async function withWasmThreads<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const factory = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  const dir = mkdtempSync(join(tmpdir(), 'transferkit-wasm-'));
  const release = removeOnInterrupt(dir);
  const workerFile = join(dir, 'worker.cjs');
  // In each worker, the main script arrives as a Blob the worker would turn into a blob: URL
  // and read as a file: point it at the factory script on disk instead. The '\n' escaping is
  // what tfjs applies to the same text before making its Blob.
  writeFileSync(
    workerFile,
    `URL.createObjectURL = () => ${JSON.stringify(factory)}; URL.revokeObjectURL = () => {};\n` + wasmWorkerContents.replace(/\n/g, '\\n'),
  );
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  const env = tf.env();
  const workerDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  let installed: unknown;
  try {
    // The module installs Node's Worker as a global and starts its pool with it. A worker
    // inherits the parent's Node options by default (`--input-type`, `-e`, loaders), which may
    // not apply to a plain CommonJS script: start the pool's workers with none.
    Object.defineProperty(globalThis, 'Worker', {
      configurable: true,
      get: () => installed,
      set: (W: typeof NodeWorker) => {
        installed = W === NodeWorker ? PlainWorker : W;
      },
    });
    env.set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    // The only Blob URL made during start-up is the worker script's.
    URL.createObjectURL = () => workerFile;
    // Read once, at start-up, as "logical cores" (then halved): report twice the threads wanted.
    os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus()[i % cpus().length]!);
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { setThreadsCount(n: number): void };
    wasm.setThreadsCount(threads);
    return await start();
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    // What the module installed stays (as it would have): it starts workers with it later too.
    if (installed !== undefined) Object.defineProperty(globalThis, 'Worker', { configurable: true, writable: true, value: installed });
    else if (workerDescriptor) Object.defineProperty(globalThis, 'Worker', workerDescriptor);
    else delete (globalThis as { Worker?: unknown }).Worker;
    rmSync(dir, { recursive: true, force: true });
    release();
  }
}

/** Node's Worker, started without the parent's Node options. */
class PlainWorker extends NodeWorker {
  constructor(file: string | URL, options: WorkerOptions = {}) {
    super(file, { ...options, execArgv: [] });
  }
}

interface EmscriptenWorker {
  ref(): unknown;
  unref(): unknown;
}

/** Let the process exit while pthread workers wait for work (they would keep it alive). */
export function releaseWasmWorkers(): void {
  const backend = tf.findBackend('wasm') as unknown as { wasm?: { PThread?: { runningWorkers: EmscriptenWorker[]; unusedWorkers: EmscriptenWorker[] } } } | null;
  const pool = backend?.wasm?.PThread;
  if (!pool) return;
  for (const worker of [...pool.runningWorkers, ...pool.unusedWorkers]) {
    worker.unref();
    // A pthread is started (and its worker ref'd again) lazily, after start-up.
    worker.ref = () => worker;
  }
}
