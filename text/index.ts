export * from './vectors/index.js';
