import type { ProcessHost } from '../../lib/runtime/process-host.js';

/** A stand-in for the process: signals sent by the test, exits recorded. */
export class FakeProcess implements ProcessHost {
  readonly listeners = new Map<NodeJS.Signals, Set<() => void>>();
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
