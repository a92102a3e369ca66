/**
 * transferkit's shared core: engine selection, errors, settings and cache,
 * the Encoder abstraction, heads, the trainer and its callbacks, metrics and
 * model bundles. Domain modules (vision/, text/, embeddings/) build on it.
 */
export * from './errors.js';
export * from './settings.js';
export * from './progress.js';
export * from './random.js';
export * from './options.js';
export * from './encoder.js';
export * from './engine/backend.js';
export * from './io/atomic.js';
export * from './io/output.js';
export * from './io/hash.js';
export * from './io/listed-file.js';
export * from './io/download.js';
export * from './heads/index.js';
export * from './training/index.js';
export * from './metrics/index.js';
export * from './bundle/index.js';
export { packageVersion } from './package-info.js';
