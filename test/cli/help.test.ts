import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { createProgram } from '../../src/cli/main.js';
import { cli } from '../helpers/cli.js';

/** Every command below the program, with its full name. */
function allCommands(cmd: Command, prefix = 'transferkit'): Array<{ name: string; cmd: Command }> {
  return cmd.commands.flatMap((sub) => {
    const name = `${prefix} ${sub.name()}`;
    return [{ name, cmd: sub }, ...allCommands(sub, name)];
  });
}

describe('CLI help', () => {
  const { program } = createProgram({ out: () => {}, err: () => {}, interactive: false });
  const commands = allCommands(program);

  it('every positional argument has a description', () => {
    const undescribed = commands.flatMap(({ name, cmd }) => cmd.registeredArguments.filter((a) => !a.description).map((a) => `${name} <${a.name()}>`));
    expect(undescribed).toEqual([]);
  });

  it('every required option is marked (required) in its command help', async () => {
    let checked = 0;
    for (const { name, cmd } of commands) {
      const required = cmd.options.filter((o) => o.mandatory);
      if (required.length === 0) continue;
      const r = await cli(...name.split(' ').slice(1), '--help');
      expect(r.code).toBe(0);
      const help = r.stdout.replace(/\s+/g, ' ');
      for (const o of required) {
        expect(help, `${name} ${o.flags}`).toMatch(new RegExp(`${o.flags.replace(/[<>]/g, '.')} [^-]*\\(required\\)`));
        checked++;
      }
      // Optional options are not marked.
      const optional = cmd.options.find((o) => !o.mandatory && o.long !== '--help');
      if (optional) expect(help).not.toMatch(new RegExp(`${optional.long} [^-]*\\(required\\)`));
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('the commands that need an option declare it required', () => {
    const mandatory = (path: string) =>
      commands
        .find((c) => c.name === `transferkit ${path}`)!
        .cmd.options.filter((o) => o.mandatory)
        .map((o) => o.long);
    expect(mandatory('text train')).toEqual(['--train', '--out']);
    expect(mandatory('text evaluate')).toEqual(['--data']);
    expect(mandatory('vision train')).toEqual(['--data', '--out']);
    expect(mandatory('vision evaluate')).toEqual(['--data']);
    expect(mandatory('vision embed')).toEqual(['--data', '--out']);
    expect(mandatory('index build')).toEqual(['--out']);
    expect(mandatory('vectors convert')).toEqual(['--to']);
  });

  it('a missing required option is a usage error naming the option, with a hint', async () => {
    const r = await cli('index', 'build', 'glove-wink-100d');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("error[E_USAGE]: required option '--out <dir>' not specified\n  hint: run 'transferkit index build --help' for usage\n");
    const a = await cli('vectors', 'analogy', 'glove-wink-100d', 'man');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^error\[E_USAGE\]: missing required argument 'b'\n  hint: run 'transferkit vectors analogy --help' for usage\n$/);
  });

  it('positional arguments are listed with their descriptions', async () => {
    const r = await cli('vectors', 'analogy', '--help');
    expect(r.stdout).toMatch(/Arguments:\n\s+source\s+file path or bundled name\n\s+a\s+first word/);
    const q = await cli('index', 'query', '--help');
    expect(q.stdout).toMatch(/dir\s+index folder written by index build/);
  });
});
