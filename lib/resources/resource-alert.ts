import { DaemonError } from '../errors/daemon-error.js';
import type { ResourceAlertEvent } from '../kernel/events.js';
import { ErrorCode } from '../errors/error-code.js';

/**
 * A resource crossed one of its limits, up (`exceeded`) or back down
 * (`recovered`). One alert per crossing, never one per sample.
 *
 * @remarks
 * `exceeded`: a sample above the limit after one at or below it (or as the
 * first sample). `recovered`: a sample at or below
 * `limitBytes × (1 − hysteresis)` after an `exceeded`. `detail` says it in
 * words, ready for a log line or a shutdown reason
 * (`{ kind: 'resource-exhausted', detail }`). `at` is the sample's instant
 * on the tracker's scheduler; `time` is wall-clock time (epoch ms). The same
 * shape as the daemon's `resource-alert` event (`ResourceAlertEvent` of
 * `proc-daemon`), which a daemon with `monitoring.trackResources` emits.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { ResourceTracker, type ResourceAlert } from 'proc-daemon/resources';
 *
 * const daemon = Daemon.new().withTask('worker', (h) => h.cancelled()).build();
 * const tracker = new ResourceTracker(1000, undefined, { memory: { softBytes: 512 * 2 ** 20, hardBytes: 1024 * 2 ** 20 } });
 * tracker.alerts$.subscribe((alert: ResourceAlert) => {
 *   daemon.logger.warn({ alert }, alert.detail);
 *   if (alert.level === 'hard' && alert.state === 'exceeded') {
 *     daemon.shutdown({ kind: 'resource-exhausted', detail: alert.detail });
 *   }
 * });
 * await daemon.run();
 * tracker.stop();
 * ```
 * @public
 */
export interface ResourceAlert extends ResourceAlertEvent {}

/**
 * The error for a hard limit crossing: kind `resource-exhausted`, code
 * `ErrorCode.ResourceExhaustedMemory`, with the alert's detail and what to
 * do. Throws a `DaemonError` (code `ErrorCode.InvalidState`) when `alert`
 * is not a hard `exceeded` one.
 *
 * @param alert - a hard `exceeded` alert of `ResourceTracker.alerts$`
 *
 * @example
 * ```ts
 * import { filter, map } from 'rxjs';
 * import { ResourceTracker, hardLimitError } from 'proc-daemon/resources';
 *
 * const tracker = new ResourceTracker(1000, undefined, { memory: { hardBytes: 2 * 1024 ** 3 } });
 * tracker.alerts$
 *   .pipe(
 *     filter((a) => a.level === 'hard' && a.state === 'exceeded'),
 *     map(hardLimitError),
 *   )
 *   .subscribe((err) => console.error(err.code, err.message)); // 7001 memory (RSS) ...
 * ```
 * @public
 */
export function hardLimitError(alert: ResourceAlert): DaemonError {
  if (alert.level !== 'hard' || alert.state !== 'exceeded') {
    throw DaemonError.invalidState(
      `hardLimitError: got a ${alert.level} '${alert.state}' alert; pass a hard 'exceeded' alert (filter alerts$ on level === 'hard' && state === 'exceeded')`,
      { code: ErrorCode.InvalidState },
    );
  }
  return DaemonError.resourceExhausted(
    `${alert.detail}; shut the daemon down, or raise the limit with setMemoryLimits if the process needs more`,
    { code: ErrorCode.ResourceExhaustedMemory },
  );
}
