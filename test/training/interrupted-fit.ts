/**
 * Child process for trainer.test.ts: trains a small head for "ever" with handleInterrupt,
 * says "training" after the first batch, and prints the history's stop reason when fit returns.
 */
import { initEngine } from '../../src/engine/backend.js';
import { buildHead } from '../../src/heads/head.js';
import { Trainer } from '../../src/training/index.js';
import { blobs } from '../helpers/toy.js';

await initEngine();
const data = blobs({ n: 64, dim: 4, classes: 2, seed: 9 });
const model = buildHead({ type: 'linear' }, { inputDim: 4, numClasses: 2 });
let said = false;
const history = await new Trainer(model, {
  epochs: 1_000_000,
  batchSize: 8,
  learningRate: 0.01,
  handleInterrupt: true,
  callbacks: [{ onEvent: (e) => void (e.type === 'batchEnd' && !said && (said = true) && process.stdout.write('training\n')) }],
}).fit({ x: data.tensor(), y: data.y });
process.stdout.write(JSON.stringify({ stopReason: history.stopReason, epochs: history.epochs.length }) + '\n');
