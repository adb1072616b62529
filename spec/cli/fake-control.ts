import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../lib/cli/main.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { StatusDocument } from '../../lib/runtime/status-document.js';

/** The wall-clock instant the in-process tests run at. */
export const NOW = Date.parse('2025-01-01T12:00:00.000Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();

/** A status document typed as the daemon's own: the fixture cannot drift from the real shape. */
export function statusDoc(patch: Partial<StatusDocument> = {}): StatusDocument {
  return {
    schemaVersion: 1,
    name: 'api',
    pid: 4242,
    version: '0.1.0',
    node: 'v20.19.0',
    startedAt: ago(3 * 86_400 + 4 * 3600 + 5),
    uptimeSeconds: 3 * 86_400 + 4 * 3600 + 5.25,
    phase: 'running',
    ready: true,
    reason: null,
    subsystems: [
      { name: 'http', state: 'running', ready: true, healthy: true, restartCount: 0, startedAt: ago(192), lastError: null },
      {
        name: 'queue-consumer-with-a-rather-long-name',
        state: 'restarting',
        ready: false,
        healthy: null,
        restartCount: 12,
        startedAt: ago(45),
        lastError: {
          code: ErrorCode.Subsystem,
          kind: 'subsystem',
          message: `connect ECONNREFUSED 10.0.0.7:5672 while opening the channel; ${'the broker said no. '.repeat(10)}`,
        },
      },
      { name: 'cache', state: 'running', ready: false, healthy: false, restartCount: 1, startedAt: ago(2 * 3600 + 5 * 60 + 9), lastError: null },
      { name: 'reaper', state: 'stopped', ready: false, healthy: null, restartCount: 0, startedAt: null, lastError: null },
    ],
    ...patch,
  };
}

/** One request the fake daemon received, and its connection to answer on. */
export interface Received {
  readonly request: Record<string, unknown>;
  readonly socket: Socket;
  /** Writes `{ id, ok: true, result }` and a newline. */
  ok(result: unknown): void;
  /** Writes `{ id, ok: false, error }` and a newline. */
  error(error: { code: number; kind: string; message: string }): void;
}

/** A fake control server on a temp Unix socket, answering each request line with `answer`. */
export interface FakeControl {
  readonly path: string;
  readonly requests: Array<Record<string, unknown>>;
  readonly server: Server;
  close(): Promise<void>;
}

/** A fresh temp directory and a socket path in it (short: a Unix socket path is at most ~107 bytes). */
export function tempSocketPath(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pdcli-'));
  return { dir, path: join(dir, 'control.sock') };
}

export async function fakeControl(answer: (r: Received) => void): Promise<FakeControl> {
  const { dir, path } = tempSocketPath();
  const requests: Array<Record<string, unknown>> = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const request = JSON.parse(line) as Record<string, unknown>;
        requests.push(request);
        const id = request['id'];
        answer({
          request,
          socket,
          ok: (result) => socket.write(`${JSON.stringify({ id, ok: true, result })}\n`),
          error: (error) => socket.write(`${JSON.stringify({ id, ok: false, error })}\n`),
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/** An in-process CliIo that collects what the CLI writes. */
export function collect(
  env: Record<string, string | undefined> = {},
  tty: { isTTY?: boolean; columns?: number } = {},
  extra: Partial<Pick<CliIo, 'signal' | 'now'>> = {},
): CliIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), ...tty },
    stderr: { write: (s: string) => (err += s) },
    env,
    ...extra,
    out: () => out,
    err: () => err,
  };
}
