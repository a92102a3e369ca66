/** Every command group of the CLI. Each domain's commands live in their own module. */
import { Help, type Command, type Option } from 'commander';
import type { CliContext } from '../context.js';
import { registerInfo } from './info.js';
import { registerVectors } from './vectors.js';
import { registerIndex } from './index-cmd.js';
import { registerText } from './text.js';
import { registerVision } from './vision.js';
import { registerDemo } from './demo.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  registerInfo(program, ctx);
  registerVectors(program, ctx);
  registerText(program, ctx);
  registerIndex(program, ctx);
  registerVision(program, ctx);
  registerDemo(program, ctx);
  markRequiredOptions(program);
}

/**
 * Commander's help does not say which options are mandatory: append "(required)" to their
 * description in every command's help (set per command, as help settings are copied to
 * subcommands only when they are created).
 */
function markRequiredOptions(cmd: Command): void {
  cmd.configureHelp({
    optionDescription(option: Option): string {
      // "(required)" right after the description, before commander's "(choices: …, default: …)".
      const shown = option.mandatory ? (Object.create(option, { description: { value: `${option.description} (required)` } }) as Option) : option;
      return Help.prototype.optionDescription.call(this, shown);
    },
  });
  for (const sub of cmd.commands) markRequiredOptions(sub);
}
