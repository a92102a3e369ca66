import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/main.js';

const repoRoot = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured output. */
export async function cli(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['node', 'transferkit', ...args], {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    interactive: false,
  });
  return { code, stdout, stderr };
}

export interface InterruptedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the SIGINT was sent (stderr showed `when`). */
  sent: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Run `transferkit …args` from sources in a child process and send it a real Ctrl-C (SIGINT) once
 * its stderr shows `when`; a run still going after `timeoutMs` is killed, never left behind.
 */
export async function cliWithCtrlC(args: string[], when: string, timeoutMs: number): Promise<InterruptedRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/bin-dev.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && stderr.includes(when)) sent = child.kill('SIGINT');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, sig) => r([c, sig])));
  clearTimeout(timer);
  return { code, signal, sent, stdout, stderr };
}
