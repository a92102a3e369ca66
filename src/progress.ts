/**
 * Progress reporting as a tiny interface, so library code can report progress
 * without knowing whether a terminal bar, a log, or nothing is listening.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Begin a task; `total` undefined means unknown length. */
  start(label: string, total?: number): void;
  /** Absolute amount done so far. */
  update(done: number): void;
  stop(): void;
}

export const silentProgress: Progress = {
  start() {},
  update() {},
  stop() {},
};

/** A progress bar on stderr; silent when stderr is not a terminal. */
export class TerminalProgress implements Progress {
  private bar?: cliProgress.SingleBar;
  private readonly enabled: boolean;

  constructor(options: { enabled?: boolean } = {}) {
    this.enabled = options.enabled ?? Boolean(process.stderr.isTTY);
  }

  start(label: string, total?: number): void {
    if (!this.enabled) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: total === undefined ? `${label} {value}` : `${label} [{bar}] {percentage}% | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total ?? 0, 0);
  }

  update(done: number): void {
    this.bar?.update(done);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
