import type { Logger } from 'pino';
import type { Observable, Subscription } from 'rxjs';
import type { Clock } from '../clock/clock.js';
import type { DaemonError } from '../errors/daemon-error.js';
import type { DaemonEvent } from '../kernel/events.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { ShutdownPhase } from '../kernel/shutdown.js';
import { readyOf } from '../kernel/snapshot.js';
import { loggable } from '../logging/loggable-error.js';
import { oneLine, phaseStatus, runningStatus } from './status-line.js';

/**
 * Added to the time left until the kill deadline in `EXTEND_TIMEOUT_USEC`:
 * the exit at the deadline (the log flushed, the PID file released) takes a
 * moment of its own.
 * @internal
 */
export const EXTEND_MARGIN_MS = 5000;
/** How long a message that must arrive waits before it is tried again when the receiver's queue is full (ms). @internal */
export const RETRY_MS = 20;
/** How many times it is tried again (≈ 10 s in all) before it is reported as not sent. @internal */
export const RETRY_LIMIT = 500;

/** What the notifier reads of its daemon. @internal */
export interface NotifierHost {
  /** The kernel's states: the current one on subscription, then every one. */
  readonly states: Observable<KernelState>;
  /** The daemon's clock: the watchdog's timer, and the time left until `kill`. */
  readonly clock: Pick<Clock, 'now' | 'after'>;
  readonly logger: Logger;
  /** The signals that reload the config (SIGHUP). */
  readonly reloadSignals: ReadonlySet<string>;
  /** Whether the config comes from a file: without one, a reload signal changes nothing. */
  readonly configFile: boolean;
}

/** How the notifier speaks. @internal */
export interface NotifierOptions {
  /** Sends one datagram; throws when it cannot. */
  send(message: string): void;
  /** `MAINPID`: the process the service manager should watch. */
  readonly pid: number;
  /** `CLOCK_MONOTONIC` in µs (what `MONOTONIC_USEC` is compared with). */
  monotonicUsec(): bigint;
  /** `WATCHDOG_USEC`: `WATCHDOG=1` goes out every half of it; `undefined`: no watchdog. */
  readonly watchdogUsec: number | undefined;
}

/**
 * The daemon's side of sd_notify(3), as a view of its kernel's states:
 *
 * - `READY=1` with `MAINPID` the first time the daemon is ready;
 *   `STATUS=` (one line) when its readiness changes while it runs;
 * - a reload (the reload signal, the control command, a hot reload):
 *   `RELOADING=1` + `MONOTONIC_USEC`, then `READY=1` once the new config
 *   is accepted or rejected (only after the first `READY=1`: before it, a
 *   `READY=1` would end the start too early);
 * - shutdown: `STOPPING=1` as it begins, then on each phase `STATUS=` and
 *   `EXTEND_TIMEOUT_USEC` so that the service manager's stop timeout lasts
 *   at least until the kill deadline (plus {@link EXTEND_MARGIN_MS});
 * - `WATCHDOG=1` every half `WATCHDOG_USEC`, on an unref'd timer of the
 *   daemon's clock: a blocked event loop misses it, as it should. It runs
 *   until the daemon stops, or — when runs were abandoned — until the
 *   process exits at the kill deadline.
 *
 * A datagram that cannot be sent is logged once (a warning) and never
 * stops the daemon. One that must arrive (all but a readiness `STATUS=`
 * and `WATCHDOG=1`) and finds the receiver's queue full is tried again on
 * the daemon's clock, in order, rather than lost.
 * @internal
 */
export class SdNotifier {
  #subscription: Subscription | undefined;
  #cancelWatchdog: (() => void) | undefined;
  #replayed = false;
  #over = false;
  #readySent = false;
  #stopping = false;
  #reloading = false;
  /** The readiness last told (`undefined` before the launch). */
  #ready: boolean | undefined;
  #failed = false;
  /** Messages that must arrive, waiting for room at the receiver (oldest first). */
  readonly #backlog: string[] = [];
  #tries = 0;
  #cancelRetry: (() => void) | undefined;

  constructor(
    private readonly host: NotifierHost,
    private readonly options: NotifierOptions,
  ) {}

  /** Begins: the watchdog's timer, and the messages of the current state and every one after it. */
  start(): void {
    const usec = this.options.watchdogUsec;
    if (usec !== undefined) this.#watchdog(Math.max(1, usec / 2000));
    const subscription = this.host.states.subscribe((state) => this.#onState(state));
    if (this.#over) subscription.unsubscribe();
    else this.#subscription = subscription;
  }

  /** Stops everything: no message is sent after it. */
  stop(): void {
    this.#over = true;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = undefined;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
  }

  #onState(state: KernelState): void {
    if (this.#over) return;
    if (!this.#replayed) {
      // The current state: its events are an earlier fact's, but a shutdown under way is news.
      this.#replayed = true;
      if (state.reason !== undefined) this.#onPhase(state, state.phase);
    } else {
      const events = state.events;
      for (let i = 0; i < events.length && !this.#over; i++) this.#onEvent(state, events[i] as DaemonEvent);
    }
    if (!this.#over && state.reason === undefined) this.#onRunning(state);
  }

  #onEvent(state: KernelState, event: DaemonEvent): void {
    switch (event.type) {
      case 'phase':
        this.#onPhase(state, event.phase);
        break;
      case 'signal':
        if (!this.host.reloadSignals.has(event.signal) || !this.#reloadable(state)) break;
        this.#beginReload();
        if (!this.host.configFile) this.#endReload(state, undefined);
        break;
      case 'config-reloaded':
      case 'config-rejected':
        if (!this.#reloadable(state)) break;
        if (!this.#reloading) this.#beginReload();
        this.#endReload(state, event.type === 'config-rejected' ? event.error : undefined);
        break;
      default:
        break;
    }
  }

  /** While the daemon runs: a line at the launch, then one per change of readiness (the first `ready` is `READY=1`). */
  #onRunning(state: KernelState): void {
    if (!state.launched) return;
    const ready = readyOf(state);
    if (ready === this.#ready) return;
    this.#ready = ready;
    const status = oneLine(runningStatus(state, this.#readySent));
    if (ready && !this.#readySent) {
      this.#readySent = true;
      this.#send(`READY=1\nMAINPID=${this.options.pid}\nSTATUS=${status}`, true);
    } else {
      this.#send(`STATUS=${status}`);
    }
  }

  #reloadable(state: KernelState): boolean {
    return this.#readySent && state.reason === undefined;
  }

  #beginReload(): void {
    this.#reloading = true;
    this.#send(`RELOADING=1\nMONOTONIC_USEC=${this.options.monotonicUsec()}\nSTATUS=reloading the config`, true);
  }

  #endReload(state: KernelState, rejected: DaemonError | undefined): void {
    this.#reloading = false;
    const note = rejected === undefined ? '' : `; config reload rejected (${rejected.code})`;
    this.#send(`READY=1\nSTATUS=${oneLine(runningStatus(state, true) + note)}`, true);
  }

  #onPhase(state: KernelState, phase: ShutdownPhase): void {
    if (phase === 'running') return;
    const lines: string[] = [];
    if (!this.#stopping) {
      this.#stopping = true;
      this.#reloading = false;
      lines.push('STOPPING=1');
    }
    lines.push(`STATUS=${oneLine(phaseStatus(state, phase))}`);
    const extend = this.#extendUsec(state, phase);
    if (extend !== undefined) lines.push(`EXTEND_TIMEOUT_USEC=${extend}`);
    this.#send(lines.join('\n'), true);
    if (phase !== 'stopped') return;
    // Stopped: nothing more to say. Runs abandoned keep the process (and its watchdog) until the kill deadline.
    this.#over = true;
    this.#subscription?.unsubscribe();
    if (state.abandoned.length === 0) this.stop();
  }

  /** The time left until the kill deadline, plus the margin, in µs; none once nothing is left to wait for. */
  #extendUsec(state: KernelState, phase: ShutdownPhase): number | undefined {
    const { origin, timeouts } = state.ladder;
    if (origin === undefined || (phase === 'stopped' && state.abandoned.length === 0)) return undefined;
    const left = origin + timeouts.kill - this.host.clock.now();
    return left > 0 ? Math.ceil((left + EXTEND_MARGIN_MS) * 1000) : undefined;
  }

  #watchdog(periodMs: number): void {
    this.#cancelWatchdog = this.host.clock.after(
      periodMs,
      () => {
        this.#send('WATCHDOG=1');
        if (this.#cancelWatchdog !== undefined) this.#watchdog(periodMs);
      },
      true,
    );
  }

  /**
   * Sends `message`. One that must arrive (READY, RELOADING, STOPPING, the
   * phases) and finds the receiver's queue full (EAGAIN) waits in a backlog,
   * in order, retried every {@link RETRY_MS} on the daemon's clock (never
   * blocking the loop) until it goes or {@link RETRY_LIMIT} tries pass; a
   * best-effort one (a readiness STATUS, WATCHDOG) is dropped meanwhile.
   */
  #send(message: string, mustArrive = false): void {
    if (this.#backlog.length > 0) {
      if (mustArrive) this.#backlog.push(message);
      return;
    }
    if (this.#trySend(message, mustArrive)) return;
    this.#backlog.push(message);
    this.#retryLater();
  }

  /** False when `message` must arrive and the receiver's queue is full; any other failure is reported. */
  #trySend(message: string, mustArrive: boolean): boolean {
    try {
      this.options.send(message);
      return true;
    } catch (err) {
      if (mustArrive && (err as { cause?: { code?: unknown } }).cause?.code === 'EAGAIN') return false;
      this.#report(err);
      return true;
    }
  }

  #retryLater(): void {
    this.#cancelRetry = this.host.clock.after(
      RETRY_MS,
      () => {
        this.#cancelRetry = undefined;
        while (this.#backlog.length > 0) {
          if (!this.#trySend(this.#backlog[0] as string, this.#tries < RETRY_LIMIT)) {
            this.#tries++;
            this.#retryLater();
            return;
          }
          this.#backlog.shift();
          this.#tries = 0;
        }
      },
      true,
    );
  }

  #report(err: unknown): void {
    if (this.#failed) {
      this.host.logger.debug({ err: loggable(err) }, 'systemd notification not sent');
      return;
    }
    this.#failed = true;
    this.host.logger.warn({ err: loggable(err) }, 'systemd notification not sent (the daemon runs on; further failures are logged at debug level)');
  }
}
