export * from './vectors/index.js';
export * from './classify/index.js';
export * from './sentence/index.js';
