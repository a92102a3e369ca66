/**
 * vitest globalSetup: every temp folder the tests (and the CLIs they spawn) make goes into one
 * folder of this run, removed at the end — so a run leaves nothing in the system temp folder,
 * whatever a test forgets to clean up. Workers inherit TMPDIR, and os.tmpdir() reads it.
 *
 * A run that is killed (SIGKILL, a closed terminal, a CI timeout) never reaches its teardown, so
 * its folder stays. Each folder is therefore named after the process that made it
 * (`transferkit-tests-<pid>-XXXXXX`) and holds an `owner.json` (pid, host, process start time);
 * the next run removes the folders whose process is gone. A folder is removed only when its
 * owner is surely dead: its pid is not running on this host — or is running, but started at
 * another time than the owner did (the pid was reused). Folders of another host (a temp folder
 * shared between containers), of a live run, or whose owner file is not written yet (a run
 * starting this instant) are left alone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT_PREFIX = 'transferkit-tests-';
/** `transferkit-tests-<pid>-<mkdtemp's 6 characters>`. */
const ROOT_NAME = /^transferkit-tests-(\d+)-[A-Za-z0-9]{6}$/;
export const OWNER_FILE = 'owner.json';
/** A folder without its owner file is left alone this long: its run may be between mkdtemp and writing the file. */
export const UNOWNED_GRACE_MS = 60_000;

export interface RootOwner {
  pid: number;
  host: string;
  /** When the process started, as /proc/<pid>/stat's field 22 (clock ticks since boot); undefined where /proc is absent. */
  startTime?: string;
}

/** A process's start time from /proc (Linux), or undefined when it cannot be read. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid runs (one of another user counts: signal 0 is then refused with EPERM). */
export function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(root: string): RootOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(root, OWNER_FILE), 'utf8')) as RootOwner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Why the folder of a run that is gone may be removed, or undefined to keep it. */
function staleReason(root: string, pid: number, now: number): string | undefined {
  const owner = readOwner(root);
  if (owner === undefined) {
    // Not written yet (or the run died before writing it): judge by the pid in the name once the grace is over.
    let age: number;
    try {
      age = now - statSync(root).mtimeMs;
    } catch {
      return undefined; // removed meanwhile
    }
    return age > UNOWNED_GRACE_MS && !pidRunning(pid) ? `process ${pid} is gone` : undefined;
  }
  if (owner.host !== hostname() || owner.pid !== pid) return undefined;
  if (!pidRunning(pid)) return `process ${pid} is gone`;
  const started = processStartTime(pid);
  if (owner.startTime !== undefined && started !== undefined && started !== owner.startTime) return `pid ${pid} now belongs to another process`;
  return undefined;
}

/**
 * Remove the temp roots in `parent` left by runs that are gone; returns the folders removed.
 * Never one of a running process, and never one that is not a run's root by name.
 */
export function removeStaleRoots(parent: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = ROOT_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    const root = join(parent, name);
    if (staleReason(root, pid, now) === undefined) continue;
    rmSync(root, { recursive: true, force: true });
    removed.push(root);
  }
  return removed;
}

/** Make this run's root in `parent` (after removing stale ones), with its owner file. */
export function createTempRoot(parent = tmpdir()): { root: string; removed: string[] } {
  const removed = removeStaleRoots(parent);
  const root = mkdtempSync(join(parent, `${ROOT_PREFIX}${process.pid}-`));
  const owner: RootOwner = { pid: process.pid, host: hostname(), startTime: processStartTime(process.pid) };
  writeFileSync(join(root, OWNER_FILE), JSON.stringify(owner) + '\n');
  return { root, removed };
}

export default function setup(): () => void {
  const { root } = createTempRoot();
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
