import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `transferkit vectors …` (being written). */
export function registerVectors(_program: Command, _ctx: CliContext): void {}
