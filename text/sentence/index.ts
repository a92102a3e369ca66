export * from './encoder.js';
