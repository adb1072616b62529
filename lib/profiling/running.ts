// The registry of running profiles, apart from the profilers: the daemon asks it at stop whether
// any profile is under way (to write it) without loading the profilers or node:inspector.

/**
 * The profiles running in this process, by kind; shared by every copy of
 * the profiling modules loaded in the process (one inspector, one rule).
 * @internal
 */
export function runningProfiles(): Map<string, unknown> {
  const key = Symbol.for('proc-daemon.profiling.running');
  return ((globalThis as Record<symbol, unknown>)[key] ??= new Map()) as Map<string, unknown>;
}
