/**
 * Learning-rate schedules: each maps training progress to a multiplier of the
 * base learning rate, evaluated before every batch. One-cycle can also cycle the
 * optimizer's momentum (`momentumAt`).
 */
import { InvalidArgumentError } from '../errors.js';
import { decimalNumber } from '../options.js';

export type LrSchedule =
  | { type: 'constant' }
  /** Multiply by `gamma` every `every` epochs. Defaults: every 10, gamma 0.1. */
  | { type: 'step'; every?: number; gamma?: number }
  /** Cosine decay from the base rate to `min` × base over all steps, after an optional linear warm-up fraction. Defaults: min 0, warmup 0. */
  | { type: 'cosine'; min?: number; warmup?: number }
  /**
   * One-cycle (Smith 2018), as PyTorch's OneCycleLR: warm up from base/divFactor to base over
   * `pctStart`, then cosine down to base/(divFactor·finalDivFactor). Defaults: 0.25, 25, 1e4.
   * `cycleMomentum` also cycles the momentum the other way, as fastai's fit_one_cycle does: cosine
   * from `high` down to `low` while the rate warms up, then back up to `high` (default 0.95 → 0.85 →
   * 0.95) — SGD's momentum, Adam's beta1. Off by default: the learning rate only.
   */
  | { type: 'one-cycle'; pctStart?: number; divFactor?: number; finalDivFactor?: number; cycleMomentum?: boolean | MomentumCycle };

/** The momentum range of a one-cycle schedule. */
export interface MomentumCycle {
  /** Momentum at the start and the end. Default 0.95. */
  high?: number;
  /** Momentum at the peak of the learning rate. Default 0.85. */
  low?: number;
}

export const DEFAULT_MOMENTUM_CYCLE = { high: 0.95, low: 0.85 } as const;

export interface ScheduleProgress {
  /** Global step (0-based) and total steps of the fit. */
  step: number;
  totalSteps: number;
  /** 0-based epoch. */
  epoch: number;
}

/** Each schedule type's defaults, as the hint of a refused value says them. */
const DEFAULTS_TEXT: Record<LrSchedule['type'], string> = {
  constant: '',
  step: 'every 10, gamma 0.1',
  cosine: 'min 0, warmup 0',
  'one-cycle': 'pctStart 0.25, divFactor 25, finalDivFactor 1e4',
};

const MOMENTUM_HINT = `the momentum is 'high' at the start and the end and 'low' at the peak of the rate; default high ${DEFAULT_MOMENTUM_CYCLE.high}, low ${DEFAULT_MOMENTUM_CYCLE.low}`;

function check(ok: boolean, what: string, type: LrSchedule['type'], hint = `leave the value out for its default (${type}: ${DEFAULTS_TEXT[type]})`): void {
  if (!ok) throw new InvalidArgumentError(`learning-rate schedule: ${what}`, { hint });
}

/** Throw an InvalidArgumentError when a schedule's numbers would give a NaN or negative rate. */
export function validateSchedule(schedule: LrSchedule | undefined): void {
  if (!schedule) return;
  const finite = (v: number | undefined) => v === undefined || Number.isFinite(v);
  switch (schedule.type) {
    case 'constant':
      return;
    case 'step':
      check(schedule.every === undefined || (Number.isInteger(schedule.every) && schedule.every >= 1), `'every' must be a whole number of epochs ≥ 1, got ${schedule.every}`, 'step');
      check(finite(schedule.gamma) && (schedule.gamma ?? 0.1) > 0, `'gamma' must be > 0, got ${schedule.gamma}`, 'step');
      return;
    case 'cosine':
      check(finite(schedule.min) && (schedule.min ?? 0) >= 0 && (schedule.min ?? 0) <= 1, `'min' must be in [0, 1], got ${schedule.min}`, 'cosine');
      check(finite(schedule.warmup) && (schedule.warmup ?? 0) >= 0 && (schedule.warmup ?? 0) < 1, `'warmup' must be in [0, 1), got ${schedule.warmup}`, 'cosine');
      return;
    case 'one-cycle':
      check(finite(schedule.pctStart) && (schedule.pctStart ?? 0.25) > 0 && (schedule.pctStart ?? 0.25) < 1, `'pctStart' must be in (0, 1), got ${schedule.pctStart}`, 'one-cycle');
      check(finite(schedule.divFactor) && (schedule.divFactor ?? 25) > 0, `'divFactor' must be > 0, got ${schedule.divFactor}`, 'one-cycle');
      check(finite(schedule.finalDivFactor) && (schedule.finalDivFactor ?? 1e4) > 0, `'finalDivFactor' must be > 0, got ${schedule.finalDivFactor}`, 'one-cycle');
      if (schedule.cycleMomentum !== undefined && typeof schedule.cycleMomentum !== 'boolean') {
        const c = schedule.cycleMomentum as MomentumCycle | null;
        check(c !== null && typeof c === 'object', `'cycleMomentum' must be true, false or { high, low }, got ${JSON.stringify(c)}`, 'one-cycle', MOMENTUM_HINT);
        const { high, low } = momentumCycle(schedule)!;
        const inUnit = (v: unknown) => typeof v === 'number' && v >= 0 && v < 1;
        check(inUnit(high) && inUnit(low), `momentum cycle values must be in [0, 1), got high ${high}, low ${low}`, 'one-cycle', MOMENTUM_HINT);
        check(low <= high, `momentum cycle: 'low' (${low}) must not exceed 'high' (${high}) — the momentum falls while the rate rises`, 'one-cycle', MOMENTUM_HINT);
      }
      return;
  }
  throw new InvalidArgumentError(`unknown learning-rate schedule '${(schedule as { type: string }).type}'`, {
    hint: 'use constant, step, cosine or one-cycle',
  });
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

/** The momentum range a schedule cycles, or undefined when it leaves the momentum alone. */
export function momentumCycle(schedule: LrSchedule | undefined): { high: number; low: number } | undefined {
  if (schedule?.type !== 'one-cycle' || !schedule.cycleMomentum) return undefined;
  const c = schedule.cycleMomentum === true ? {} : schedule.cycleMomentum;
  return { high: c.high ?? DEFAULT_MOMENTUM_CYCLE.high, low: c.low ?? DEFAULT_MOMENTUM_CYCLE.low };
}

/**
 * The momentum at this point of training (fastai's one-cycle: high → low while the rate warms up,
 * then back to high), or undefined when the schedule does not cycle it.
 */
export function momentumAt(schedule: LrSchedule | undefined, p: ScheduleProgress): number | undefined {
  const cycle = momentumCycle(schedule);
  if (!cycle) return undefined;
  const t = p.totalSteps <= 1 ? 0 : p.step / (p.totalSteps - 1);
  const pct = (schedule as Extract<LrSchedule, { type: 'one-cycle' }>).pctStart ?? 0.25;
  return t < pct ? cosine(cycle.high, cycle.low, t / pct) : cosine(cycle.low, cycle.high, (t - pct) / (1 - pct));
}

/**
 * The text forms `parseSchedule` reads, one per schedule type: the numbers after the name are the
 * LrSchedule fields of that type, in this order, each optional (an empty one keeps its default:
 * `step::0.5`). For help texts and error hints.
 */
export const SCHEDULE_FORMS = {
  constant: 'constant',
  step: 'step[:every[:gamma]]',
  cosine: 'cosine[:min[:warmup]]',
  'one-cycle': 'one-cycle[:pctStart[:divFactor[:finalDivFactor]]]',
} as const satisfies Record<LrSchedule['type'], string>;

/** The fields each text form sets, in order. */
const FORM_FIELDS: { [T in LrSchedule['type']]: readonly string[] } = {
  constant: [],
  step: ['every', 'gamma'],
  cosine: ['min', 'warmup'],
  'one-cycle': ['pctStart', 'divFactor', 'finalDivFactor'],
};

/** Names `parseSchedule` also accepts (PyTorch's OneCycleLR, fastai's "1cycle"). */
const SCHEDULE_ALIASES: Record<string, LrSchedule['type']> = { onecycle: 'one-cycle', one_cycle: 'one-cycle', '1cycle': 'one-cycle' };

const formsHint = () => `use ${Object.values(SCHEDULE_FORMS).join(', ')}`;

/**
 * Parse a schedule's text form (the CLI's `--schedule`): "constant", "step:10:0.1", "cosine:0.01",
 * "one-cycle", "one-cycle:0.3" (see SCHEDULE_FORMS); spaces around each part are ignored, numbers are
 * decimal (0x10 is refused). The result is validated: an unknown name (the
 * error lists the valid forms), a part that is not a number, more numbers than the type takes, or a
 * value out of range is an InvalidArgumentError. Momentum cycling has its own form: parseMomentumCycle.
 */
export function parseSchedule(text: string): LrSchedule {
  // Spaces around each part are allowed (' step : 3 ' is step:3).
  const [rawName = '', ...parts] = text.split(':').map((p) => p.trim());
  const name = rawName.toLowerCase();
  const type = (Object.hasOwn(FORM_FIELDS, name) ? name : Object.hasOwn(SCHEDULE_ALIASES, name) ? SCHEDULE_ALIASES[name] : undefined) as LrSchedule['type'] | undefined;
  if (type === undefined) {
    throw new InvalidArgumentError(`unknown learning-rate schedule '${text}'`, { hint: formsHint() });
  }
  const fields = FORM_FIELDS[type];
  if (parts.length > fields.length) {
    const takes = fields.length === 0 ? 'takes no numbers' : `takes at most ${fields.length} (${fields.join(', ')})`;
    throw new InvalidArgumentError(`learning-rate schedule '${text}' has ${parts.length} number${parts.length === 1 ? '' : 's'}; ${type} ${takes}`, {
      hint: `write ${SCHEDULE_FORMS[type]}`,
    });
  }
  const schedule: Record<string, unknown> = { type };
  parts.forEach((part, i) => {
    if (part === '') return; // empty: the default
    const value = decimalNumber(part);
    if (!Number.isFinite(value)) {
      throw new InvalidArgumentError(`learning-rate schedule '${text}': '${fields[i]}' must be a number, got '${part}'`, { hint: `write ${SCHEDULE_FORMS[type]} with decimal numbers (e.g. 10, 0.5, 1e-3)` });
    }
    schedule[fields[i]!] = value;
  });
  validateSchedule(schedule as LrSchedule);
  return schedule as LrSchedule;
}

/**
 * Parse a one-cycle momentum range (the CLI's `--cycle-momentum`): "high,low", e.g. "0.95,0.85" —
 * fastai's `moms=(0.95, 0.85, 0.95)` without the repeated end. Checked as validateSchedule checks
 * `cycleMomentum` (both in [0, 1), low ≤ high).
 */
export function parseMomentumCycle(text: string): Required<MomentumCycle> {
  const parts = text.split(',');
  const [high, low] = parts.map((p) => decimalNumber(p.trim()));
  if (parts.length !== 2 || !Number.isFinite(high) || !Number.isFinite(low)) {
    throw new InvalidArgumentError(`momentum cycle '${text}' is not two numbers high,low`, {
      hint: `write e.g. ${DEFAULT_MOMENTUM_CYCLE.high},${DEFAULT_MOMENTUM_CYCLE.low} (the default): the momentum at the start and the end, then at the peak of the rate`,
    });
  }
  const cycle = { high: high!, low: low! };
  validateSchedule({ type: 'one-cycle', cycleMomentum: cycle });
  return cycle;
}
