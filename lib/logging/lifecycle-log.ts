import type { Logger } from 'pino';
import type { DaemonError } from '../errors/daemon-error.js';
import type { DaemonEvent, SubsystemEvent } from '../kernel/events.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import { loggable } from './loggable-error.js';
import { roundMs } from './round-ms.js';

interface Window {
  count: number;
  lastError: DaemonError | undefined;
  cancel: () => void;
}

/** How long restarts of one subsystem are folded into one line. @internal */
export const RESTART_LOG_WINDOW_MS = 1000;

/**
 * Writes the daemon's lifecycle to its logger at sensible levels: a restart
 * is `warn`, a failure for good `error` with its cause, per-subsystem
 * progress `debug`. Restart storms are coalesced: the first restart of a
 * subsystem is logged, then one line per window with the count.
 *
 * Every field has one shape on every line: an error is `err` (see
 * `loggable`), a subsystem `subsystem` (its name), a reason `reason` (the
 * `ShutdownReason` kind, its details in their own fields), durations `…Ms`
 * rounded to 0.1 ms; a message names what happened, and the cause is in
 * `err`, never twice in the text.
 * @internal
 */
export class LifecycleLog {
  readonly #windows = new Map<string, Window>();

  /**
   * @param after - runs a function after some ms (an unref'd timer of the
   *   daemon's scheduler); returns its cancel function
   */
  constructor(
    private readonly logger: Logger,
    private readonly after: (ms: number, fn: () => void) => () => void,
    private readonly windowMs = RESTART_LOG_WINDOW_MS,
  ) {}

  /** Logs the events one fact produced (a failure followed by its restart is one restart). */
  onEvents(events: readonly DaemonEvent[], shuttingDown: boolean): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as DaemonEvent;
      switch (e.type) {
        case 'state-changed': {
          const next = events[i + 1];
          if (e.state === 'failed' && next?.type === 'state-changed' && next.id === e.id && next.state === 'restarting') {
            this.#restart(next, e.error ?? next.error);
            i++;
          } else {
            this.#transition(e, shuttingDown);
          }
          break;
        }
        case 'signal':
          this.logger.info({ signal: e.signal, signo: e.signo }, `received ${e.signal}`);
          break;
        case 'shutdown-initiated':
          this.logger.info(reasonFields(e.reason), `shutdown initiated (${e.reason.kind})`);
          break;
        case 'config-reloaded':
          this.logger.info(
            {
              logLevel: e.config.logging.level,
              gracefulMs: roundMs(e.config.shutdown.graceful),
              forceMs: roundMs(e.config.shutdown.force),
              killMs: roundMs(e.config.shutdown.kill),
              drainMs: roundMs(e.config.shutdown.drain),
            },
            'config reloaded and applied',
          );
          break;
        case 'config-rejected':
          // Bad input, not a bug: the message, code and where (err.location), without the frames of a stack trace.
          this.logger.error({ err: loggable(e.error, { trace: false }) }, 'config rejected, the old one stays');
          break;
        case 'resource-alert':
          // `limit`, not `level`: pino's own `level` is the line's number.
          if (e.state === 'recovered') this.logger.info(alertFields(e), e.detail);
          else if (e.level === 'soft') this.logger.warn(alertFields(e), e.detail);
          else this.logger.error(alertFields(e), `${e.detail}: shutting down`);
          break;
        case 'health':
          // A failed check is a line (one per interval at most); a healthy one is not news.
          if (!e.healthy) {
            this.logger.warn(
              { subsystem: e.name, failures: e.failures, ...errField(e.error) },
              `health check of "${e.name}" failed (${e.failures} in a row)`,
            );
          }
          break;
        case 'phase':
          if (e.phase === 'force') this.logger.warn({ phase: e.phase }, 'graceful deadline passed: force-aborting the runs still going');
          else if (e.phase === 'kill') this.logger.error({ phase: e.phase }, 'force deadline passed: abandoning the runs still going');
          else if (e.phase === 'stopped') this.flush();
          else this.logger.info({ phase: e.phase }, `shutdown phase ${e.phase}`);
          break;
      }
    }
  }

  /** Writes the pending restart counts now. */
  flush(): void {
    for (const [name, w] of this.#windows) {
      w.cancel();
      this.#summarize(name, w);
    }
    this.#windows.clear();
  }

  #transition(e: SubsystemEvent, shuttingDown: boolean): void {
    const { logger } = this;
    switch (e.state) {
      case 'restarting':
        this.#restart(e, e.error);
        return;
      case 'failed':
        logger.error({ subsystem: e.name, ...errField(e.error) }, `subsystem ${e.name} failed`);
        return;
      case 'stopped':
        if (shuttingDown) {
          if (logger.isLevelEnabled('debug')) logger.debug({ subsystem: e.name }, `subsystem ${e.name} stopped`);
        } else {
          logger.info({ subsystem: e.name }, `subsystem ${e.name} stopped`);
        }
        return;
      default:
        // `from` is left out on the first start (no state before), never null: one type per field.
        if (logger.isLevelEnabled('debug')) {
          logger.debug({ subsystem: e.name, state: e.state, ...(e.from === null ? {} : { from: e.from }) }, `subsystem ${e.name} ${e.state}`);
        }
    }
  }

  #restart(e: SubsystemEvent, error: DaemonError | undefined): void {
    const w = this.#windows.get(e.name);
    if (w !== undefined) {
      w.count++;
      w.lastError = error ?? w.lastError;
      return;
    }
    const attempt = e.attempt ?? 1;
    const delayMs = roundMs(e.delayMs ?? 0);
    this.logger.warn(
      { subsystem: e.name, attempt, delayMs, ...errField(error) },
      `subsystem ${e.name} restarting (attempt ${attempt}, in ${delayMs} ms)`,
    );
    this.#open(e.name);
  }

  #open(name: string): void {
    const w: Window = {
      count: 0,
      lastError: undefined,
      cancel: this.after(this.windowMs, () => {
        this.#windows.delete(name);
        if (this.#summarize(name, w)) this.#open(name);
      }),
    };
    this.#windows.set(name, w);
  }

  /** Logs a window's count; whether there was anything to log. */
  #summarize(name: string, w: Window): boolean {
    if (w.count === 0) return false;
    // The last error of the window is the line's `err`.
    const windowMs = roundMs(this.windowMs);
    this.logger.warn(
      { subsystem: name, restarts: w.count, windowMs, ...errField(w.lastError) },
      `subsystem ${name} restarted ${w.count} more time(s) in ${windowMs} ms`,
    );
    return true;
  }
}

/** `reason` as its kind, its details in their own fields: `signal`/`signo`, `subsystem` and `err`, `detail`. */
function reasonFields(reason: ShutdownReason): Record<string, unknown> {
  switch (reason.kind) {
    case 'signal':
      return { reason: reason.kind, signal: reason.signal, signo: reason.signo };
    case 'error':
      return { reason: reason.kind, ...(reason.subsystem === undefined ? {} : { subsystem: reason.subsystem }), ...errField(reason.error) };
    case 'resource-exhausted':
      return { reason: reason.kind, detail: reason.detail };
    default:
      return { reason: reason.kind };
  }
}

function alertFields(e: Extract<DaemonEvent, { type: 'resource-alert' }>): Record<string, unknown> {
  return { resource: e.resource, limit: e.level, state: e.state, valueBytes: e.valueBytes, limitBytes: e.limitBytes };
}

/** `{ err }` in its one shape, or nothing without an error. */
function errField(error: unknown): { err?: Error } {
  return error === undefined ? {} : { err: loggable(error) };
}
