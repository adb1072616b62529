import type { DaemonError, ErrorKind } from '../errors/daemon-error.js';
import type { ErrorCode } from '../errors/error-code.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';
import type { DaemonSnapshot } from '../kernel/snapshot.js';
import type { SubsystemState } from '../kernel/subsystem-state.js';
import { VERSION } from './version.js';

/**
 * An error as the status document shows it: its code and kind, and its
 * message where the reader may see it (`null` otherwise).
 * @example
 * ```ts
 * import type { StatusError } from 'proc-daemon';
 *
 * const line = (e: StatusError) => `${e.kind} ${e.code}: ${e.message ?? '(hidden)'}`;
 * ```
 * @public
 */
export interface StatusError {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly message: string | null;
}

/**
 * One subsystem in the status document.
 * @example
 * ```ts
 * import type { SubsystemStatus } from 'proc-daemon';
 *
 * const flapping = (s: SubsystemStatus) => s.restartCount > 3 && s.state !== 'running';
 * ```
 * @public
 */
export interface SubsystemStatus {
  readonly name: string;
  readonly state: SubsystemState;
  readonly ready: boolean;
  /** The last health check's verdict; `null` without a check (or before the first). */
  readonly healthy: boolean | null;
  readonly restartCount: number;
  /** When its current (or last) run started, ISO 8601; `null` if it never started. */
  readonly startedAt: string | null;
  readonly lastError: StatusError | null;
}

/**
 * The daemon's state as one documented JSON document: what `/status`
 * (proc-daemon/http) and the control command `status` answer. Every key is
 * always present (`null`, never left out); instants are ISO 8601 wall time.
 * @example
 * ```ts
 * import type { StatusDocument } from 'proc-daemon';
 *
 * const res = await fetch('http://127.0.0.1:9464/status');
 * const doc = (await res.json()) as StatusDocument;
 * console.log(doc.phase, doc.subsystems.filter((s) => !s.ready).map((s) => s.name));
 * ```
 * @public
 */
export interface StatusDocument {
  readonly schemaVersion: 1;
  /** The daemon's name (`config.name`). */
  readonly name: string;
  readonly pid: number;
  /** The proc-daemon package version. */
  readonly version: string;
  /** Node's version (`process.version`). */
  readonly node: string;
  /** When `run()` began, ISO 8601; `null` before. */
  readonly startedAt: string | null;
  /** Seconds since `run()` began (0 before), to the millisecond. */
  readonly uptimeSeconds: number;
  /** `'not-started'` before `run()`, then the ladder's phase. */
  readonly phase: 'not-started' | ShutdownPhase;
  readonly ready: boolean;
  /** Why shutdown began (the reason's kind); `null` while running. */
  readonly reason: ShutdownReason['kind'] | null;
  readonly subsystems: readonly SubsystemStatus[];
}

/** What the status document is made from: the daemon's public face. @internal */
export interface StatusSource {
  snapshot(): DaemonSnapshot;
  configSnapshot(): { readonly name: string };
}

/**
 * The status document of `daemon` now. Error messages only with
 * `exposeErrors` (the control socket always; HTTP only when asked: they can
 * carry connection strings and hosts).
 * @internal
 */
export function statusDocument(daemon: StatusSource, exposeErrors: boolean, now: number = Date.now()): StatusDocument {
  const s = daemon.snapshot();
  const launched = s.launchedAt;
  // A scheduler instant as wall time: the launch ties the two clocks together.
  const iso = (at: number | undefined): string | null =>
    at === undefined || launched === undefined ? null : isoOf(launched.time + (at - launched.at));
  const errorView = (error: DaemonError | undefined): StatusError | null =>
    error === undefined ? null : { code: error.code, kind: error.kind, message: exposeErrors ? String(error.message) : null };
  return {
    schemaVersion: 1,
    name: daemon.configSnapshot().name,
    pid: process.pid,
    version: VERSION,
    node: process.version,
    startedAt: launched === undefined ? null : isoOf(launched.time),
    uptimeSeconds: launched === undefined ? 0 : Math.max(0, Math.round(now - launched.time)) / 1000,
    phase: launched === undefined && s.reason === undefined ? 'not-started' : s.phase,
    ready: s.ready,
    reason: s.reason?.kind ?? null,
    subsystems: s.subsystems.map((m) => ({
      name: m.name,
      state: m.state,
      ready: m.ready,
      healthy: m.healthy ?? null,
      restartCount: m.restartCount,
      startedAt: iso(m.startedAt),
      lastError: errorView(m.lastError),
    })),
  };
}

/** Epoch ms as ISO 8601; `null` for a time no Date can hold. */
function isoOf(ms: number): string | null {
  const d = new Date(Math.round(ms));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
