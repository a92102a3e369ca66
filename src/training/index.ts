export * from './data.js';
export * from './events.js';
export * from './schedules.js';
export * from './trainer.js';
export * from './callbacks/early-stopping.js';
export * from './callbacks/progress-bar.js';
export * from './callbacks/history-writer.js';
export * from './callbacks/model-checkpoint.js';
export type { MonitorMode } from './callbacks/monitor.js';
