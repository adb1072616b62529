import { spawn } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { bind } from '../../lib/ipc/bind.js';
import { MAX_SOCKET_PATH } from '../../lib/ipc/socket-path.js';

const root = mkdtempSync(join(tmpdir(), 'pd-ipc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dir: string;
let n = 0;
const servers: Server[] = [];
beforeEach(() => {
  dir = join(root, `t${++n}`);
  mkdirSync(dir);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => closed(s)));
});

function closed(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Binds and remembers the server, to close it after the test. */
async function bound(path: string, options?: Parameters<typeof bind>[1]): Promise<Server> {
  const server = await bind(path, options);
  servers.push(server);
  return server;
}

/** The error bind() rejects with (fails the test if it resolves). */
async function bindError(path: string): Promise<DaemonError> {
  const result = await bind(path).then(
    (server) => {
      servers.push(server);
      return undefined;
    },
    (err: unknown) => err,
  );
  expect(result).toBeInstanceOf(DaemonError);
  return result as DaemonError;
}

/** Sends `text` to the socket at `path` and resolves what comes back before the server ends the connection. */
function roundTrip(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(path);
    let reply = '';
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
    });
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
    socket.end(text);
  });
}

function echo(server: Server): void {
  server.on('connection', (socket) => {
    // bind()'s probe (of a live socket) connects and leaves at once: ECONNRESET, EPIPE.
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
}

/** Listens on `path` with a plain server (no bind()), resolving when it listens. */
async function plainServer(path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  servers.push(server);
  return server;
}

/** Leaves a dead socket file at `path` (nobody listens on it): linked from a socket whose server then closed. */
async function deadSocket(path: string): Promise<void> {
  const live = `${path}.live`;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(live, resolve));
  linkSync(live, path);
  await closed(server);
}

describe('bind()', () => {
  it('creates a socket with mode 0600 that serves connections, says its path as its address, and leaves nothing else', async () => {
    const path = join(dir, 'ctl.sock');
    const server = await bound(path);
    const st = statSync(path);
    expect(st.isSocket()).toBe(true);
    expect((st.mode & 0o777).toString(8)).toBe('600');
    expect(server.listening).toBe(true);
    expect(server.address()).toBe(path);
    expect(readdirSync(dir)).toEqual(['ctl.sock']);
    echo(server);
    expect(await roundTrip(path, 'ping')).toBe('ping');
  });

  it('takes another mode, set before the socket is at its path', async () => {
    const path = join(dir, 'ctl.sock');
    await bound(path, { mode: 0o640 });
    expect((statSync(path).mode & 0o777).toString(8)).toBe('640');
  });

  it('refuses a mode that is not permission bits', async () => {
    for (const mode of [-1, 0o1000, 1.5, Number.NaN]) {
      const err = await bind(join(dir, 'ctl.sock'), { mode }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DaemonError);
      expect((err as DaemonError).code).toBe(ErrorCode.ConfigInvalidValue);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('binds a relative path', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const server = await bound('rel.sock');
      expect(server.address()).toBe('rel.sock');
      expect(statSync(join(dir, 'rel.sock')).isSocket()).toBe(true);
      await closed(server);
      expect(existsSync(join(dir, 'rel.sock'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  it('removes the socket when the server closes', async () => {
    const path = join(dir, 'ctl.sock');
    const server = await bind(path);
    await closed(server);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    // The path can be bound again.
    echo(await bound(path));
    expect(await roundTrip(path, 'again')).toBe('again');
  });

  it('does not remove a file that replaced its socket', async () => {
    const path = join(dir, 'ctl.sock');
    const server = await bind(path);
    unlinkSync(path);
    writeFileSync(path, 'not yours');
    await closed(server);
    expect(readFileSync(path, 'utf8')).toBe('not yours');
  });

  it('refuses a symbolic link, and leaves it and its target alone', async () => {
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'precious');
    const path = join(dir, 'ctl.sock');
    symlinkSync(target, path);
    const err = await bindError(path);
    expect(err.kind).toBe('io');
    expect(err.code).toBe(ErrorCode.SocketPathRefused);
    expect(err.message).toContain(path);
    expect(err.message).toContain('symbolic link');
    expect(readlinkSync(path)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('precious');
    expect(readdirSync(dir).sort()).toEqual(['ctl.sock', 'target.txt']);
  });

  it('refuses a dangling symbolic link, and a link to a live socket', async () => {
    const dangling = join(dir, 'dangling.sock');
    symlinkSync(join(dir, 'nowhere'), dangling);
    expect((await bindError(dangling)).code).toBe(ErrorCode.SocketPathRefused);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);

    const live = join(dir, 'live.sock');
    echo(await plainServer(live));
    const link = join(dir, 'link.sock');
    symlinkSync(live, link);
    expect((await bindError(link)).code).toBe(ErrorCode.SocketPathRefused);
    expect(await roundTrip(live, 'still')).toBe('still');
  });

  it('refuses a regular file, and leaves it alone', async () => {
    const path = join(dir, 'ctl.sock');
    writeFileSync(path, 'data');
    const err = await bindError(path);
    expect(err.code).toBe(ErrorCode.SocketPathRefused);
    expect(err.message).toContain(path);
    expect(err.message).toContain('regular file');
    expect(readFileSync(path, 'utf8')).toBe('data');
    expect(readdirSync(dir)).toEqual(['ctl.sock']);
  });

  it('refuses a directory', async () => {
    const path = join(dir, 'ctl.sock');
    mkdirSync(path);
    const err = await bindError(path);
    expect(err.code).toBe(ErrorCode.SocketPathRefused);
    expect(err.message).toContain('directory');
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it('refuses a live socket as in use, naming its path, and leaves it serving', async () => {
    const path = join(dir, 'ctl.sock');
    const server = await plainServer(path);
    echo(server);
    const err = await bindError(path);
    expect(err.kind).toBe('io');
    expect(err.code).toBe(ErrorCode.SocketInUse);
    expect(err.message).toContain(path);
    expect(err.message).toContain('in use');
    expect(await roundTrip(path, 'mine')).toBe('mine');
    expect(readdirSync(dir)).toEqual(['ctl.sock']);
  });

  it('refuses a socket bound by bind() itself while it serves', async () => {
    const path = join(dir, 'ctl.sock');
    await bound(path);
    expect((await bindError(path)).code).toBe(ErrorCode.SocketInUse);
  });

  it('replaces the dead socket of a killed process', async () => {
    const path = join(dir, 'ctl.sock');
    const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before listening`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const dead = lstatSync(path);
    expect(dead.isSocket()).toBe(true);

    const server = await bound(path);
    echo(server);
    const now = lstatSync(path);
    expect(now.isSocket()).toBe(true);
    expect(now.ino).not.toBe(dead.ino);
    expect((now.mode & 0o777).toString(8)).toBe('600');
    expect(await roundTrip(path, 'new')).toBe('new');
    expect(readdirSync(dir)).toEqual(['ctl.sock']);
  });

  it('of two binders on one dead socket, one binds and the other finds it in use', async () => {
    for (let round = 0; round < 30; round++) {
      const path = join(dir, `r${round}.sock`);
      await deadSocket(path);
      const results = await Promise.allSettled([bind(path), bind(path)]);
      const won = results.filter((r): r is PromiseFulfilledResult<Server> => r.status === 'fulfilled').map((r) => r.value);
      servers.push(...won);
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as DaemonError);
      expect(won).toHaveLength(1);
      expect(lost.map((e) => e.code)).toEqual([ErrorCode.SocketInUse]);
      echo(won[0] as Server);
      expect(await roundTrip(path, `round ${round}`)).toBe(`round ${round}`);
    }
    // Nothing left behind but the sockets (and no private folder).
    expect(readdirSync(dir).every((name) => name.endsWith('.sock'))).toBe(true);
  });

  it('of several binders on a free path, one binds and the others find it in use', async () => {
    for (let round = 0; round < 10; round++) {
      const path = join(dir, `f${round}.sock`);
      const results = await Promise.allSettled([bind(path), bind(path), bind(path), bind(path)]);
      const won = results.filter((r): r is PromiseFulfilledResult<Server> => r.status === 'fulfilled').map((r) => r.value);
      servers.push(...won);
      expect(won).toHaveLength(1);
      const codes = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as DaemonError).code);
      expect(codes).toEqual([ErrorCode.SocketInUse, ErrorCode.SocketInUse, ErrorCode.SocketInUse]);
    }
  });

  it('refuses a path too long for a Unix socket, and never truncates one', async () => {
    const long = join(dir, `${'x'.repeat(MAX_SOCKET_PATH)}.sock`);
    const err = await bindError(long);
    expect(err.code).toBe(ErrorCode.SocketPathRefused);
    expect(err.message).toContain(`at most ${MAX_SOCKET_PATH} bytes`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says so when the path fits but the private folder beside it would not', async () => {
    // The private socket is <folder>/.xxxxx/s: 9 bytes past the folder, whatever the file name.
    const folder = join(dir, 'f'.repeat(MAX_SOCKET_PATH - dir.length - 4));
    const path = join(folder, 'a'); // folder + 2 bytes: fits
    expect(Buffer.byteLength(path)).toBeLessThanOrEqual(MAX_SOCKET_PATH);
    const err = await bindError(path);
    expect(err.code).toBe(ErrorCode.SocketPathRefused);
    expect(err.message).toContain('private folder');
    expect(err.message).toContain('shorter');
  });

  it('binds a path of exactly the longest length', async () => {
    // folder + 9 bytes (the private socket) = the limit = folder + '/' + an 8-byte name.
    const folder = join(dir, 'g'.repeat(MAX_SOCKET_PATH - 9 - dir.length - 1));
    mkdirSync(folder);
    const path = join(folder, 'ctl.sock');
    expect(Buffer.byteLength(path)).toBe(MAX_SOCKET_PATH);
    echo(await bound(path));
    expect(readdirSync(folder)).toEqual(['ctl.sock']);
    expect(await roundTrip(path, 'long')).toBe('long');
  });

  it('fails with SocketBind in a folder that does not exist', async () => {
    const path = join(dir, 'missing', 'ctl.sock');
    const err = await bindError(path);
    expect(err.code).toBe(ErrorCode.SocketBind);
    expect(err.message).toContain('does not exist');
  });

  it('refuses an empty path and a Windows pipe name off Windows', async () => {
    expect((await bindError('')).code).toBe(ErrorCode.SocketPathRefused);
    if (process.platform !== 'win32') expect((await bindError('\\\\.\\pipe\\my-daemon')).code).toBe(ErrorCode.SocketPathRefused);
  });
});
