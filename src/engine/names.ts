/**
 * Backend names and their validation, without TensorFlow.js: what the CLI needs to
 * declare `--backend` and check TRANSFERKIT_BACKEND before any command runs.
 * `engine/backend.ts` (which loads tfjs) re-exports these.
 */
import { InvalidArgumentError } from '../errors.js';

export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Throw InvalidArgumentError when `value` (if given) is not a backend name. */
export function checkBackendName(value: string | undefined, source: string): void {
  if (value !== undefined) parseBackend(value, source);
}

/** `value` as a backend name, or InvalidArgumentError naming where it came from. */
export function parseBackend(value: string, source: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new InvalidArgumentError(`unknown backend '${value}' (from ${source})`, {
    hint: `use one of: ${BACKEND_NAMES.join(', ')}`,
  });
}
