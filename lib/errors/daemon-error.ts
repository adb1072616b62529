import { causeMessage } from './cause-message.js';
import { ErrorCode } from './error-code.js';

/**
 * What went wrong, by area. Each kind owns a range of {@link (ErrorCode:variable)}.
 * @example
 * ```ts
 * import { DaemonError, type ErrorKind } from 'proc-daemon';
 *
 * function kindOf(err: unknown): ErrorKind | 'other' {
 *   return err instanceof DaemonError ? err.kind : 'other';
 * }
 * ```
 * @public
 */
export type ErrorKind =
  | 'config'
  | 'signal'
  | 'shutdown'
  | 'subsystem'
  | 'io'
  | 'runtime'
  | 'resource-exhausted'
  | 'timeout'
  | 'invalid-state'
  | 'platform';

const GENERIC_CODE: Readonly<Record<ErrorKind, ErrorCode>> = Object.freeze({
  config: ErrorCode.Config,
  signal: ErrorCode.Signal,
  shutdown: ErrorCode.Shutdown,
  subsystem: ErrorCode.Subsystem,
  io: ErrorCode.Io,
  runtime: ErrorCode.Runtime,
  'resource-exhausted': ErrorCode.ResourceExhausted,
  timeout: ErrorCode.Timeout,
  'invalid-state': ErrorCode.InvalidState,
  platform: ErrorCode.Platform,
});

const RETRYABLE: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['io', 'runtime', 'resource-exhausted']);

/**
 * Options of the {@link DaemonError} constructor and its per-kind factories.
 * @example
 * ```ts
 * import { DaemonError, type DaemonErrorOptions, ErrorCode } from 'proc-daemon';
 *
 * const options: DaemonErrorOptions = { code: ErrorCode.SubsystemInvalid, subsystem: 'db' };
 * const err = new DaemonError('subsystem', 'db: bad definition', options);
 * ```
 * @public
 */
export interface DaemonErrorOptions {
  /** A specific code of the kind's range; defaults to the kind's generic code. */
  readonly code?: ErrorCode;
  /** The underlying error or thrown value. */
  readonly cause?: unknown;
  /** The subsystem concerned, by name. */
  readonly subsystem?: string;
  /** The operation concerned (for `timeout` and `io`). */
  readonly operation?: string;
  /** The time limit that was exceeded, in ms (for `timeout`). */
  readonly timeoutMs?: number;
  /** Where bad input was found (config errors). */
  readonly location?: ErrorLocation;
}

/**
 * Where bad input was found: the file, the key as the user wrote it (a TOML
 * path such as `shutdown.graceful`, or a variable name such as
 * `DAEMON_SHUTDOWN__GRACEFUL`), and for syntax errors the line and column.
 *
 * @example
 * ```ts
 * import { DaemonError, type ErrorLocation } from 'proc-daemon';
 *
 * const where: ErrorLocation = { file: 'daemon.toml', key: 'shutdown.graceful' };
 * const err = DaemonError.config('daemon.toml: shutdown.graceful must be an integer', { location: where });
 * console.log(err.location?.key); // shutdown.graceful
 * ```
 * @public
 */
export interface ErrorLocation {
  readonly file?: string;
  readonly key?: string;
  readonly line?: number;
  readonly column?: number;
}

/**
 * The JSON shape of a {@link DaemonError}: plain data, safe to log or send.
 * @example
 * ```ts
 * import { DaemonError, type DaemonErrorJSON } from 'proc-daemon';
 *
 * const json: DaemonErrorJSON = DaemonError.ioWithSource('read failed', new Error('eof')).toJSON();
 * console.log(JSON.stringify(json)); // {"name":"DaemonError","kind":"io","code":5000,...,"cause":"eof"}
 * ```
 * @public
 */
export interface DaemonErrorJSON {
  readonly name: 'DaemonError';
  readonly kind: ErrorKind;
  readonly code: ErrorCode;
  readonly message: string;
  readonly subsystem?: string;
  readonly operation?: string;
  readonly timeoutMs?: number;
  readonly location?: ErrorLocation;
  /** The cause's message (never the cause object itself). */
  readonly cause?: string;
}

/**
 * The one error type of proc-daemon: a kind, a stable numeric code, and a
 * message that says what was wrong, where, and what to do.
 *
 * @remarks
 * Every failure the daemon reports — bad config, API misuse, a subsystem
 * that threw — is a `DaemonError`. Match on {@link DaemonError.code}, which
 * is stable across releases; messages may improve.
 *
 * @example
 * ```ts
 * import { DaemonError, ErrorCode } from 'proc-daemon';
 *
 * try {
 *   throw DaemonError.timeout('flush', 5000);
 * } catch (err) {
 *   if (err instanceof DaemonError && err.kind === 'timeout') {
 *     console.log(err.code === ErrorCode.Timeout, err.timeoutMs); // true 5000
 *   }
 * }
 * ```
 * @public
 */
export class DaemonError extends Error {
  /** The area of the failure. */
  declare readonly kind: ErrorKind;
  /** The stable numeric code (see {@link (ErrorCode:variable)}). */
  declare readonly code: ErrorCode;
  /** The subsystem concerned, when there is one. */
  declare readonly subsystem?: string;
  /** The operation concerned, when there is one. */
  declare readonly operation?: string;
  /** The exceeded time limit in ms, for timeouts. */
  declare readonly timeoutMs?: number;
  /** Where bad input was found (config errors). */
  declare readonly location?: ErrorLocation;

  constructor(kind: ErrorKind, message: string, options: DaemonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DaemonError';
    this.kind = kind;
    this.code = options.code ?? GENERIC_CODE[kind];
    if (options.subsystem !== undefined) this.subsystem = options.subsystem;
    if (options.operation !== undefined) this.operation = options.operation;
    if (options.timeoutMs !== undefined) this.timeoutMs = options.timeoutMs;
    if (options.location !== undefined) this.location = Object.freeze({ ...options.location });
  }

  /** An invalid or unparseable configuration. */
  static config(message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('config', message, options);
  }

  /** A signal-handling failure. */
  static signal(message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('signal', message, options);
  }

  /** A shutdown failure (for example a missed deadline). */
  static shutdown(message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('shutdown', message, options);
  }

  /** A failure of the subsystem `name`. */
  static subsystem(name: string, message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('subsystem', message, { ...options, subsystem: name });
  }

  /** An I/O failure. */
  static io(message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('io', message, options);
  }

  /** An I/O failure caused by `cause`; the message includes the cause's. */
  static ioWithSource(message: string, cause: unknown, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('io', `${message}: ${causeMessage(cause)}`, { ...options, cause });
  }

  /** A runtime failure. */
  static runtime(message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('runtime', message, options);
  }

  /** A resource limit was exhausted. */
  static resourceExhausted(message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('resource-exhausted', message, options);
  }

  /** `operation` did not finish within `timeoutMs`. */
  static timeout(operation: string, timeoutMs: number, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('timeout', `${operation} timed out after ${timeoutMs} ms`, {
      ...options,
      operation,
      timeoutMs,
    });
  }

  /** An operation that is not valid in the current state. */
  static invalidState(message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('invalid-state', message, options);
  }

  /** A feature that this platform does not offer. */
  static platform(message: string, options?: DaemonErrorOptions): DaemonError {
    return new DaemonError('platform', message, options);
  }

  /** Whether trying again may succeed: true for `io`, `runtime` and `resource-exhausted`. */
  isRetryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  /** Plain data for logs and transport; a cause appears as its message only. */
  toJSON(): DaemonErrorJSON {
    const json: {
      -readonly [K in keyof DaemonErrorJSON]: DaemonErrorJSON[K];
    } = { name: 'DaemonError', kind: this.kind, code: this.code, message: this.message };
    if (this.subsystem !== undefined) json.subsystem = this.subsystem;
    if (this.operation !== undefined) json.operation = this.operation;
    if (this.timeoutMs !== undefined) json.timeoutMs = this.timeoutMs;
    if (this.location !== undefined) json.location = this.location;
    if (this.cause !== undefined) json.cause = causeMessage(this.cause);
    return json;
  }
}
