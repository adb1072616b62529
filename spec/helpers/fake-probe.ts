import type { ProcessProbe } from '../../lib/resources/process-probe.js';

const MB = 1024 * 1024;

/**
 * Resource figures the test sets, for the kit's fake process (`new FakeHost(onChange, { probe })`):
 * resident memory, CPU time, open descriptors, and readings of memory that fail.
 */
export class FakeProbe implements ProcessProbe {
  /** The resident memory the resource tracker reads, in bytes; tests move it. */
  rss = 100 * MB;
  /** CPU time so far (µs), all of it user time. */
  cpuMicros = 0;
  /** The next this-many readings of memory fail (EMFILE). */
  failReads = 0;

  /** `fds`: the open descriptors `openFds()` tells; none, as where the probe cannot tell. */
  constructor(private readonly fds?: number) {}

  memoryUsage(): { rss: number; heapUsed: number; heapTotal: number; external: number } {
    if (this.failReads > 0) {
      this.failReads--;
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    }
    return { rss: this.rss, heapUsed: 20e6, heapTotal: 40e6, external: 1e6 };
  }

  cpuUsage(): { user: number; system: number } {
    return { user: this.cpuMicros, system: 0 };
  }

  threads(): number {
    return 7;
  }

  openFds(): number | undefined {
    return this.fds;
  }
}
