import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bootId, createTempRoot, HEARTBEAT_MS, HEARTBEAT_STALE_MS, OWNER_FILE, pidNamespace, processStartTime, removeStaleRoots, startHeartbeat, type RootOwner } from './temp-root.js';

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

const onLinux = existsSync('/proc/self/ns/pid');

/** Set a file's or folder's mtime `ms` in the past. */
function age(path: string, ms: number): void {
  const past = (Date.now() - ms) / 1000;
  utimesSync(path, past, past);
}

/**
 * A run's root as createTempRoot names it, with an owner file of this host, boot and PID namespace
 * (unless `owner` is null; its fields override), last touched longer ago than HEARTBEAT_STALE_MS
 * unless `fresh` (a run whose heartbeat stopped: killed).
 */
function fakeRoot(parent: string, pid: number, owner: Partial<RootOwner> | null = {}, fresh = false): string {
  const root = mkdtempSync(join(parent, `transferkit-tests-${pid}-`));
  writeFileSync(join(root, 'left-behind.txt'), 'x');
  if (owner !== null) {
    const file = join(root, OWNER_FILE);
    writeFileSync(file, JSON.stringify({ pid, host: hostname(), startTime: processStartTime(pid), pidNamespace: pidNamespace(), bootId: bootId(), ...owner }));
    if (!fresh) age(file, HEARTBEAT_STALE_MS + 5_000);
  }
  return root;
}

/** Whether `unshare --pid` works here (root, or user namespaces allowed). */
const canUnshare = onLinux && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'true']).status === 0;

describe('test temp roots', () => {
  it('a run names its root after its pid and records its owner', () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    const { root } = createTempRoot(parent);
    expect(root).toMatch(new RegExp(`/transferkit-tests-${process.pid}-[A-Za-z0-9]{6}$`));
    const owner = JSON.parse(readFileSync(join(root, OWNER_FILE), 'utf8')) as RootOwner;
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    if (existsSync('/proc/self/stat')) expect(owner.startTime).toMatch(/^\d+$/);
    if (onLinux) {
      expect(owner.pidNamespace).toMatch(/^pid:\[\d+\]$/);
      expect(owner.bootId).toMatch(/^[0-9a-f-]{36}$/);
    }
    // The owner file is written before the folder takes its name: no staging folder is left.
    expect(readdirSync(parent)).toEqual([root.slice(parent.length + 1)]);
  });

  it('removes the roots of runs that are gone, and only those', () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    const dead = fakeRoot(parent, deadPid());
    const live = fakeRoot(parent, livePid());
    const mine = fakeRoot(parent, process.pid);
    const otherHost = fakeRoot(parent, deadPid(), { host: `not-${hostname()}` });
    // A root without an owner file cannot be placed (its PID namespace is unknown): kept, however old.
    const unowned = fakeRoot(parent, deadPid(), null);
    age(unowned, HEARTBEAT_STALE_MS + 5_000);
    // A dead pid whose owner file was touched lately: its run may live in a namespace we cannot see.
    const beating = fakeRoot(parent, deadPid(), {}, true);
    // Not a run's root by name: never touched.
    const oldStyle = join(parent, 'transferkit-tests-AbC123');
    const unrelated = join(parent, 'transferkit-tests-123-notmine-x');
    mkdirSync(oldStyle);
    mkdirSync(unrelated);

    expect(removeStaleRoots(parent)).toEqual([dead]);
    expect(existsSync(dead)).toBe(false);
    for (const kept of [live, mine, otherHost, unowned, beating, oldStyle, unrelated]) expect(existsSync(kept), kept).toBe(true);
    // Once its owner file is stale, the dead one goes.
    age(join(beating, OWNER_FILE), HEARTBEAT_STALE_MS + 5_000);
    expect(removeStaleRoots(parent)).toEqual([beating]);
  });

  it.runIf(onLinux)('a root of another PID namespace or boot, or whose owner file does not say which, is never removed: its pid means nothing here', () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    // pid 1 runs here (init), as it does in every container: the pid of a run in another namespace.
    const otherNamespace = fakeRoot(parent, 1, { pidNamespace: 'pid:[1]', startTime: '1' });
    const otherNamespaceDead = fakeRoot(parent, deadPid(), { pidNamespace: 'pid:[1]' });
    const otherBoot = fakeRoot(parent, deadPid(), { bootId: '00000000-0000-0000-0000-000000000000' });
    const noNamespace = fakeRoot(parent, deadPid(), { pidNamespace: undefined });
    const noBoot = fakeRoot(parent, deadPid(), { bootId: undefined });
    const dead = fakeRoot(parent, deadPid());
    expect(removeStaleRoots(parent)).toEqual([dead]);
    for (const kept of [otherNamespace, otherNamespaceDead, otherBoot, noNamespace, noBoot]) expect(existsSync(kept), kept).toBe(true);
  });

  it.runIf(canUnshare)('a live run under unshare --pid (pid 1 in its namespace, a live process outside) keeps its root', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    const child = spawn(
      'unshare',
      ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, '--import', 'tsx', '-e', "const { default: setup } = await import('./test/setup/temp-root.ts'); setup(); console.log(process.env.TMPDIR); setInterval(() => {}, 1000);"],
      { cwd: repoRoot, env: { ...process.env, TMPDIR: parent }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const root = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) done(out.trim());
      });
      child.on('exit', (code) => fail(new Error(`run exited (${code}) before making its root`)));
    });
    const owner = JSON.parse(readFileSync(join(root, OWNER_FILE), 'utf8')) as RootOwner;
    expect(root).toMatch(new RegExp(`/transferkit-tests-${owner.pid}-`));
    expect(owner.pidNamespace).not.toBe(pidNamespace());
    // Its pid runs here as another process (started at another time): the old check took the root for a dead run's.
    expect(processStartTime(owner.pid)).not.toBe(owner.startTime);
    // Even with its heartbeat long past, it is not this namespace's to judge.
    age(join(root, OWNER_FILE), HEARTBEAT_STALE_MS + 5_000);
    expect(removeStaleRoots(parent)).toEqual([]);
    expect(existsSync(root)).toBe(true);
  });

  it('a live run touches its owner file every HEARTBEAT_MS (an unref\'d timer)', () => {
    const parent = mkdtempSync(join(tmpdir(), 'roots-'));
    const { root } = createTempRoot(parent);
    const file = join(root, OWNER_FILE);
    age(file, HEARTBEAT_STALE_MS + 5_000);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const stop = startHeartbeat(root);
      vi.advanceTimersByTime(HEARTBEAT_MS - 1);
      expect(Date.now() - statSync(file).mtimeMs).toBeGreaterThan(HEARTBEAT_STALE_MS);
      vi.advanceTimersByTime(1);
      expect(Math.abs(Date.now() - statSync(file).mtimeMs)).toBeLessThan(5_000);
      stop();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
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

    // Its owner file was touched a moment ago: kept until it is stale (a run we cannot see might still own it).
    expect(removeStaleRoots(parent)).toEqual([]);
    age(join(killed.root, OWNER_FILE), HEARTBEAT_STALE_MS + 5_000);
    age(join(running.root, OWNER_FILE), HEARTBEAT_STALE_MS + 5_000); // a live run is kept whatever its heartbeat says
    const next = createTempRoot(parent);
    expect(next.removed).toEqual([killed.root]);
    expect(existsSync(killed.root)).toBe(false);
    expect(existsSync(running.root)).toBe(true);
  });
});
