import type { DaemonEvent } from '../kernel/events.js';

/**
 * A one-line, human-readable rendering of a daemon event, for consoles and
 * demos (`[   12.3 ms] worker: running → restarting (attempt 2 in 200 ms): boom`).
 *
 * @param event - the event
 * @param origin - the `at` that reads as 0 (default: none, `at` as is)
 *
 * @example
 * ```ts
 * import { Daemon, formatEvent } from 'proc-daemon';
 *
 * const daemon = Daemon.new().withTask('w', (h) => h.cancelled()).build();
 * daemon.events$.subscribe((e) => console.log(formatEvent(e)));
 * ```
 * @public
 */
export function formatEvent(event: DaemonEvent, origin = 0): string {
  const stamp = `[${(event.at - origin).toFixed(1).padStart(9)} ms]`;
  switch (event.type) {
    case 'state-changed': {
      let line = `${stamp} ${event.name}: ${event.from ?? '∅'} → ${event.state}`;
      if (event.state === 'restarting') line += ` (attempt ${event.attempt ?? 1} in ${event.delayMs ?? 0} ms)`;
      if (event.error) line += `: ${event.error.message}`;
      return line;
    }
    case 'signal':
      return `${stamp} signal ${event.signal} (${event.signo})`;
    case 'shutdown-initiated': {
      const r = event.reason;
      const detail = r.kind === 'signal' ? ` by ${r.signal}` : r.kind === 'error' ? ` by ${r.subsystem ?? 'a crash'}` : '';
      return `${stamp} shutdown initiated: ${r.kind}${detail}`;
    }
    case 'phase':
      return `${stamp} phase ${event.phase}`;
    case 'config-reloaded':
      return `${stamp} config reloaded`;
    case 'config-rejected':
      return `${stamp} config rejected: ${event.error.message}`;
    case 'resource-alert':
      return `${stamp} resource alert: ${event.level} ${event.resource} limit ${event.state}: ${event.detail}`;
    case 'health':
      return event.healthy
        ? `${stamp} ${event.name}: healthy`
        : `${stamp} ${event.name}: unhealthy (${event.failures} in a row)${event.error ? `: ${event.error.message}` : ''}`;
    default:
      return `${stamp} ${(event as { type: string }).type}`;
  }
}
