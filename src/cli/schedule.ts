/**
 * `--schedule` and `--cycle-momentum`: the core trainer's learning-rate schedule (src/training/schedules.ts)
 * for commands that train with it. Parsing is the library's (`parseSchedule`, `parseMomentumCycle`);
 * this adds the flags to a command and words the library's refusals with the flag names.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, isTransferkitError } from '../errors.js';
import { DEFAULT_MOMENTUM_CYCLE, parseMomentumCycle, parseSchedule, SCHEDULE_FORMS, type LrSchedule } from '../training/schedules.js';

export interface ScheduleOpts {
  schedule?: string;
  /** `true` for a bare --cycle-momentum (the default range), else the "high,low" given. */
  cycleMomentum?: string | true;
}

export interface ScheduleFlagsOptions {
  /** The command's schedule without --schedule, for the help text, e.g. 'constant'. */
  defaultText: string;
}

/** Register --schedule and --cycle-momentum on `cmd`. */
export function addScheduleOptions(cmd: Command, { defaultText }: ScheduleFlagsOptions): Command {
  return cmd
    .option(
      '--schedule <spec>',
      `learning-rate schedule, set before every batch: ${Object.values(SCHEDULE_FORMS).join(', ')} — e.g. one-cycle (fastai's fit_one_cycle, PyTorch's OneCycleLR), cosine (Keras's CosineDecay), step:10:0.1 (default: ${defaultText})`,
    )
    .option(
      '--cycle-momentum [high,low]',
      `with a one-cycle schedule, also cycle the momentum (Adam's beta1) against the rate, as fastai does: high → low while the rate warms up, back to high as it anneals (default ${DEFAULT_MOMENTUM_CYCLE.high},${DEFAULT_MOMENTUM_CYCLE.low})`,
    );
}

/** Run the library's parser of a flag's value; a refusal is re-thrown with the flag and its value named first. */
function named<T>(flag: string, value: string, parse: (value: string) => T): T {
  try {
    return parse(value);
  } catch (e) {
    if (!isTransferkitError(e) || e.code !== 'E_INVALID_ARGUMENT') throw e;
    const quoted = `learning-rate schedule '${value}'`;
    const message = e.message.startsWith(quoted)
      ? `${flag} ${value}${e.message.slice(quoted.length)}`
      : e.message.startsWith('learning-rate schedule: ')
        ? `${flag} ${value}: ${e.message.slice('learning-rate schedule: '.length)}`
        : `${flag}: ${e.message}`;
    throw new InvalidArgumentError(message, e.hint ? { hint: e.hint } : {});
  }
}

/**
 * The LrSchedule the flags ask for, or undefined when neither is given (the library's default runs).
 * `defaultType` is the schedule the command runs without --schedule (vision's fine-tune: one-cycle):
 * --cycle-momentum alone applies to it when it is one-cycle, and is refused otherwise. Every value is
 * checked here, before any data is read.
 */
export function scheduleFromOptions(o: ScheduleOpts, defaultType: LrSchedule['type']): LrSchedule | undefined {
  const schedule = o.schedule === undefined ? undefined : named('--schedule', o.schedule, parseSchedule);
  if (o.cycleMomentum === undefined) return schedule;
  const type = schedule?.type ?? defaultType;
  if (type !== 'one-cycle') {
    const given = o.schedule === undefined ? `the default schedule here is ${type}` : `--schedule ${o.schedule} is not one-cycle`;
    throw new InvalidArgumentError(`--cycle-momentum cycles the momentum against a one-cycle learning rate, but ${given}`, {
      hint: 'add --schedule one-cycle, or drop --cycle-momentum',
    });
  }
  const cycleMomentum = o.cycleMomentum === true ? true : named('--cycle-momentum', o.cycleMomentum, parseMomentumCycle);
  return { ...(schedule ?? { type: 'one-cycle' }), cycleMomentum } as LrSchedule;
}
