import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempRoot, OWNER_FILE, processStartTime, removeStaleRoots, UNOWNED_GRACE_MS, type RootOwner } from './temp-root.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A pid that was running a moment ago and is not any more (a child that exited and was reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** A child process that stays alive until the test ends. */
function livePid(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/** A run's root as createTempRoot names it, with an owner file (unless `owner` is null). */
function fakeRoot(parent: string, pid: number, owner: Partial<RootOwner> | null = {}): string {
  const root = mkdtempSync(join(parent, `transferkit-tests-${pid}-`));
  writeFileSync(join(root, 'left-behind.txt'), 'x');
  if (owner !== null) writeFileSync(join(root, OWNER_FILE), JSON.stringify({ pid, host: hostname(), startTime: processStartTime(pid), ...owner }));
  return root;
}

describe('test temp roots', () => {
  it('a run names its root after its pid and records its owner', () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    const { root } = createTempRoot(parent);
    expect(root).toMatch(new RegExp(`/transferkit-tests-${process.pid}-[A-Za-z0-9]{6}$`));
    const owner = JSON.parse(readFileSync(join(root, OWNER_FILE), 'utf8')) as RootOwner;
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    if (existsSync('/proc/self/stat')) expect(owner.startTime).toMatch(/^\d+$/);
  });

  it('removes the roots of runs that are gone, and only those', () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    const dead = fakeRoot(parent, deadPid());
    const live = fakeRoot(parent, livePid());
    const mine = fakeRoot(parent, process.pid);
    const otherHost = fakeRoot(parent, deadPid(), { host: `not-${hostname()}` });
    // A run between mkdtemp and writing its owner file: kept while it is fresh, whatever its pid.
    const unowned = fakeRoot(parent, deadPid(), null);
    // Not a run's root by name: never touched.
    const oldStyle = join(parent, 'transferkit-tests-AbC123');
    const unrelated = join(parent, 'transferkit-tests-123-notmine-x');
    mkdirSync(oldStyle);
    mkdirSync(unrelated);

    expect(removeStaleRoots(parent)).toEqual([dead]);
    expect(existsSync(dead)).toBe(false);
    for (const kept of [live, mine, otherHost, unowned, oldStyle, unrelated]) expect(existsSync(kept), kept).toBe(true);

    // Once the grace is over, a root without an owner file goes when its pid is not running.
    const past = (Date.now() - UNOWNED_GRACE_MS - 5_000) / 1000;
    utimesSync(unowned, past, past);
    const liveUnowned = fakeRoot(parent, livePid(), null);
    utimesSync(liveUnowned, past, past);
    expect(removeStaleRoots(parent)).toEqual([unowned]);
    expect(existsSync(liveUnowned)).toBe(true);
  });

  it.runIf(existsSync('/proc/self/stat'))('a root whose pid now runs another process (pid reused) is removed', () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    const pid = livePid();
    const reused = fakeRoot(parent, pid, { startTime: '1' });
    const same = fakeRoot(parent, pid);
    expect(removeStaleRoots(parent)).toEqual([reused]);
    expect(existsSync(same)).toBe(true);
  });

  it('a run killed with SIGKILL leaves its root; the next run removes it, while a live run keeps its own', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    // Two "runs": vitest's global setup in child processes, each printing TMPDIR once its root exists.
    const startRun = () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '-e', "const { default: setup } = await import('./test/setup/temp-root.ts'); setup(); console.log(process.env.TMPDIR); setInterval(() => {}, 1000);"],
        { cwd: repoRoot, env: { ...process.env, TMPDIR: parent }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      return new Promise<{ child: ChildProcess; root: string }>((done, fail) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) done({ child, root: out.trim() });
        });
        child.on('exit', (code) => fail(new Error(`run exited (${code}) before making its root`)));
      });
    };
    const [killed, running] = await Promise.all([startRun(), startRun()]);
    expect(killed.root.startsWith(join(parent, 'transferkit-tests-'))).toBe(true);
    await new Promise((done) => {
      killed.child.on('exit', done);
      killed.child.kill('SIGKILL');
    });
    expect(existsSync(killed.root)).toBe(true); // no teardown ran

    const next = createTempRoot(parent);
    expect(next.removed).toEqual([killed.root]);
    expect(existsSync(killed.root)).toBe(false);
    expect(existsSync(running.root)).toBe(true);
  });
});
