/**
 * The logged value a callback watches (EarlyStopping, ModelCheckpoint): its name for this fit,
 * whether it should go down or up, and its value at the end of each epoch.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { EpochLogs } from '../events.js';
import type { TrainerControl } from '../trainer.js';

/** 'min' for losses, 'max' for accuracies; 'auto' decides from the name. */
export type MonitorMode = 'min' | 'max' | 'auto';

const MODES: readonly MonitorMode[] = ['min', 'max', 'auto'];
/** Names 'auto' reads as "higher is better". */
const HIGHER_IS_BETTER = /acc|f1|auc|precision|recall/;

export class Monitor {
  /** The name watched in the current fit (see `begin`). */
  name: string;

  /** `who` names the callback in messages, e.g. "EarlyStopping". */
  constructor(
    private readonly wanted: string,
    private readonly mode: MonitorMode,
    private readonly who: string,
  ) {
    if (typeof wanted !== 'string' || wanted === '') throw new InvalidArgumentError(`${who}: monitor must be the name of a logged value, got ${String(wanted)}`);
    if (!MODES.includes(mode)) throw new InvalidArgumentError(`${who}: unknown mode '${String(mode)}'`, { hint: "use 'min', 'max' or 'auto'" });
    this.name = wanted;
  }

  /** At fitBegin: without a validation set, a `val_` name is watched on the training set (`val_loss` → `loss`). */
  begin(validationSize: number): string {
    this.name = validationSize > 0 ? this.wanted : this.wanted.replace(/^val_/, '');
    return this.name;
  }

  get higherIsBetter(): boolean {
    return this.mode === 'max' || (this.mode === 'auto' && HIGHER_IS_BETTER.test(this.name));
  }

  /**
   * The watched value of an epoch; undefined for an epoch cut short by a stop (Ctrl-C, or a callback's
   * stop at a batch: it is not validated, and its training loss averages only the batches that ran). A name the epochs never log is an error naming those they
   * do — as Keras warns: watching val_accuracy for our val_acc would silently never act.
   */
  value(logs: EpochLogs, trainer: TrainerControl): number | undefined {
    // A partial epoch's training loss averages only the batches that ran: not comparable with whole epochs.
    if (trainer.epochCutShort) return undefined;
    const value = logs[this.name];
    if (value !== undefined) return value;
    if (trainer.stopRequested) return undefined;
    const logged = Object.keys(logs).filter((k) => typeof logs[k] === 'number' && !['epoch', 'seconds', 'lr', 'momentum'].includes(k));
    throw new InvalidArgumentError(`${this.who} monitors '${this.name}', which the epochs do not log`, { hint: `monitor one of ${logged.join(', ')}` });
  }

  /** Whether `value` is better than `best` by more than `minDelta` (anything beats a NaN best; a NaN value never improves). */
  improves(value: number, best: number, minDelta = 0): boolean {
    if (Number.isNaN(value)) return false;
    if (Number.isNaN(best)) return true;
    return this.higherIsBetter ? value > best + minDelta : value < best - minDelta;
  }
}
