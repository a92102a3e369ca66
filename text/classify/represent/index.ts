export * from './document-encoder.js';
export * from './representations.js';
