import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `transferkit vision …` (being written). */
export function registerVision(_program: Command, _ctx: CliContext): void {}
