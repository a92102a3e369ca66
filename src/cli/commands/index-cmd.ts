import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `transferkit index …` (being written). */
export function registerIndex(_program: Command, _ctx: CliContext): void {}
