/**
 * What every CLI command receives: output streams (injectable for tests),
 * the global options, and helpers for engine start-up and progress.
 */
import type { Command } from 'commander';
import type { EngineInfo } from '../engine/backend.js';
import { silentProgress, TerminalProgress, type Progress } from '../progress.js';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is an interactive terminal (progress bars shown). */
  interactive: boolean;
}

/**
 * A reader that stops early (`transferkit … | head -2`) closes the pipe: further writes
 * fail with EPIPE. The command then finishes its work (a training run still saves its
 * bundle) and its remaining output is dropped, instead of dying with a stack trace.
 */
function pipeSafe(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

export const processIO: CliIO = {
  out: pipeSafe(process.stdout),
  err: pipeSafe(process.stderr),
  interactive: Boolean(process.stderr.isTTY),
};

export interface GlobalOptions {
  backend?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export class CliContext {
  constructor(
    readonly io: CliIO,
    private readonly program: Command,
  ) {}

  get globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  /** Start the compute engine, honouring --backend (TensorFlow.js is loaded here, not at start-up). */
  async engine(): Promise<EngineInfo> {
    const { initEngine } = await import('../engine/backend.js');
    return initEngine({ backend: this.globals.backend });
  }

  /** A progress bar on stderr, or nothing when not interactive / --quiet / --json. */
  progress(json = false): Progress {
    if (json || this.globals.quiet || !this.io.interactive) return silentProgress;
    return new TerminalProgress({ enabled: true });
  }

  /** Print a line to stdout. */
  print(line = ''): void {
    this.io.out(line + '\n');
  }

  /** Print a value as pretty JSON to stdout. */
  printJson(value: unknown): void {
    this.io.out(JSON.stringify(value, null, 2) + '\n');
  }

  /** Print a note to stderr (suppressed by --quiet). */
  note(line: string): void {
    if (!this.globals.quiet) this.io.err(line + '\n');
  }
}
