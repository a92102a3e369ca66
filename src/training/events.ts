/** Everything the training loop announces, as one typed union. */

export interface EpochLogs {
  /** 0-based epoch number. */
  epoch: number;
  loss: number;
  acc: number;
  val_loss?: number;
  val_acc?: number;
  /** Learning rate at the end of the epoch (base group). */
  lr: number;
  /** Momentum (SGD's, Adam's beta1) at the end of the epoch, when the schedule cycles it. */
  momentum?: number;
  seconds: number;
  [metric: string]: number | undefined;
}

export interface History {
  epochs: EpochLogs[];
  /** Set when training ended before the last epoch. */
  stopReason?: string;
  /** Epoch whose weights the model holds at the end (set by early stopping). */
  bestEpoch?: number;
  monitor?: string;
}

export type TrainerEvent =
  | { type: 'fitBegin'; epochs: number; stepsPerEpoch: number; trainSize: number; validationSize: number }
  | { type: 'epochBegin'; epoch: number }
  | { type: 'batchBegin'; epoch: number; batch: number }
  | { type: 'batchEnd'; epoch: number; batch: number; loss: number; lr: number; momentum?: number }
  | { type: 'epochEnd'; epoch: number; logs: EpochLogs }
  | { type: 'fitEnd'; history: History };

export type TrainerEventType = TrainerEvent['type'];
