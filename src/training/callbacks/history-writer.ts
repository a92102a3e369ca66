import { writeFileAtomic } from '../../io/atomic.js';
import type { TrainerEvent } from '../events.js';
import type { Callback, TrainerControl } from '../trainer.js';

/** Keeps a JSON file with the training history up to date (rewritten atomically after each epoch). */
export class HistoryWriter implements Callback {
  constructor(private readonly path: string) {}

  async onEvent(event: TrainerEvent, trainer: TrainerControl): Promise<void> {
    if (event.type === 'epochEnd' || event.type === 'fitEnd') {
      await writeFileAtomic(this.path, JSON.stringify(trainer.history, null, 2) + '\n');
    }
  }
}
