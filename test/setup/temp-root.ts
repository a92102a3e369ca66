/**
 * vitest globalSetup: every temp folder the tests (and the CLIs they spawn) make goes into one
 * folder of this run, removed at the end — so a run leaves nothing in the system temp folder,
 * whatever a test forgets to clean up. Workers inherit TMPDIR, and os.tmpdir() reads it.
 *
 * A run that is killed (SIGKILL, a closed terminal, a CI timeout) never reaches its teardown, so
 * its folder stays. Each folder is therefore named after the process that made it
 * (`transferkit-tests-<pid>-XXXXXX`) and holds an `owner.json` (pid, host, process start time, PID
 * namespace and boot id), which the run touches every minute while it lives; the next run removes
 * the folders whose process is gone. A folder is removed only when its owner is surely dead: same
 * host, same boot and same PID namespace as the run judging it (a pid means nothing across
 * namespaces — a run in a container with host networking, or under `unshare --pid`, is pid 1 or
 * so, which is a live process outside), its pid not running — or running, but started at another
 * time than the owner did (the pid was reused) — and its owner file untouched for HEARTBEAT_STALE_MS.
 * Folders of another host, boot or PID namespace, or whose owner file lacks those fields (written
 * by an older version, or on a system without /proc while this one has it), of a live run, or
 * without an owner file (the run cannot be placed: the file is written before the folder takes its
 * name, so only a folder whose file was lost lacks one) are left alone.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const ROOT_PREFIX = 'transferkit-tests-';
/** `transferkit-tests-<pid>-<mkdtemp's 6 characters>`. */
const ROOT_NAME = /^transferkit-tests-(\d+)-[A-Za-z0-9]{6}$/;
/** Where a root is made, with its owner file, before it takes its name (never matches ROOT_NAME). */
const STAGING_PREFIX = 'transferkit-tests-staging-';
export const OWNER_FILE = 'owner.json';
/** A live run touches its owner file this often. */
export const HEARTBEAT_MS = 60_000;
/** A root whose owner file was touched more recently than this is kept, whatever its pid says. */
export const HEARTBEAT_STALE_MS = 10 * 60_000;

export interface RootOwner {
  pid: number;
  host: string;
  /** When the process started, as /proc/<pid>/stat's field 22 (clock ticks since boot); undefined where /proc is absent. */
  startTime?: string;
  /** The process's PID namespace (`pid:[4026531836]`, readlink /proc/self/ns/pid); undefined where /proc is absent. */
  pidNamespace?: string;
  /** /proc/sys/kernel/random/boot_id: namespace ids and start times mean something only within one boot. */
  bootId?: string;
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

/** This process's PID namespace (Linux), or undefined when it cannot be read. */
export function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** This boot's id (Linux), or undefined when it cannot be read. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
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

/**
 * Why the folder of a run that is gone may be removed, or undefined to keep it. `here` is where this
 * run is (its host, PID namespace and boot): a pid is judged only by a run that shares all three.
 */
function staleReason(root: string, pid: number, now: number, here: Pick<RootOwner, 'host' | 'pidNamespace' | 'bootId'>): string | undefined {
  // Without an owner file the run cannot be placed (its namespace is unknown): keep the folder.
  const owner = readOwner(root);
  if (owner === undefined || owner.pid !== pid || owner.host !== here.host) return undefined;
  // Another PID namespace or boot, or one of them unknown on either side where the other knows it: foreign.
  if (owner.pidNamespace !== here.pidNamespace || owner.bootId !== here.bootId) return undefined;
  let touched: number;
  try {
    touched = statSync(join(root, OWNER_FILE)).mtimeMs;
  } catch {
    return undefined; // removed meanwhile
  }
  if (now - touched < HEARTBEAT_STALE_MS) return undefined;
  if (!pidRunning(pid)) return `process ${pid} is gone`;
  const started = processStartTime(pid);
  if (owner.startTime !== undefined && started !== undefined && started !== owner.startTime) return `pid ${pid} now belongs to another process`;
  return undefined;
}

/** Where this process is: host, PID namespace, boot. */
function currentPlace(): Pick<RootOwner, 'host' | 'pidNamespace' | 'bootId'> {
  return { host: hostname(), pidNamespace: pidNamespace(), bootId: bootId() };
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
  const here = currentPlace();
  const removed: string[] = [];
  for (const name of names) {
    const match = ROOT_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    const root = join(parent, name);
    if (staleReason(root, pid, now, here) === undefined) continue;
    rmSync(root, { recursive: true, force: true });
    removed.push(root);
  }
  return removed;
}

/**
 * Make this run's root in `parent` (after removing stale ones), with its owner file: written in a
 * staging folder that then takes the root's name, so no root is ever seen without its owner.
 */
export function createTempRoot(parent = tmpdir()): { root: string; removed: string[] } {
  const removed = removeStaleRoots(parent);
  // (A run killed between these two steps leaves an empty-but-for-owner.json staging folder, never removed: a window of microseconds.)
  const staging = mkdtempSync(join(parent, STAGING_PREFIX));
  const owner: RootOwner = { pid: process.pid, host: hostname(), startTime: processStartTime(process.pid), pidNamespace: pidNamespace(), bootId: bootId() };
  writeFileSync(join(staging, OWNER_FILE), JSON.stringify(owner) + '\n');
  // The staging folder's 6 random characters name the root; mkdtemp made them unique among staging folders, and a
  // root of that name would have been made from a staging folder of that name — by this one.
  const root = join(parent, `${ROOT_PREFIX}${process.pid}-${basename(staging).slice(STAGING_PREFIX.length)}`);
  renameSync(staging, root);
  return { root, removed };
}

/** Touch the root's owner file every HEARTBEAT_MS (never keeping the process alive); returns the stop function. */
export function startHeartbeat(root: string): () => void {
  const file = join(root, OWNER_FILE);
  const timer = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // The root is gone (removed at the end, or by hand): nothing to keep alive.
    }
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export default function setup(): () => void {
  const { root } = createTempRoot();
  const stopHeartbeat = startHeartbeat(root);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    stopHeartbeat();
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
