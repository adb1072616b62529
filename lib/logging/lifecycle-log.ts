import type { Logger } from 'pino';
import type { DaemonEvent, SubsystemEvent } from '../kernel/events.js';
import { loggable } from './loggable-error.js';

interface Window {
  count: number;
  lastError: string | undefined;
  cancel: () => void;
}

/** How long restarts of one subsystem are folded into one line. @internal */
export const RESTART_LOG_WINDOW_MS = 1000;

/**
 * Writes the daemon's lifecycle to its logger at sensible levels: a restart
 * is `warn`, a failure for good `error` with its cause, per-subsystem
 * progress `debug`. Restart storms are coalesced: the first restart of a
 * subsystem is logged, then one line per window with the count.
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
            this.#restart(next, e.error?.message);
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
          this.logger.info({ reason: reasonData(e.reason) }, `shutdown initiated (${e.reason.kind})`);
          break;
        case 'config-reloaded':
          this.logger.info({ logLevel: e.config.logging.level, shutdown: e.config.shutdown }, 'config reloaded and applied');
          break;
        case 'config-rejected':
          // Bad input, not a bug: the message and where, without a stack trace.
          this.logger.error(
            { code: e.error.code, ...(e.error.location ? { location: e.error.location } : {}) },
            `config rejected, the old one stays: ${e.error.message}`,
          );
          break;
        case 'resource-alert':
          if (e.state === 'recovered') this.logger.info({ level: e.level, valueBytes: e.valueBytes }, e.detail);
          else if (e.level === 'soft') this.logger.warn({ valueBytes: e.valueBytes, limitBytes: e.limitBytes }, e.detail);
          else this.logger.error({ valueBytes: e.valueBytes, limitBytes: e.limitBytes }, `${e.detail}: shutting down`);
          break;
        case 'health':
          // A failed check is a line (one per interval at most); a healthy one is not news.
          if (!e.healthy) {
            this.logger.warn(
              { subsystem: e.name, failures: e.failures },
              `${e.error?.message ?? `health check of "${e.name}" failed`} (${e.failures} in a row)`,
            );
          }
          break;
        case 'phase':
          if (e.phase === 'force') this.logger.warn('graceful deadline passed: force-aborting the runs still going');
          else if (e.phase === 'kill') this.logger.error('force deadline passed: abandoning the runs still going');
          else if (e.phase === 'stopped') this.flush();
          else this.logger.info(`shutdown phase ${e.phase}`);
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
        this.#restart(e, e.error?.message);
        return;
      case 'failed':
        logger.error({ subsystem: e.name, err: loggable(e.error) }, `subsystem ${e.name} failed`);
        return;
      case 'stopped':
        if (shuttingDown) {
          if (logger.isLevelEnabled('debug')) logger.debug({ subsystem: e.name }, `subsystem ${e.name} stopped`);
        } else {
          logger.info({ subsystem: e.name }, `subsystem ${e.name} stopped`);
        }
        return;
      default:
        if (logger.isLevelEnabled('debug')) logger.debug({ subsystem: e.name, from: e.from }, `subsystem ${e.name} ${e.state}`);
    }
  }

  #restart(e: SubsystemEvent, error: string | undefined): void {
    const w = this.#windows.get(e.name);
    if (w !== undefined) {
      w.count++;
      w.lastError = error ?? w.lastError;
      return;
    }
    this.logger.warn(
      { subsystem: e.name, attempt: e.attempt, delayMs: e.delayMs, ...(error ? { error } : {}) },
      `subsystem ${e.name} restarting (attempt ${e.attempt ?? 1}, in ${e.delayMs ?? 0} ms)`,
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
    this.logger.warn(
      { subsystem: name, restarts: w.count, windowMs: this.windowMs, ...(w.lastError ? { lastError: w.lastError } : {}) },
      `subsystem ${name} restarted ${w.count} more time(s) in ${this.windowMs} ms`,
    );
    return true;
  }
}

function reasonData(reason: { kind: string; [k: string]: unknown }): object {
  const { error, ...rest } = reason as { error?: { message?: string } };
  return error === undefined ? rest : { ...rest, error: error.message };
}
