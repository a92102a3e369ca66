import type * as tf from '@tensorflow/tfjs';
import type { TrainerEvent } from '../events.js';
import type { Callback, TrainerControl } from '../trainer.js';
import { definedOptions } from '../../options.js';
import { Monitor, type MonitorMode } from './monitor.js';

export interface EarlyStoppingOptions {
  /** Logged value to watch. Default 'val_loss'; falls back to the training value ('loss') when there is no validation set. */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies; 'auto' decides from the name. Default 'auto'. */
  mode?: MonitorMode;
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
  private readonly monitor: Monitor;

  constructor(options: EarlyStoppingOptions = {}) {
    // Options given as undefined keep their defaults.
    this.o = { monitor: 'val_loss', mode: 'auto', patience: 5, minDelta: 0, restoreBestWeights: true, ...definedOptions(options) };
    this.monitor = new Monitor(this.o.monitor, this.o.mode, 'EarlyStopping');
  }

  private reset(): void {
    this.best = NaN;
    this.bestEpoch = -1;
    this.wait = 0;
    this.bestWeights?.forEach((w) => w.dispose());
    this.bestWeights = undefined;
  }

  onEvent(event: TrainerEvent, trainer: TrainerControl): void {
    switch (event.type) {
      case 'fitBegin':
        // One instance may serve several fits (e.g. the two phases of fine-tuning): start afresh.
        this.reset();
        trainer.history.monitor = this.monitor.begin(event.validationSize);
        break;
      case 'epochEnd': {
        const value = this.monitor.value(event.logs, trainer);
        if (value === undefined || Number.isNaN(value)) return;
        if (this.monitor.improves(value, this.best, this.o.minDelta)) {
          this.best = value;
          this.bestEpoch = event.epoch;
          this.wait = 0;
          if (this.o.restoreBestWeights) {
            this.bestWeights?.forEach((w) => w.dispose());
            this.bestWeights = trainer.snapshot();
          }
        } else if (++this.wait >= this.o.patience) {
          trainer.stop(`early stopping: ${this.monitor.name} did not improve for ${this.o.patience} epochs`);
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
