export * from './classification.js';
export * from './split.js';
