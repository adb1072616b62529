import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One datagram as the receiver got it: CLOCK_MONOTONIC µs at receipt, the sender's pid, the text. */
export interface Datagram {
  readonly t: number;
  readonly pid: number | null;
  readonly msg: string;
}

/** A real notification socket (receiver.py, a unix datagram socket) and what it received. */
export interface Receiver {
  readonly address: string;
  readonly datagrams: Datagram[];
  /** Resolves with the first datagram (already received or to come) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<Datagram>;
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./receiver.py', import.meta.url));

/** Binds a receiver at `address` (a path, or `@name` in the abstract namespace); resolves once it is bound. */
export async function receiver(address: string): Promise<Receiver> {
  const proc: ChildProcess = spawn('python3', [SCRIPT, address], { stdio: ['pipe', 'pipe', 'pipe'] });
  const datagrams: Datagram[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (d: Datagram) => void }> = [];
  let stderr = '';
  let buffer = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const bound = new Promise<void>((resolve, reject) => {
    proc.on('error', reject);
    void exited.then(() => reject(new Error(`the receiver exited before it was bound: ${stderr}`)));
    proc.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'BOUND') {
          resolve();
          continue;
        }
        const datagram = JSON.parse(line) as Datagram;
        datagrams.push(datagram);
        for (const w of [...waiters]) {
          if (!w.pattern.test(datagram.msg)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(datagram);
        }
      }
    });
  });
  await bound;
  return {
    address,
    datagrams,
    waitFor(pattern, timeoutMs = 15_000) {
      const seen = datagrams.find((d) => pattern.test(d.msg));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no datagram matching ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(datagrams.map((d) => d.msg))}`));
        }, timeoutMs);
        waiters.push({
          pattern,
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
    },
    async close() {
      proc.stdin?.end();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
