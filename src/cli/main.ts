/**
 * The `transferkit` command line: a thin layer over the library. Each command
 * group lives in its own module under ./commands and registers itself here.
 * Start-up loads no domain module and no TensorFlow.js: commands import what they
 * use inside their action, so `--version`, `--help` and light commands stay fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { isTransferkitError } from '../errors.js';
import { BACKEND_NAMES, checkBackendName } from '../engine/names.js';
import { settings } from '../settings.js';
import { packageVersion } from '../package-info.js';
import { CliContext, processIO, type CliIO } from './context.js';
import { registerCommands } from './commands/index.js';
import { describeError } from './errors.js';

export function createProgram(io: CliIO = processIO): { program: Command; ctx: CliContext; usageErrors: string[] } {
  const program = new Command('transferkit');
  const ctx = new CliContext(io, program);
  // Commander reports usage errors through outputError; keep them to print in our own format.
  const usageErrors: string[] = [];
  const output = {
    writeOut: io.out,
    writeErr: io.err,
    outputError: (text: string) => void usageErrors.push(text.replace(/^error:\s*/, '').trim()),
  };
  program
    .description('Transfer learning on Node.js: image and text classifiers from pretrained models, word vectors, nearest-neighbour search.')
    .version(packageVersion)
    .addOption(new Option('--backend <name>', 'force a compute backend (default: automatic; env TRANSFERKIT_BACKEND)').choices(BACKEND_NAMES))
    .option('-v, --verbose', 'print stack traces on errors')
    .option('-q, --quiet', 'no progress bars or notes on stderr')
    .configureOutput(output)
    .exitOverride()
    // A misspelt TRANSFERKIT_BACKEND is an error for every command, not only those that compute with tensors.
    .hook('preAction', () => checkBackendName(settings.backend, 'TRANSFERKIT_BACKEND'));
  registerCommands(program, ctx);
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.configureOutput(output).exitOverride();
      inherit(sub);
    }
  };
  inherit(program);
  return { program, ctx, usageErrors };
}

/** `transferkit vision train` for argv `… vision train --data x`: the deepest command named. */
function commandPath(program: Command, args: string[]): string {
  const names = ['transferkit'];
  let cmd = program;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    names.push(sub.name());
    cmd = sub;
  }
  return names.join(' ');
}

/** Run the CLI; returns the process exit code instead of exiting (testable). */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const { program, usageErrors } = createProgram(io);
  const path = commandPath(program, argv.slice(2));
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0 || usageErrors.length === 0) return e.exitCode; // --help, --version, help on a bare group
      io.err(`error[E_USAGE]: ${usageErrors.join('; ')}\n`);
      // An unknown "option" is often a text or number that starts with '-': it goes after '--'.
      const dash = usageErrors.some((u) => /^unknown option '-/.test(u) && !/^unknown option '(--[a-zA-Z][\w-]*(=.*)?|-[a-zA-Z])'/.test(u)) ? `; a value that starts with '-' goes after '--' (${path} … -- "-50% off")` : '';
      io.err(`  hint: run '${path} --help' for usage${dash}\n`);
      return 2;
    }
    const described = describeError(e, path);
    io.err(`error[${described.code}]: ${described.message}\n`);
    if (described.hint) io.err(`  hint: ${described.hint}\n`);
    if (verbose && e instanceof Error && e.stack) io.err(e.stack + '\n');
    return described.expected ? 2 : 1;
  }
}

export { isTransferkitError };
