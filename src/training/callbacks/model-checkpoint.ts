/**
 * ModelCheckpoint (as Keras's): when the monitored logged value improves — or after every epoch —
 * save the model to a folder, hand it to a function of yours, and/or keep its weights to put back
 * when training ends.
 */
import type * as tf from '@tensorflow/tfjs';
import { checkBundleOutput, saveBundle } from '../../bundle/bundle.js';
import { InvalidArgumentError } from '../../errors.js';
import type { EpochLogs, TrainerEvent } from '../events.js';
import type { Callback, TrainerControl } from '../trainer.js';
import { definedOptions } from '../../options.js';
import { Monitor, type MonitorMode } from './monitor.js';

/** The bundle kind of a checkpoint folder: `loadBundle(path, { kind: CHECKPOINT_KIND }).model`. */
export const CHECKPOINT_KIND = 'checkpoint';

/** What a save is told about the epoch it saves. */
export interface CheckpointInfo {
  /** 0-based epoch. */
  epoch: number;
  logs: EpochLogs;
  /** The name watched in this fit (`val_loss` becomes `loss` without a validation set). */
  monitor: string;
  /** Its value this epoch (undefined for an epoch cut short by Ctrl-C, saved only when `saveBestOnly` is false). */
  value: number | undefined;
  /** Whether it is the best so far. */
  improved: boolean;
}

export interface ModelCheckpointOptions {
  /** Logged value to watch. Default 'val_loss'; the training value ('loss') when there is no validation set. */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies; 'auto' decides from the name. Default 'auto'. */
  mode?: MonitorMode;
  /** Save only when the monitored value improves (default true; Keras's default is false: every epoch). */
  saveBestOnly?: boolean;
  /**
   * Folder to save the model to, as a model bundle of kind 'checkpoint' (model.json + weights.bin +
   * manifest.json: the 0-based epoch, the monitored value and the epoch's logs), written atomically — a crash
   * mid-save leaves the previous checkpoint whole. `{epoch}` in it is replaced by the 1-based epoch
   * (one folder per save); without it each save replaces the last. Never a folder of your files.
   */
  path?: string;
  /** Or: save it yourself (e.g. as a domain bundle). Awaited before training goes on. */
  save?: (model: tf.LayersModel, info: CheckpointInfo) => void | Promise<void>;
  /** Labels of the bundles written to `path`, one per model output. Default '0', '1', … */
  labels?: string[];
  /** Keep the best epoch's weights in memory and put them back when training ends (also after Ctrl-C). Default false. */
  restoreBestWeights?: boolean;
}

export class ModelCheckpoint implements Callback {
  /** The best epoch of the current (or last) fit and its monitored value. */
  best?: { epoch: number; value: number };
  /** Folders written to `path` in the current (or last) fit, in order. */
  readonly saved: string[] = [];
  private readonly o: ModelCheckpointOptions & { saveBestOnly: boolean; restoreBestWeights: boolean };
  private readonly monitor: Monitor;
  private bestWeights?: tf.Tensor[];
  private labels: string[] = [];

  constructor(options: ModelCheckpointOptions = {}) {
    // Options given as undefined keep their defaults.
    this.o = { saveBestOnly: true, restoreBestWeights: false, ...definedOptions(options) };
    this.monitor = new Monitor(this.o.monitor ?? 'val_loss', this.o.mode ?? 'auto', 'ModelCheckpoint');
    const { path, save, labels } = this.o;
    if (path !== undefined && (typeof path !== 'string' || path === '')) throw new InvalidArgumentError(`ModelCheckpoint: path must be a folder name, got ${JSON.stringify(path)}`);
    if (save !== undefined && typeof save !== 'function') throw new InvalidArgumentError('ModelCheckpoint: save must be a function (model, info) => …');
    if (path !== undefined && save !== undefined) {
      throw new InvalidArgumentError('ModelCheckpoint: give a path or a save function, not both', { hint: 'a save function can write to any path itself' });
    }
    if (path === undefined && save === undefined && !this.o.restoreBestWeights) {
      throw new InvalidArgumentError('ModelCheckpoint has nothing to do: give a path, a save function, or restoreBestWeights: true');
    }
    if (labels !== undefined && (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string'))) {
      throw new InvalidArgumentError('ModelCheckpoint: labels must be an array of strings');
    }
  }

  /** The folder of the save at a 0-based epoch. */
  private pathOf(epoch: number): string {
    return this.o.path!.replaceAll('{epoch}', String(epoch + 1));
  }

  private reset(): void {
    this.best = undefined;
    this.saved.length = 0;
    this.bestWeights?.forEach((w) => w.dispose());
    this.bestWeights = undefined;
  }

  async onEvent(event: TrainerEvent, trainer: TrainerControl): Promise<void> {
    switch (event.type) {
      case 'fitBegin': {
        // One instance may serve several fits: start afresh.
        this.reset();
        this.monitor.begin(event.validationSize);
        if (this.o.path === undefined) break;
        const shape = trainer.model.outputs.length === 1 ? trainer.model.outputs[0].shape : [];
        const units = shape.length >= 2 ? shape[shape.length - 1] : null;
        this.labels = this.o.labels ?? (typeof units === 'number' ? Array.from({ length: units }, (_, i) => String(i)) : []);
        if (this.o.labels && typeof units === 'number' && this.o.labels.length !== units) {
          throw new InvalidArgumentError(`ModelCheckpoint: ${this.o.labels.length} labels for a model with ${units} outputs`, { hint: 'give one label per model output, or none' });
        }
        // Refuse a folder of your files now, not after the first epoch.
        const paths = new Set(Array.from({ length: event.epochs }, (_, e) => this.pathOf(e)));
        for (const p of paths) await checkBundleOutput(p, CHECKPOINT_KIND);
        break;
      }
      case 'epochEnd': {
        const value = this.monitor.value(event.logs, trainer);
        const improved = value !== undefined && this.monitor.improves(value, this.best?.value ?? NaN);
        if (improved) {
          this.best = { epoch: event.epoch, value };
          if (this.o.restoreBestWeights) {
            this.bestWeights?.forEach((w) => w.dispose());
            this.bestWeights = trainer.snapshot();
          }
        }
        if (!improved && this.o.saveBestOnly) break;
        const info: CheckpointInfo = { epoch: event.epoch, logs: event.logs, monitor: this.monitor.name, value, improved };
        if (this.o.save) await this.o.save(trainer.model, info);
        else if (this.o.path !== undefined) await this.write(trainer.model, info);
        break;
      }
      case 'fitEnd': {
        if (this.bestWeights && this.best) {
          const last = event.history.epochs.length - 1;
          if (this.best.epoch !== last || event.history.stopReason === 'interrupted') trainer.restore(this.bestWeights);
          event.history.bestEpoch = this.best.epoch;
          event.history.monitor = this.monitor.name;
        }
        this.bestWeights?.forEach((w) => w.dispose());
        this.bestWeights = undefined;
        break;
      }
    }
  }

  private async write(model: tf.LayersModel, info: CheckpointInfo): Promise<void> {
    const dir = this.pathOf(info.epoch);
    const metrics = Object.fromEntries(Object.entries(info.logs).filter(([k, v]) => k !== 'epoch' && v !== undefined));
    await saveBundle(
      dir,
      {
        kind: CHECKPOINT_KIND,
        labels: this.labels,
        training: { epoch: info.epoch, monitor: info.monitor, value: info.value ?? null, improved: info.improved },
        metrics,
      },
      { model },
    );
    this.saved.push(dir);
  }
}
