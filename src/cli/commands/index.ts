/** Every command group of the CLI. Each domain's commands live in their own module. */
import type { Command } from 'commander';
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
}
