/**
 * Control socket and the `proc-daemon` CLI: what it costs to ask a running
 * daemon how it is, from a shell and from a program.
 *
 * 1. CLI wall time, measured by this process from just before `spawn` to the
 *    child's `exit` (stdout ignored), each a fresh `node`:
 *    - `node -e 0`: the floor of any Node command;
 *    - `node control-empty.mjs`: an empty ES module (the CLI is one), the floor of an ESM command;
 *    - `node control-raw-client.mjs S`: the least a command can do to ask the
 *      status (net: connect, one request line, print the raw reply line);
 *    - `node dist/cli.js --help`: the CLI loaded, no connection;
 *    - `node dist/cli.js --socket S status`: against a running fixture daemon
 *      with 10 idle subsystems (the table printed to the ignored stdout).
 *    Target: CLI status ≤ 1.5× `node -e 0`.
 * 2. Round trip of `status` over the control socket, from this process, to
 *    fixture daemons with 1 and 100 idle subsystems: over one persistent
 *    connection (write the request line, read the reply line, JSON.parse it),
 *    and a new connection per request (connect, request, reply, destroy, as
 *    the CLI does, up to the client's `close`).
 * 3. Peer of every round trip: a plain `net` server in the same fixture
 *    process, on its own Unix socket, answering every request line with the
 *    daemon's own status reply captured once at start (a fixed JSON line of
 *    the same size, nothing computed). "÷ echo" is what the daemon adds over
 *    the socket, the transfer and the client's parse.
 *
 * Every kind interleaved (A B C, B C A, …) after a warm-up; medians, p25 – p75
 * and, for round trips, p99. Sockets live in a temp dir removed at the end;
 * every child is killed at the end, also on failure.
 *
 * Run alone: `npm run build && npx tsx bench/control.ts` (`BENCH_QUICK=1` for a smoke run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type Socket, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Child,
  banner,
  childEnv,
  FIXTURES_DIR,
  interleave,
  iterations,
  main,
  median,
  ms,
  num,
  quantile,
  ratio,
  requireDist,
  spawnFixture,
  table,
  target,
} from './harness.js';

const TARGET = 1.5;
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const REQUEST = '{"id":1,"cmd":"status"}\n';

/* ---------- clean-up: every child killed, the temp dir removed, whatever happens ---------- */

const children = new Set<ChildProcess>();
let tempDir: string | undefined;

function killAll(signal: NodeJS.Signals): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
}

function removeTemp(): void {
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
}

// Last resort (a crash, an uncaught error, Ctrl-C): synchronous.
process.on('exit', () => {
  killAll('SIGKILL');
  removeTemp();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAll('SIGKILL');
    removeTemp();
    process.exit(130);
  });
}

/* ---------- formatting ---------- */

/** Microseconds below 1 ms, else milliseconds (values in ms). */
function time(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value < 1 ? `${num(value * 1000, 1)} µs` : ms(value);
}

const spread = (values: readonly number[], fmt: (v: number) => string): string =>
  `${fmt(quantile(values, 0.25))} – ${fmt(quantile(values, 0.75))}`;

/* ---------- fixture daemons ---------- */

interface Fixture {
  readonly subsystems: number;
  readonly socket: string;
  readonly echo: string;
  readonly statusBytes: number;
  readonly child: Child;
}

async function startFixture(dir: string, subsystems: number): Promise<Fixture> {
  const socket = join(dir, `daemon-${subsystems}.sock`);
  const echo = join(dir, `echo-${subsystems}.sock`);
  const child = spawnFixture('control-daemon.mjs', [socket, String(subsystems), echo]);
  children.add(child.proc);
  const { line } = await child.waitFor(/^READY /, 30_000);
  const { statusBytes } = JSON.parse(line.slice('READY '.length)) as { statusBytes: number };
  return { subsystems, socket, echo, statusBytes, child };
}

async function stopFixture(f: Fixture): Promise<void> {
  f.child.proc.kill('SIGTERM');
  const timer = setTimeout(() => f.child.proc.kill('SIGKILL'), 10_000);
  const exit = await f.child.exited;
  clearTimeout(timer);
  children.delete(f.child.proc);
  if (exit.code !== 0) {
    throw new Error(`control-daemon (${f.subsystems}) exited with code ${exit.code} (signal ${exit.signal}) at SIGTERM; stderr: ${f.child.stderr()}`);
  }
}

/* ---------- 1. CLI wall time ---------- */

interface CliKind {
  readonly key: string;
  readonly label: string;
  readonly args: readonly string[];
}

/** Spawn → exit of `node <args>`, ms; stdout ignored; a non-zero exit throws. */
function wall(kind: CliKind): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, kind.args, { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv() });
    children.add(proc);
    let err = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      const at = performance.now();
      children.delete(proc);
      if (code === 0) resolve(at - t0);
      else reject(new Error(`${kind.label}: exit code ${code} (signal ${signal}); stderr: ${err}`));
    });
  });
}

/* ---------- 2. round trips ---------- */

/** One persistent client connection: a request line out, a reply line back (one in flight). */
class Connection {
  readonly #socket: Socket;
  #chunks: Buffer[] = [];
  #waiting: { resolve: (line: Buffer) => void; reject: (err: Error) => void } | undefined;
  #failed: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      // One request in flight: its reply ends with the last byte received.
      if (chunk[chunk.length - 1] === 0x0a && this.#waiting !== undefined) {
        const line = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
        this.#chunks = [];
        const w = this.#waiting;
        this.#waiting = undefined;
        w.resolve(line);
      }
    });
    const fail = (err: Error): void => {
      this.#failed ??= err;
      this.#waiting?.reject(err);
      this.#waiting = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the connection closed')));
  }

  static open(path: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
    });
  }

  /** One request → its reply, parsed (and checked): ms. */
  async roundTrip(): Promise<number> {
    if (this.#failed !== undefined) throw this.#failed;
    const t0 = performance.now();
    const reply = new Promise<Buffer>((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
    this.#socket.write(REQUEST);
    const line = await reply;
    const parsed = JSON.parse(line.toString('utf8')) as { ok?: unknown };
    const t1 = performance.now();
    if (parsed.ok !== true) throw new Error(`not an ok reply: ${line.toString('utf8').slice(0, 300)}`);
    return t1 - t0;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** A new connection, one request, its reply parsed, destroy, up to the client's `close` (as the CLI does): ms. */
function connectOnce(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = createConnection({ path });
    const chunks: Buffer[] = [];
    let ok = false;
    socket.on('connect', () => socket.write(REQUEST));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (chunk[chunk.length - 1] !== 0x0a) return;
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ok?: unknown };
      ok = parsed.ok === true;
      socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const t1 = performance.now();
      if (ok) resolve(t1 - t0);
      else reject(new Error(`${path}: closed without an ok reply`));
    });
  });
}

interface Peer {
  readonly key: string;
  readonly label: string;
  readonly path: string;
  readonly fixture: Fixture;
  readonly echo: boolean;
}

/* ---------- the run ---------- */

async function run(): Promise<void> {
  requireDist();
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  const cliRuns = iterations(30, 5);
  const requests = iterations(2_000, 200);
  const warmRequests = 100;
  const connects = iterations(200, 40);
  const BLOCK = 50; // persistent requests per peer in a row
  const CONNECT_BLOCK = 10;

  banner('control: the proc-daemon CLI and the control socket', [
    `CLI: ${cliRuns} runs per kind (after 1 warm-up round), interleaved, each a fresh node, spawn → exit, stdout ignored; S = a daemon with 10 idle subsystems.`,
    `socket: ${num(requests)} status requests per peer on one connection (blocks of ${BLOCK}, after ${warmRequests} warm-up), ` +
      `${connects} new connections per peer (blocks of ${CONNECT_BLOCK}, after ${CONNECT_BLOCK} warm-up); peers interleaved; client = this process.`,
  ]);

  tempDir = mkdtempSync(join(tmpdir(), 'proc-daemon-bench-control-'));
  const fixtures: Fixture[] = [];
  try {
    fixtures.push(...(await Promise.all([10, 1, 100].map((n) => startFixture(tempDir as string, n)))));
    const [f10, f1, f100] = fixtures as [Fixture, Fixture, Fixture];

    /* 1. CLI wall time */
    const NODE: CliKind = { key: 'node', label: 'node -e 0', args: ['-e', '0'] };
    const EMPTY: CliKind = { key: 'empty', label: 'node empty.mjs (an empty ES module)', args: [`${FIXTURES_DIR}control-empty.mjs`] };
    const RAW: CliKind = {
      key: 'raw',
      label: 'node raw-client.mjs S (net: status, raw line)',
      args: [`${FIXTURES_DIR}control-raw-client.mjs`, f10.socket],
    };
    const HELP: CliKind = { key: 'help', label: 'node dist/cli.js --help (no connection)', args: [CLI, '--help'] };
    const STATUS: CliKind = { key: 'status', label: 'node dist/cli.js --socket S status', args: [CLI, '--socket', f10.socket, 'status'] };
    const CLI_KINDS = [NODE, EMPTY, RAW, HELP, STATUS] as const;
    const walls = new Map<string, number[]>(CLI_KINDS.map((k) => [k.key, []]));
    for (const k of CLI_KINDS) await wall(k);
    await interleave(CLI_KINDS, cliRuns, async (k) => {
      (walls.get(k.key) as number[]).push(await wall(k));
    });
    const w = (k: CliKind): number[] => walls.get(k.key) as number[];
    console.log(
      table(
        ['command, a fresh node each', 'spawn→exit (median)', 'p25 – p75', '÷ node -e 0', '− node -e 0', '÷ empty.mjs', 'min', 'min ÷ min node -e 0'],
        CLI_KINDS.map((k) => [
          k.label,
          ms(median(w(k))),
          spread(w(k), ms),
          ratio(median(w(k)), median(w(NODE))),
          k === NODE ? '—' : ms(median(w(k)) - median(w(NODE))),
          ratio(median(w(k)), median(w(EMPTY))),
          ms(Math.min(...w(k))),
          ratio(Math.min(...w(k)), Math.min(...w(NODE))),
        ]),
      ),
    );

    /* 2 + 3. round trips */
    const peers: Peer[] = [];
    for (const f of [f1, f100]) {
      const s = f.subsystems === 1 ? '1 subsystem' : `${f.subsystems} subsystems`;
      peers.push({ key: `daemon-${f.subsystems}`, label: `daemon status, ${s}`, path: f.socket, fixture: f, echo: false });
      peers.push({ key: `echo-${f.subsystems}`, label: `echo peer, same reply (${s})`, path: f.echo, fixture: f, echo: true });
    }
    const connections = new Map<string, Connection>();
    for (const p of peers) connections.set(p.key, await Connection.open(p.path));
    const persistent = new Map<string, number[]>(peers.map((p) => [p.key, []]));
    const fresh = new Map<string, number[]>(peers.map((p) => [p.key, []]));
    try {
      for (const p of peers) {
        const c = connections.get(p.key) as Connection;
        for (let i = 0; i < warmRequests; i++) await c.roundTrip();
      }
      await interleave(peers, Math.ceil(requests / BLOCK), async (p) => {
        const c = connections.get(p.key) as Connection;
        const out = persistent.get(p.key) as number[];
        for (let i = 0; i < BLOCK; i++) out.push(await c.roundTrip());
      });
    } finally {
      for (const c of connections.values()) c.close();
    }
    for (const p of peers) for (let i = 0; i < CONNECT_BLOCK; i++) await connectOnce(p.path);
    await interleave(peers, Math.ceil(connects / CONNECT_BLOCK), async (p) => {
      const out = fresh.get(p.key) as number[];
      for (let i = 0; i < CONNECT_BLOCK; i++) out.push(await connectOnce(p.path));
    });

    const echoOf = (p: Peer): Peer => peers.find((q) => q.echo && q.fixture === p.fixture) as Peer;
    const rows = (samples: Map<string, number[]>, what: string): string[][] =>
      peers.map((p) => {
        const v = samples.get(p.key) as number[];
        const e = samples.get(echoOf(p).key) as number[];
        return [
          `${what}: ${p.label}`,
          num(p.fixture.statusBytes),
          time(median(v)),
          spread(v, time),
          time(quantile(v, 0.99)),
          p.echo ? '—' : ratio(median(v), median(e)),
          p.echo ? '—' : time(median(v) - median(e)),
        ];
      });
    console.log(
      table(
        ['status round trip, client in this process', 'reply bytes', 'median', 'p25 – p75', 'p99', '÷ echo', '− echo'],
        [...rows(persistent, 'one connection'), ...rows(fresh, 'new connection')],
      ),
    );

    const r = median(w(STATUS)) / median(w(NODE));
    target(
      r <= TARGET,
      `proc-daemon status (CLI, daemon with 10 subsystems) ${ms(median(w(STATUS)))} = ${r.toFixed(2)}× node -e 0 ${ms(median(w(NODE)))} (target ≤ ${TARGET.toFixed(2)}×)`,
    );
  } finally {
    const stopped = await Promise.allSettled(fixtures.map((f) => stopFixture(f)));
    killAll('SIGKILL');
    removeTemp();
    const failed = stopped.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}

main(run);
