import { InvalidArgumentError } from '../../errors.js';
import type * as tf from '@tensorflow/tfjs';
import type { TrainerEvent } from '../events.js';
import type { Callback, TrainerControl } from '../trainer.js';

export interface EarlyStoppingOptions {
  /** Logged value to watch. Default 'val_loss'; falls back to the training value ('loss') when there is no validation set. */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies; 'auto' decides from the name. Default 'auto'. */
  mode?: 'min' | 'max' | 'auto';
  /** Epochs without improvement before stopping. Default 5. */
  patience?: number;
  /** Smallest change that counts as improvement. Default 0. */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends (also after Ctrl-C). Default true. */
  restoreBestWeights?: boolean;
}

/**
 * Stop when the monitored value stops improving, and keep the best weights.
 * With `patience: Infinity` it is a plain "best checkpoint" keeper.
 */
export class EarlyStopping implements Callback {
  private readonly o: Required<EarlyStoppingOptions>;
  private best = NaN;
  private bestEpoch = -1;
  private bestWeights?: tf.Tensor[];
  private wait = 0;
  private monitor = '';

  constructor(options: EarlyStoppingOptions = {}) {
    this.o = { monitor: 'val_loss', mode: 'auto', patience: 5, minDelta: 0, restoreBestWeights: true, ...options };
  }

  private reset(): void {
    this.best = NaN;
    this.bestEpoch = -1;
    this.wait = 0;
    this.bestWeights?.forEach((w) => w.dispose());
    this.bestWeights = undefined;
  }

  private better(value: number): boolean {
    if (Number.isNaN(this.best)) return true;
    const max = this.o.mode === 'max' || (this.o.mode === 'auto' && /acc|f1|auc|precision|recall/.test(this.monitor));
    return max ? value > this.best + this.o.minDelta : value < this.best - this.o.minDelta;
  }

  onEvent(event: TrainerEvent, trainer: TrainerControl): void {
    switch (event.type) {
      case 'fitBegin':
        // One instance may serve several fits (e.g. the two phases of fine-tuning): start afresh.
        this.reset();
        this.monitor = event.validationSize > 0 ? this.o.monitor : this.o.monitor.replace(/^val_/, '');
        trainer.history.monitor = this.monitor;
        break;
      case 'epochEnd': {
        const value = event.logs[this.monitor];
        if (value === undefined) {
          // An epoch cut short by a stop (Ctrl-C) is not validated: nothing to judge.
          if (trainer.stopRequested) return;
          // As Keras warns: a name the epochs never log (val_accuracy for val_acc) would silently never stop anything.
          const logged = Object.keys(event.logs).filter((k) => typeof event.logs[k] === 'number' && k !== 'epoch' && k !== 'seconds' && k !== 'lr');
          throw new InvalidArgumentError(`EarlyStopping monitors '${this.monitor}', which the epochs do not log`, { hint: `monitor one of ${logged.join(', ')}` });
        }
        if (Number.isNaN(value)) return;
        if (this.better(value)) {
          this.best = value;
          this.bestEpoch = event.epoch;
          this.wait = 0;
          if (this.o.restoreBestWeights) {
            this.bestWeights?.forEach((w) => w.dispose());
            this.bestWeights = trainer.snapshot();
          }
        } else if (++this.wait >= this.o.patience) {
          trainer.stop(`early stopping: ${this.monitor} did not improve for ${this.o.patience} epochs`);
        }
        break;
      }
      case 'fitEnd': {
        const last = event.history.epochs.length - 1;
        if (this.bestWeights && (this.bestEpoch !== last || event.history.stopReason === 'interrupted')) {
          trainer.restore(this.bestWeights);
        }
        if (this.bestEpoch >= 0) event.history.bestEpoch = this.bestEpoch;
        this.bestWeights?.forEach((w) => w.dispose());
        this.bestWeights = undefined;
        break;
      }
    }
  }
}
