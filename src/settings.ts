/**
 * Process-wide settings, read from the environment once and overridable in code.
 *
 * | setting   | env var                | default                                   |
 * |-----------|------------------------|-------------------------------------------|
 * | cacheDir  | TRANSFERKIT_CACHE      | $XDG_CACHE_HOME/transferkit or ~/.cache/transferkit |
 * | offline   | TRANSFERKIT_OFFLINE=1  | false (downloads allowed)                 |
 * | backend   | TRANSFERKIT_BACKEND    | automatic (node-gpu → node → wasm → cpu)  |
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Settings {
  cacheDir: string;
  offline: boolean;
  backend?: string;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

function defaultCacheDir(): string {
  if (process.env.TRANSFERKIT_CACHE) return resolve(process.env.TRANSFERKIT_CACHE);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'transferkit');
}

export const settings: Settings = {
  cacheDir: defaultCacheDir(),
  offline: truthy(process.env.TRANSFERKIT_OFFLINE),
  backend: process.env.TRANSFERKIT_BACKEND || undefined,
};

/** Sub-folder of the cache for one kind of artefact (e.g. "vectors", "backbones"). */
export function cachePath(...parts: string[]): string {
  return join(settings.cacheDir, ...parts);
}
