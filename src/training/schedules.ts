/**
 * Learning-rate schedules: each maps training progress to a multiplier of the
 * base learning rate, evaluated before every batch.
 */
import { InvalidArgumentError } from '../errors.js';

export type LrSchedule =
  | { type: 'constant' }
  /** Multiply by `gamma` every `every` epochs. Defaults: every 10, gamma 0.1. */
  | { type: 'step'; every?: number; gamma?: number }
  /** Cosine decay from the base rate to `min` × base over all steps, after an optional linear warm-up fraction. Defaults: min 0, warmup 0. */
  | { type: 'cosine'; min?: number; warmup?: number }
  /** fastai's one-cycle: warm up from base/divFactor to base over `pctStart`, then cosine down to base/(divFactor·finalDivFactor). Defaults: 0.25, 25, 1e4. */
  | { type: 'one-cycle'; pctStart?: number; divFactor?: number; finalDivFactor?: number };

export interface ScheduleProgress {
  /** Global step (0-based) and total steps of the fit. */
  step: number;
  totalSteps: number;
  /** 0-based epoch. */
  epoch: number;
}

const cosine = (from: number, to: number, t: number) => to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;

export function lrMultiplier(schedule: LrSchedule | undefined, p: ScheduleProgress): number {
  const t = p.totalSteps <= 1 ? 0 : p.step / (p.totalSteps - 1);
  switch (schedule?.type ?? 'constant') {
    case 'constant':
      return 1;
    case 'step': {
      const s = schedule as Extract<LrSchedule, { type: 'step' }>;
      return Math.pow(s.gamma ?? 0.1, Math.floor(p.epoch / (s.every ?? 10)));
    }
    case 'cosine': {
      const s = schedule as Extract<LrSchedule, { type: 'cosine' }>;
      const warm = s.warmup ?? 0;
      if (warm > 0 && t < warm) return (t / warm) * (1 - 1e-3) + 1e-3;
      return cosine(1, s.min ?? 0, warm >= 1 ? 1 : (t - warm) / (1 - warm));
    }
    case 'one-cycle': {
      const s = schedule as Extract<LrSchedule, { type: 'one-cycle' }>;
      const pct = s.pctStart ?? 0.25;
      const div = s.divFactor ?? 25;
      const finalDiv = s.finalDivFactor ?? 1e4;
      if (t < pct) return cosine(1 / div, 1, t / pct);
      return cosine(1, 1 / (div * finalDiv), (t - pct) / (1 - pct));
    }
  }
  throw new InvalidArgumentError(`unknown learning-rate schedule '${(schedule as { type: string }).type}'`);
}

/** Parse a CLI form: "constant", "step:10:0.1", "cosine", "one-cycle". */
export function parseSchedule(text: string): LrSchedule {
  const [type, a, b] = text.split(':');
  switch (type) {
    case 'constant':
      return { type };
    case 'step':
      return { type, every: a ? Number(a) : undefined, gamma: b ? Number(b) : undefined };
    case 'cosine':
      return { type, min: a ? Number(a) : undefined };
    case 'one-cycle':
    case 'onecycle':
      return { type: 'one-cycle', pctStart: a ? Number(a) : undefined };
  }
  throw new InvalidArgumentError(`unknown learning-rate schedule '${text}'`, {
    hint: 'use constant, step[:every[:gamma]], cosine[:min] or one-cycle[:pctStart]',
  });
}
