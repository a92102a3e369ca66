/** How the CLI words an error: transferkit's own, the file system's, or an unexpected one. */
import { isTransferkitError } from '../errors.js';

export interface DescribedError {
  code: string;
  message: string;
  /** How to fix it; absent when the error has none and the command's --help would not help either. */
  hint?: string;
  /** A user-facing problem (exit 2), as opposed to a bug or an unknown failure (exit 1). */
  expected: boolean;
}

const SYSTEM_HINTS: Record<string, string> = {
  ENOENT: 'check that the path exists and is spelled right',
  EISDIR: 'a folder was given where a file is expected',
  ENOTDIR: 'a file was given where a folder is expected (or a path goes through a file)',
  EACCES: 'check the permissions of the file or folder',
  EPERM: 'check the permissions of the file or folder',
  EEXIST: 'something already exists at that path; choose another',
  ENOSPC: 'the disk is full; free some space and run again',
  EROFS: 'the file system is read-only; write somewhere else',
  EMFILE: 'too many open files; raise the limit (ulimit -n) or process fewer files at once',
};

export function describeError(e: unknown, commandPath: string): DescribedError {
  if (isTransferkitError(e)) {
    // An option or argument the command refused: its --help says what it takes. A file or data
    // problem without a hint of its own is better left without one than sent to --help.
    const fallback = e.code === 'E_INVALID_ARGUMENT' ? `run '${commandPath} --help' for usage` : undefined;
    return { code: e.code, message: e.message, hint: e.hint ?? fallback, expected: true };
  }
  const sys = e as NodeJS.ErrnoException;
  if (sys && typeof sys.code === 'string' && SYSTEM_HINTS[sys.code]) {
    return { code: 'E_IO', message: sys.message, hint: SYSTEM_HINTS[sys.code], expected: true };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'E_UNEXPECTED', message, hint: 'this looks like a bug in transferkit: run again with --verbose and report the output', expected: false };
}
