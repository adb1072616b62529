import type { CrashHandler, ProcessHost } from '../../lib/runtime/process-host.js';

/** A stand-in for the process: signals sent by the test, exits recorded. */
export class FakeProcess implements ProcessHost {
  /** The resident memory the resource tracker reads, in bytes; tests move it. */
  rss = 100 * 1024 * 1024;
  /** CPU time so far (µs), user + system. */
  cpuMicros = 0;
  /** The next this-many readings of memory fail (EMFILE). */
  failReads = 0;
  readonly probe = {
    memoryUsage: () => {
      if (this.failReads > 0) {
        this.failReads--;
        throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      }
      return { rss: this.rss, heapUsed: 20e6, heapTotal: 40e6, external: 1e6 };
    },
    cpuUsage: () => ({ user: this.cpuMicros, system: 0 }),
    threads: () => 7,
  };
  readonly listeners = new Map<NodeJS.Signals, Set<() => void>>();
  readonly crashHandlers = new Set<CrashHandler>();
  exitCode: number | undefined;
  exits: number[] = [];
  alive = 0;

  on(signal: NodeJS.Signals, listener: () => void): void {
    const set = this.listeners.get(signal) ?? new Set();
    set.add(listener);
    this.listeners.set(signal, set);
  }

  off(signal: NodeJS.Signals, listener: () => void): void {
    this.listeners.get(signal)?.delete(listener);
  }

  setExitCode(code: number): void {
    this.exitCode = code;
  }

  exit(code: number): void {
    this.exits.push(code);
  }

  keepAlive(): () => void {
    this.alive++;
    return () => {
      this.alive--;
    };
  }

  onCrash(handler: CrashHandler): () => void {
    this.crashHandlers.add(handler);
    return () => this.crashHandlers.delete(handler);
  }

  /** An uncaught exception (or unhandled rejection) of the process; false when no handler takes it. */
  crash(error: unknown, origin: 'uncaughtException' | 'unhandledRejection' = 'uncaughtException'): boolean {
    if (this.crashHandlers.size === 0) return false;
    for (const h of [...this.crashHandlers]) h(error, origin);
    return true;
  }

  /** Delivers `signal` to every listener; false when none listens. */
  kill(signal: NodeJS.Signals): boolean {
    const set = this.listeners.get(signal);
    if (!set || set.size === 0) return false;
    for (const l of [...set]) l();
    return true;
  }

  listening(): NodeJS.Signals[] {
    return [...this.listeners].filter(([, s]) => s.size > 0).map(([k]) => k);
  }
}
