/**
 * The `transferkit` command line: a thin layer over the library. Each command
 * group lives in its own module under ./commands and registers itself here.
 */
import { Command, CommanderError, Option } from 'commander';
import { isTransferkitError } from '../errors.js';
import { BACKEND_NAMES } from '../engine/backend.js';
import { packageVersion } from '../package-info.js';
import { CliContext, processIO, type CliIO } from './context.js';
import { registerCommands } from './commands/index.js';

export function createProgram(io: CliIO = processIO): { program: Command; ctx: CliContext } {
  const program = new Command('transferkit');
  const ctx = new CliContext(io, program);
  program
    .description('Transfer learning on Node.js: image and text classifiers from pretrained models, word vectors, nearest-neighbour search.')
    .version(packageVersion)
    .addOption(new Option('--backend <name>', 'force a compute backend (default: automatic; env TRANSFERKIT_BACKEND)').choices(BACKEND_NAMES))
    .option('-v, --verbose', 'print stack traces on errors')
    .option('-q, --quiet', 'no progress bars or notes on stderr')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerCommands(program, ctx);
  // Sub-commands inherit output and exit behaviour.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError();
      inherit(sub);
    }
  };
  inherit(program);
  return { program, ctx };
}

/** Run the CLI; returns the process exit code instead of exiting (testable). */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const { program } = createProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version arrive here with exit code 0.
      return e.exitCode;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose || argv.includes('--verbose') || argv.includes('-v');
    if (isTransferkitError(e)) {
      io.err(`error[${e.code}]: ${e.message}\n`);
      if (e.hint) io.err(`  hint: ${e.hint}\n`);
    } else {
      io.err(`error: ${(e as Error)?.message ?? String(e)}\n`);
    }
    if (verbose && e instanceof Error && e.stack) io.err(e.stack + '\n');
    return isTransferkitError(e) ? 2 : 1;
  }
}
