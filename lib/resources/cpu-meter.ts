import type { ProcessProbe } from './process-probe.js';

/**
 * The shortest window that yields a CPU figure, in ms. A read sooner than
 * this after the baseline repeats the previous figure (0 before the first):
 * over a few microseconds the ratio of two counters is noise, and a
 * first read right after construction would report a spike.
 * @internal
 */
export const MIN_CPU_WINDOW_MS = 1;

/**
 * CPU use as a percentage of one core, from deltas of the probe's cumulative
 * CPU time (user + system, µs) over the time between two reads (ms, on the
 * caller's clock). The baseline is taken at construction.
 * @internal
 */
export class CpuMeter {
  #cpuUs: number;
  #at: number;
  #percent = 0;

  constructor(
    private readonly probe: ProcessProbe,
    at: number,
  ) {
    this.#cpuUs = cpuMicros(probe);
    this.#at = at;
  }

  /** The average CPU use since the previous read that moved the baseline (or since construction). */
  read(at: number): number {
    const cpuUs = cpuMicros(this.probe);
    const elapsedMs = at - this.#at;
    if (elapsedMs < 0) {
      // The clock went back (a wall clock was stepped): start a new window.
      this.#cpuUs = cpuUs;
      this.#at = at;
      return this.#percent;
    }
    if (elapsedMs < MIN_CPU_WINDOW_MS) return this.#percent;
    // µs / (ms × 1000) × 100 = µs / (ms × 10); a counter that went back counts as idle.
    this.#percent = Math.max(0, cpuUs - this.#cpuUs) / (elapsedMs * 10);
    this.#cpuUs = cpuUs;
    this.#at = at;
    return this.#percent;
  }
}

function cpuMicros(probe: ProcessProbe): number {
  const { user, system } = probe.cpuUsage();
  return user + system;
}
