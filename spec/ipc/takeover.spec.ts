import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { bind } from '../../lib/ipc/bind.js';
import { claimName } from '../../lib/ipc/takeover.js';

const root = mkdtempSync(join(tmpdir(), 'pd-take-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dir: string;
let n = 0;
const servers: Server[] = [];
beforeEach(() => {
  dir = join(root, `t${++n}`);
  mkdirSync(dir);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listening(path: string): Promise<Server> {
  const server = createServer((socket) => {
    // bind()'s probe connects and leaves at once: the write may fail.
    socket.on('error', () => undefined);
    socket.end('claimant');
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  servers.push(server);
  return server;
}

/** Leaves a dead socket at each of `paths` (one inode): linked from a socket whose server then closed. */
async function deadSocket(...paths: string[]): Promise<void> {
  const live = join(dir, 'live.tmp');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(live, resolve));
  for (const p of paths) linkSync(live, p);
  await new Promise((resolve) => server.close(resolve));
}

function reaches(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('replacing a dead socket', () => {
  it('skips the claims that binders who died mid-way left, and removes them once it won', async () => {
    const path = join(dir, 'ctl.sock');
    await deadSocket(path);
    const dead = lstatSync(path, { bigint: true });
    // Generation 0: a dead claim (a socket whose binder died); generation 1: garbage (not a socket).
    const claim0 = claimName(path, dead, 0);
    const claim1 = claimName(path, dead, 1);
    const live = join(dir, 'other.tmp');
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(live, resolve));
    linkSync(live, claim0);
    await new Promise((resolve) => other.close(resolve));
    writeFileSync(claim1, '');
    const server = await bind(path);
    servers.push(server);
    expect(lstatSync(path).ino).not.toBe(Number(dead.ino));
    expect(await reaches(path)).toBe(true);
    expect(readdirSync(dir)).toEqual(['ctl.sock']);
  });

  it('waits for a live binder holding the claim, and then finds the socket in use', async () => {
    const path = join(dir, 'ctl.sock');
    await deadSocket(path);
    const dead = lstatSync(path, { bigint: true });
    // A binder that holds the claim and never finishes: after a few waits, bind() gives up.
    await listening(claimName(path, dead, 0));
    const err = await bind(path).then(
      (s) => {
        servers.push(s);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DaemonError);
    expect((err as DaemonError).code).toBe(ErrorCode.SocketInUse);
    expect((err as DaemonError).message).toContain('another process');
    // The dead socket and the claim are left alone.
    expect(lstatSync(path).ino).toBe(Number(dead.ino));
    expect(readdirSync(dir).filter((name) => !name.startsWith('.c')).sort()).toEqual(['ctl.sock']);
  });

  it('names its claims no longer than the private folder socket (within the limit when the path is)', () => {
    const path = join(dir, 'ctl.sock');
    const claim = claimName(path, lstatSync(dir, { bigint: true }), 15);
    expect(claim.length).toBe(join(dir, '.xxxxx', 's').length);
    expect(claim.startsWith(join(dir, '.c'))).toBe(true);
  });
});
