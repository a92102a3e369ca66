export * from './sentence-encoder.js';
export * from './encoder.js';
export * from './use-lite/index.js';
