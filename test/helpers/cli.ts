import { runCli } from '../../src/cli/main.js';

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
