/**
 * Checkpoints of a vision training run: on each improvement of the monitored value, the whole
 * classifier (body + pooling + head, not only the part a fit trains) is saved as a loadable
 * image-classifier bundle, so a long run stopped by hand still leaves its best model.
 *
 * It rides on the core's ModelCheckpoint (monitor name, val_ fallback, mode, unlogged-name error)
 * through its `save` function. ModelCheckpoint starts afresh at every fit; fine-tune runs two, so
 * the best value is kept here across them: phase 2's first epoch does not replace a better warm-up.
 */
import { InvalidArgumentError } from '../src/errors.js';
import type { EpochLogs, History, TrainerEvent } from '../src/training/events.js';
import { ModelCheckpoint } from '../src/training/callbacks/model-checkpoint.js';
import { Monitor, type MonitorMode } from '../src/training/callbacks/monitor.js';
import type { Callback, TrainerControl } from '../src/training/trainer.js';

export interface VisionCheckpointOptions {
  /** Folder the best classifier so far is written to (an image-classifier bundle, atomically; each save replaces the last). */
  dir: string;
  /** Logged value to watch. Default 'val_loss'; 'loss' when there is no validation data. */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies; 'auto' decides from the name. Default 'auto'. */
  mode?: MonitorMode;
}

/** The epoch a checkpoint holds. */
export interface CheckpointRecord {
  dir: string;
  /** 0-based epoch, numbered across phases (as the run's history). */
  epoch: number;
  /** fine-tune: the phase's name and the 0-based epoch within it. */
  phase?: string;
  phaseEpoch?: number;
  /** The name watched and its value at that epoch. */
  monitor: string;
  value: number;
}

/** What the save function is given: the epoch to record, and every phase's epochs so far (this one included). */
export interface CheckpointSave {
  record: CheckpointRecord;
  logs: EpochLogs;
  histories: History[];
}

/** Refuse checkpoint options of the wrong shape (monitor and mode are checked by ModelCheckpoint). */
export function checkCheckpointOptions(options: VisionCheckpointOptions): void {
  if (options === null || typeof options !== 'object' || typeof options.dir !== 'string' || options.dir === '') {
    throw new InvalidArgumentError(`checkpoint must be { dir, monitor?, mode? } with a folder name as dir, got ${JSON.stringify(options)}`);
  }
}

export class VisionCheckpoint implements Callback {
  /** The epoch the checkpoint folder holds (undefined until the first save). */
  best?: CheckpointRecord;
  private readonly inner: ModelCheckpoint;
  private readonly histories: History[] = [];

  constructor(
    private readonly options: VisionCheckpointOptions,
    /** Names of the phases (one fit each) when there are several. */
    private readonly phases: readonly string[] | undefined,
    /** Writes the bundle (the whole classifier, whatever model the running fit trains). */
    private readonly save: (what: CheckpointSave) => Promise<void>,
  ) {
    checkCheckpointOptions(options);
    this.inner = new ModelCheckpoint({ monitor: options.monitor, mode: options.mode, save: (_model, info) => this.onImproved(info.epoch, info.logs, info.monitor, info.value) });
  }

  async onEvent(event: TrainerEvent, trainer: TrainerControl): Promise<void> {
    if (event.type === 'fitBegin') this.histories.push({ epochs: [] });
    // Recorded before ModelCheckpoint judges the epoch, so a save includes it in the history.
    if (event.type === 'epochEnd') this.histories[this.histories.length - 1].epochs.push(event.logs);
    await this.inner.onEvent(event, trainer);
  }

  /** Called by ModelCheckpoint when the value improves within the current fit; saved only if it beats every earlier phase too. */
  private async onImproved(phaseEpoch: number, logs: EpochLogs, monitor: string, value: number | undefined): Promise<void> {
    if (value === undefined) return;
    if (this.best && !new Monitor(monitor, this.options.mode ?? 'auto', 'checkpoint').improves(value, this.best.value)) return;
    const phaseIndex = this.histories.length - 1;
    const epoch = this.histories.slice(0, phaseIndex).reduce((n, h) => n + h.epochs.length, 0) + phaseEpoch;
    const phase = this.phases && this.phases.length > 1 ? { phase: this.phases[phaseIndex], phaseEpoch } : {};
    const record: CheckpointRecord = { dir: this.options.dir, epoch, ...phase, monitor, value };
    await this.save({ record, logs, histories: this.histories.map((h) => ({ epochs: [...h.epochs] })) });
    this.best = record;
  }
}
