import cliProgress from 'cli-progress';
import type { EpochLogs, TrainerEvent } from '../events.js';
import type { Callback } from '../trainer.js';

/** A learning rate in three significant digits: 0.001 → 1.00e-3. */
export const formatRate = (lr: number): string => lr.toExponential(2).replace('e+', 'e');

const fmt = (logs: EpochLogs) =>
  [
    `loss ${logs.loss.toFixed(4)}`,
    `acc ${(100 * logs.acc).toFixed(1)}%`,
    logs.val_loss !== undefined ? `val_loss ${logs.val_loss.toFixed(4)}` : '',
    logs.val_acc !== undefined ? `val_acc ${(100 * logs.val_acc).toFixed(1)}%` : '',
    // The rate (and the momentum, when a one-cycle schedule cycles it) the epoch ended with: a schedule's effect shows.
    `lr ${formatRate(logs.lr)}`,
    logs.momentum !== undefined ? `momentum ${logs.momentum.toFixed(3)}` : '',
    `${logs.seconds.toFixed(1)}s`,
  ]
    .filter(Boolean)
    .join('  ');

/**
 * Terminal progress: a bar per epoch (batches, running loss, ETA) when the
 * stream is a TTY, and one summary line per epoch in any case.
 */
export class ProgressBarCallback implements Callback {
  private bar?: cliProgress.SingleBar;
  private epochs = 0;
  private steps = 0;
  private running = 0;

  constructor(
    private readonly write: (text: string) => void = (t) => process.stderr.write(t),
    private readonly interactive = Boolean(process.stderr.isTTY),
  ) {}

  onEvent(event: TrainerEvent): void {
    switch (event.type) {
      case 'fitBegin':
        this.epochs = event.epochs;
        this.steps = event.stepsPerEpoch;
        this.write(`training on ${event.trainSize} examples${event.validationSize ? `, validating on ${event.validationSize}` : ''}\n`);
        break;
      case 'epochBegin':
        this.running = 0;
        if (this.interactive) {
          this.bar = new cliProgress.SingleBar(
            {
              stream: process.stderr,
              format: `epoch ${event.epoch + 1}/${this.epochs} [{bar}] {value}/{total} loss {loss} ETA {eta_formatted}`,
              clearOnComplete: true,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          this.bar.start(this.steps, 0, { loss: '-' });
        }
        break;
      case 'batchEnd':
        this.running = event.batch === 0 ? event.loss : 0.9 * this.running + 0.1 * event.loss;
        this.bar?.update(event.batch + 1, { loss: this.running.toFixed(4) });
        break;
      case 'epochEnd':
        this.bar?.stop();
        this.bar = undefined;
        this.write(`epoch ${event.epoch + 1}/${this.epochs}  ${fmt(event.logs)}\n`);
        break;
      case 'fitEnd':
        this.bar?.stop();
        if (event.history.stopReason) this.write(`stopped: ${event.history.stopReason}\n`);
        if (event.history.bestEpoch !== undefined) {
          this.write(`kept the weights of epoch ${event.history.bestEpoch + 1} (best ${event.history.monitor})\n`);
        }
        break;
    }
  }
}
