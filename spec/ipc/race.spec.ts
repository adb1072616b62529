import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { type Server, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForChildren } from '../helpers/bundle.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { bind } from '../../lib/ipc/bind.js';

const RACER = fileURLToPath(new URL('./fixtures/racer.mjs', import.meta.url));
const BINDER = fileURLToPath(new URL('./fixtures/binder.mjs', import.meta.url));
const ROUNDS = 60;

const root = mkdtempSync(join(tmpdir(), 'pd-race-'));
const bundle = join(root, 'bind.mjs');
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The binder processes run lib/ipc/bind.ts compiled once by esbuild (plain node starts fast; tsx per process would not).
beforeAll(() => bundleForChildren(fileURLToPath(new URL('../../lib/ipc/bind.ts', import.meta.url)), bundle));

interface Report {
  stats: number;
  seen: number;
  wider: string[];
  connects: number;
  widerConnects: string[];
}

/** Starts the racer on `path`; `finish()` stops it and resolves what it saw. */
async function racer(path: string): Promise<{ finish(): Promise<Report> }> {
  const proc = spawn(process.execPath, [RACER, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', () => out.includes('ready\n') && resolve());
    proc.once('exit', () => reject(new Error(`the racer exited early: ${out}`)));
  });
  return {
    finish: async () => {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.stdin.end();
      await exited;
      return JSON.parse(out.trim().split('\n').at(-1) as string) as Report;
    },
  };
}

/** Resolves at the server's first connection, or after `ms` without one (the round goes on either way). */
function firstConnection(server: Server, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    server.once('connection', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// The naive bind (listen at the path, then chmod 0600) fails this test: the racer sees the socket at 0755 and
// connects to it before the chmod, in most runs of 60 rounds.
describe('bind() against a racing process', () => {
  it('never shows the socket with a mode wider than 0600, nor lets a connect in while it is', async () => {
    const path = join(root, 'ctl.sock');
    const race = await racer(path);
    let accepted = 0;
    let report: Report;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const server = await bind(path);
        // Right after bind: the file is there, a socket, 0600.
        const st = statSync(path);
        expect(st.isSocket()).toBe(true);
        expect((st.mode & 0o777).toString(8)).toBe('600');
        server.on('connection', (socket) => {
          accepted++;
          socket.destroy();
        });
        // Give the racer a chance to get in (not an assertion on time: the round goes on after 200 ms regardless).
        await firstConnection(server, 200);
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      report = await race.finish();
    }
    expect(report.wider).toEqual([]);
    expect(report.widerConnects).toEqual([]);
    // The race did happen: the racer saw the socket and got connections in.
    expect(report.seen).toBeGreaterThan(0);
    expect(report.connects).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  }, 60_000);
});

interface Binder {
  readonly pid: number;
  /** Sends a command; resolves the line it answers. */
  ask(command: string): Promise<string>;
  stop(): Promise<void>;
}

function binder(): Binder {
  const proc: ChildProcessWithoutNullStreams = spawn(process.execPath, [BINDER, bundle], { stdio: 'pipe' });
  const waiting: Array<(line: string) => void> = [];
  let buffer = '';
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  proc.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    pid: proc.pid as number,
    ask: (command) =>
      new Promise<string>((resolve, reject) => {
        waiting.push(resolve);
        void exited.then(() => reject(new Error(`the binder exited: ${stderr}`)));
        proc.stdin.write(`${command}\n`);
      }),
    stop: () => {
      proc.stdin.end();
      return exited;
    },
  };
}

/** Leaves a dead socket file at `path`: linked from a socket whose server then closed. */
async function deadSocket(path: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(`${path}.live`, resolve));
  linkSync(`${path}.live`, path);
  await new Promise((resolve) => server.close(resolve));
}

/** What the server at `path` answers: its process's PID. */
function whoServes(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let reply = '';
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
    });
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

describe('bind() in several processes at once', () => {
  it('binds in exactly one of them, on a free path and over a dead socket; the others find it in use', async () => {
    const binders = [binder(), binder(), binder(), binder()];
    try {
      for (let round = 0; round < 60; round++) {
        const path = join(root, `p${round}.sock`);
        if (round % 2 === 1) await deadSocket(path);
        const answers = await Promise.all(binders.map((b) => b.ask(`bind ${path}`)));
        expect(answers.filter((a) => a === 'ok')).toHaveLength(1);
        expect(answers.filter((a) => a !== 'ok')).toEqual(Array(binders.length - 1).fill(`err ${ErrorCode.SocketInUse}`));
        const winner = binders[answers.indexOf('ok')] as Binder;
        expect(await whoServes(path)).toBe(String(winner.pid));
        expect(await winner.ask('close')).toBe('closed');
        expect(existsSync(path)).toBe(false);
      }
    } finally {
      await Promise.all(binders.map((b) => b.stop()));
    }
    // No private folder nor claim left behind.
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  }, 60_000);
});
