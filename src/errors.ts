/**
 * Typed errors. Every error transferkit raises on purpose is a `TransferkitError`
 * with a stable `code` (for scripts and tests) and a `hint` (what to do about it).
 * The CLI prints `error[code]: message` and the hint on one line each, and exits non-zero.
 */

export interface ErrorDetails {
  /** What the user can do to fix it. */
  hint?: string;
  /** File the problem was found in. */
  file?: string;
  /** Where in that file: "line 12", "byte 4096", ... */
  location?: string;
  cause?: unknown;
}

export class TransferkitError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly file?: string;
  readonly location?: string;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = details.hint;
    this.file = details.file;
    this.location = details.location;
  }
}

/** A value given by the user (option, argument, config) is not acceptable. */
export class InvalidArgumentError extends TransferkitError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_INVALID_ARGUMENT', message, details);
  }
}

/** A file's content is malformed: names the file and where. */
export class InvalidFileError extends TransferkitError {
  constructor(message: string, details: ErrorDetails & { file: string }) {
    const where = details.location ? `${details.file} (${details.location})` : details.file;
    super('E_INVALID_FILE', `${where}: ${message}`, details);
  }
}

/** A file or named resource does not exist. */
export class NotFoundError extends TransferkitError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_NOT_FOUND', message, details);
  }
}

/** A requested compute backend cannot be loaded here. */
export class BackendUnavailableError extends TransferkitError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_BACKEND_UNAVAILABLE', message, details);
  }
}

/** A download was needed while TRANSFERKIT_OFFLINE=1, or the network failed. */
export class OfflineError extends TransferkitError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_OFFLINE', message, details);
  }
}

/** Downloaded or cached content does not match its expected checksum. */
export class ChecksumError extends TransferkitError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_CHECKSUM', message, details);
  }
}

/** A model bundle is missing files, corrupt, or inconsistent with its manifest. */
export class BundleError extends TransferkitError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_BUNDLE', message, details);
  }
}

/** A vector of the wrong dimension was given. */
export class DimensionMismatchError extends TransferkitError {
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number, details: ErrorDetails & { what?: string } = {}) {
    super(
      'E_DIMENSION_MISMATCH',
      `${details.what ?? 'vector'} has dimension ${actual}, expected ${expected}`,
      details,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** A key/word is not in the vocabulary or index. */
export class KeyNotFoundError extends TransferkitError {
  readonly key: string;
  /** The message is "<what> '<key>' is not present" unless `message` gives a whole sentence. */
  constructor(key: string, details: ErrorDetails & { what?: string; message?: string } = {}) {
    super('E_KEY_NOT_FOUND', details.message ?? `${details.what ?? 'key'} '${key}' is not present`, details);
    this.key = key;
  }
}

/** Training data cannot be used (one class, empty, ...). */
export class DataError extends TransferkitError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_DATA', message, details);
  }
}

export function isTransferkitError(e: unknown): e is TransferkitError {
  return e instanceof TransferkitError;
}
