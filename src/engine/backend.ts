/**
 * Engine selection: the TensorFlow.js backend is chosen once per process.
 *
 * Order of preference: `node-gpu` (@tensorflow/tfjs-node-gpu, CUDA) → `node`
 * (@tensorflow/tfjs-node, native CPU) → `wasm` (@tensorflow/tfjs-backend-wasm)
 * → `cpu` (pure JavaScript, always there). A package that is not installed or
 * whose native binding fails to load is skipped, and the reason is recorded.
 * `TRANSFERKIT_BACKEND=<name>` (or the CLI's `--backend`) forces one backend and
 * fails with a clear error when it is not available.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../errors.js';
import { settings } from '../settings.js';
import { BACKEND_NAMES, parseBackend, type BackendName } from './names.js';
import { releaseWasmWorkers, wantedWasmThreads, wasmThreadsNote, withWasmThreads } from './wasm-threads.js';

export { BACKEND_NAMES, checkBackendName, type BackendName } from './names.js';

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was skipped or failed (absent when chosen). */
  reason?: string;
}

export interface EngineInfo {
  /** Our name of the backend in use. */
  backend: BackendName;
  /** tfjs's own backend name (e.g. "tensorflow", "wasm", "cpu"). */
  tfBackend: string;
  /** Why this backend: "forced by TRANSFERKIT_BACKEND", "first available", ... */
  why: string;
  attempts: BackendAttempt[];
  tfjsVersion: string;
  /** Threads the backend computes with (1 for pure-JS cpu and single-threaded wasm). */
  threads: number;
  /** Anything worth knowing about how the backend started (e.g. the threaded wasm build fell back). */
  notes: string[];
}

const PACKAGES: Record<BackendName, string | undefined> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: undefined,
};

const require = createRequire(import.meta.url);
let current: Promise<EngineInfo> | undefined;
/** What to know about the wasm threads (did not start, more than CPUs), shown by `transferkit info`. */
let wasmNote: string | undefined;

function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find module|MODULE_NOT_FOUND|ERR_MODULE_NOT_FOUND/.test(msg) && !/\.node\b/.test(msg)) {
    return 'package not installed';
  }
  return msg.split('\n')[0].slice(0, 200);
}

/**
 * Run `start` and then remove the `uncaughtException` / `unhandledRejection` listeners it added.
 * tfjs-backend-wasm's Emscripten module installs both while it initialises, and each rethrows what
 * it receives: an uncaught error of the user's own program then surfaces from inside that module,
 * so Node prints the module's source line (about 38 KB of minified JavaScript) instead of the
 * user's error. The backend never needs them (they only turn an Emscripten `exit()` into a quiet
 * exit, which tfjs never calls), so they are removed; listeners that were there before are kept.
 */
async function withoutAddedProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const listeners = () => ({
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  });
  const before = listeners();
  try {
    return await start();
  } finally {
    const after = listeners();
    for (const listener of after.uncaughtException) {
      if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of after.unhandledRejection) {
      if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}

async function tryBackend(name: BackendName): Promise<BackendAttempt & { tfBackend?: string }> {
  return withoutAddedProcessHandlers(() => startBackend(name));
}

async function startBackend(name: BackendName): Promise<BackendAttempt & { tfBackend?: string }> {
  try {
    switch (name) {
      case 'node-gpu':
      case 'node': {
        // The native packages are CommonJS and register the "tensorflow" backend on load.
        // Both register the same name, so only the first one that loads may be used.
        if (tf.findBackend('tensorflow')) {
          return { name, ok: false, reason: 'another native backend is already registered' };
        }
        require(PACKAGES[name]!);
        if (!(await tf.setBackend('tensorflow'))) return { name, ok: false, reason: 'backend failed to initialise' };
        return { name, ok: true, tfBackend: 'tensorflow' };
      }
      case 'wasm': {
        await import('@tensorflow/tfjs-backend-wasm');
        const threads = wantedWasmThreads();
        if (threads > 1) {
          // The threaded build, made to work under Node (./wasm-threads.ts); if it cannot start,
          // the single-threaded build below still can.
          const threaded = await withWasmThreads(threads, () => tf.setBackend('wasm')).catch(() => false);
          if (threaded) {
            releaseWasmWorkers();
            wasmNote = wasmThreadsNote(threads);
            return { name, ok: true, tfBackend: 'wasm' };
          }
          tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
          wasmNote = `threaded wasm (${threads} threads) did not start; running single-threaded`;
        }
        if (!(await tf.setBackend('wasm'))) return { name, ok: false, reason: 'backend failed to initialise' };
        return { name, ok: true, tfBackend: 'wasm' };
      }
      case 'cpu': {
        if (!(await tf.setBackend('cpu'))) return { name, ok: false, reason: 'backend failed to initialise' };
        return { name, ok: true, tfBackend: 'cpu' };
      }
    }
  } catch (e) {
    return { name, ok: false, reason: shortReason(e) };
  }
}

function threadsOf(backend: BackendName): number {
  if (backend === 'wasm') {
    try {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount?: () => number };
      return wasm.getThreadsCount?.() ?? 1;
    } catch {
      return 1;
    }
  }
  if (backend === 'cpu') return 1;
  return Number(process.env.TF_NUM_INTRAOP_THREADS) || (require('node:os') as typeof import('node:os')).cpus().length;
}

/**
 * The pure-JS cpu backend prints a "install tfjs-node" banner on first use; transferkit
 * says which backend runs and why in `transferkit info`, so the banner is switched off
 * (it would also land in the middle of CLI output when kernels fall back to cpu).
 */
function quietCpuBackend(): void {
  try {
    const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
    if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
  } catch {
    // no cpu backend: nothing to quieten
  }
}

async function select(forced?: { name: string; source: string }): Promise<EngineInfo> {
  wantedWasmThreads(); // a bad TRANSFERKIT_WASM_THREADS is an error, not a reason to skip wasm
  const attempts: BackendAttempt[] = [];
  const finish = (name: BackendName, tfBackend: string, why: string): EngineInfo => {
    quietCpuBackend();
    return {
    backend: name,
    tfBackend,
    why,
    attempts,
    tfjsVersion: tf.version.tfjs,
    threads: threadsOf(name),
    notes: name === 'wasm' && wasmNote ? [wasmNote] : [],
    };
  };
  if (forced) {
    const name = parseBackend(forced.name, forced.source);
    const attempt = await tryBackend(name);
    attempts.push({ name, ok: attempt.ok, reason: attempt.reason });
    if (!attempt.ok) {
      const pkg = PACKAGES[name];
      throw new BackendUnavailableError(`backend '${name}' is not available: ${attempt.reason}`, {
        hint: pkg
          ? `install ${pkg} (npm i ${pkg}) or choose another backend / unset ${forced.source}`
          : `choose another backend or unset ${forced.source}`,
      });
    }
    return finish(name, attempt.tfBackend!, `forced by ${forced.source}`);
  }
  for (const name of BACKEND_NAMES) {
    const attempt = await tryBackend(name);
    attempts.push({ name, ok: attempt.ok, reason: attempt.reason });
    if (attempt.ok) {
      const skipped = attempts.filter((a) => !a.ok).map((a) => a.name);
      const why = skipped.length === 0 ? 'first choice, available' : `first available (skipped ${skipped.join(', ')})`;
      return finish(name, attempt.tfBackend!, why);
    }
  }
  throw new BackendUnavailableError('no TensorFlow.js backend could be initialised');
}

export interface InitEngineOptions {
  /** Force a backend (overrides TRANSFERKIT_BACKEND). */
  backend?: string;
}

/**
 * Choose and initialise the backend (once per process; later calls return the
 * same result). Call before any tensor work; every entry point in transferkit does.
 */
export function initEngine(options: InitEngineOptions = {}): Promise<EngineInfo> {
  // A name that is no backend at all is that mistake, whether or not a backend was chosen already.
  if (options.backend) {
    try {
      parseBackend(options.backend, '--backend');
    } catch (e) {
      return Promise.reject(e);
    }
  }
  if (!current) {
    const forced = options.backend
      ? { name: options.backend, source: '--backend' }
      : settings.backend
        ? { name: settings.backend, source: 'TRANSFERKIT_BACKEND' }
        : undefined;
    current = select(forced);
    current.catch(() => {
      current = undefined;
    });
  } else if (options.backend) {
    return current.then((info) => {
      if (info.backend !== options.backend) {
        throw new BackendUnavailableError(
          `backend '${options.backend}' requested but '${info.backend}' was already chosen for this process`,
          { hint: 'choose the backend before any model work starts' },
        );
      }
      return info;
    });
  }
  return current;
}

/** The tfjs namespace transferkit computes with (initialise with `initEngine` first). */
export { tf };
