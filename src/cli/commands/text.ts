import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `transferkit text …` (being written). */
export function registerText(_program: Command, _ctx: CliContext): void {}
