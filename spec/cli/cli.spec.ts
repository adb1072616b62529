import { writeFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { USAGE } from '../../lib/cli/args.js';
import { EXIT, main } from '../../lib/cli/main.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type FakeControl, NOW, type Received, collect, fakeControl, statusDoc, tempSocketPath } from './fake-control.js';

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[/;

let control: FakeControl | undefined;
afterEach(async () => {
  await control?.close();
  control = undefined;
});

async function serve(answer: (r: Received) => void): Promise<FakeControl> {
  control = await fakeControl(answer);
  return control;
}

/** Runs the CLI in-process against `path`, at NOW, `columns` wide, not a terminal. */
async function run(argv: string[], env: Record<string, string | undefined> = {}, tty: { isTTY?: boolean; columns?: number } = {}) {
  const io = collect(env, tty, { now: () => NOW });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('proc-daemon status', () => {
  it('prints a header line and an aligned table, the last error cut with … to the width', async () => {
    const c = await serve((r) => r.ok(statusDoc()));
    const { code, out, err } = await run(['status', '--socket', c.path], {}, { columns: 110 });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(c.requests).toEqual([{ id: 1, cmd: 'status' }]);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('api  pid 4242  running  ready  up 3d04h  proc-daemon 0.1.0, node v20.19.0');
    expect(lines[1]).toBe('');
    const [head, ...rows] = lines.slice(2);
    expect(head).toMatch(/^SUBSYSTEM +STATE +READY +RESTARTS +UPTIME +LAST ERROR$/);
    expect(rows).toHaveLength(4);
    // Every column starts where its heading does; numbers end where theirs does.
    const at = (h: string) => (head as string).indexOf(h);
    for (const row of rows) {
      expect(row.length).toBeLessThanOrEqual(110);
      expect(row[at('STATE') - 1]).toBe(' ');
      expect(row[at('STATE')]).not.toBe(' ');
      expect(row[at('READY')]).toMatch(/[yn]/);
      expect(row[at('RESTARTS') + 'RESTARTS'.length - 1]).toMatch(/\d/);
      expect(row[at('LAST ERROR')]).not.toBe(' ');
    }
    expect(rows[0]).toMatch(/^http +running +yes +0 +3m12s +—$/);
    expect(rows[1]).toMatch(/^queue-consumer-with-a-rather-long-name +restarting +no +12 +— +connect ECONNREFUSED 1.*…$/);
    expect(rows[1]).toHaveLength(110);
    expect(rows[2]).toMatch(/^cache +running \(unhealthy\) +no +1 +2h05m +—$/);
    expect(rows[3]).toMatch(/^reaper +stopped +no +0 +— +—$/);
    expect(out).not.toMatch(SGR);
  });

  it('fits the width of COLUMNS, else 120, and cuts names past 40 characters', async () => {
    const long = 'n'.repeat(60);
    const doc = statusDoc({ subsystems: [{ ...statusDoc().subsystems[1]!, name: long }] });
    const c = await serve((r) => r.ok(doc));
    const wide = (await run(['status', '-s', c.path])).out.split('\n');
    expect(Math.max(...wide.map((l) => l.length))).toBe(120);
    expect(wide[3]).toContain(`${'n'.repeat(39)}… `);
    const narrow = (await run(['status', '-s', c.path], { COLUMNS: '100' })).out.split('\n');
    expect(narrow[3]).toHaveLength(100);
    // Too narrow for the fixed columns: the last error keeps 16 characters, and the line overflows.
    const tight = (await run(['status', '-s', c.path], { COLUMNS: '60' })).out.split('\n');
    expect(tight[3]).toMatch(/ connect ECONNRE…$/);
  });

  it('reads with zero subsystems, and shows a hidden message as kind and code', async () => {
    const replies = [
      statusDoc({ subsystems: [], phase: 'draining', ready: false, reason: 'requested', uptimeSeconds: 45.9 }),
      statusDoc({ subsystems: [{ ...statusDoc().subsystems[0]!, lastError: { code: ErrorCode.Subsystem, kind: 'subsystem', message: null } }] }),
    ];
    const c = await serve((r) => r.ok(replies.shift()));
    const empty = await run(['status', '-s', c.path]);
    expect(empty.out).toBe('api  pid 4242  draining (requested)  not ready  up 45s  proc-daemon 0.1.0, node v20.19.0\n\n(no subsystems)\n');
    const hidden = await run(['status', '-s', c.path]);
    expect(hidden.out).toMatch(/http +running +yes +0 +3m12s +subsystem 4000\n$/);
  });

  it('colours only on a terminal without NO_COLOR, or with FORCE_COLOR', async () => {
    const c = await serve((r) => r.ok(statusDoc()));
    expect((await run(['status', '-s', c.path], {}, { isTTY: false })).out).not.toMatch(SGR);
    const tty = await run(['status', '-s', c.path], {}, { isTTY: true, columns: 100 });
    expect(tty.out).toMatch(SGR);
    // Colour changes nothing but the codes: the same table once they are stripped.
    // eslint-disable-next-line no-control-regex
    expect(tty.out.replace(/\u001b\[\d+m/g, '')).toBe((await run(['status', '-s', c.path], {}, { columns: 100 })).out);
    expect((await run(['status', '-s', c.path], { NO_COLOR: '1' }, { isTTY: true })).out).not.toMatch(SGR);
    expect((await run(['status', '-s', c.path], { FORCE_COLOR: '1' })).out).toMatch(SGR);
    expect((await run(['status', '-s', c.path], { FORCE_COLOR: '0' })).out).not.toMatch(SGR);
  });

  it('keeps escape sequences and line breaks from the daemon out of the terminal', async () => {
    const evil = statusDoc({ subsystems: [{ ...statusDoc().subsystems[0]!, name: 'x\u001b[2Jy', lastError: { code: ErrorCode.Io, kind: 'io', message: 'a\nb\u009bc' } }] });
    const c = await serve((r) => r.ok(evil));
    const { out } = await run(['status', '-s', c.path]);
    expect(out).not.toMatch(/[\u001b\u009b]/);
    expect(out).toMatch(/^x \[2Jy +running .* a b c$/m);
  });

  it('--json prints the reply line as received', async () => {
    const c = await serve((r) => r.ok(statusDoc()));
    const { code, out } = await run(['--json', 'status', '-s', c.path]);
    expect(code).toBe(0);
    expect(out).toBe(`${JSON.stringify({ id: 1, ok: true, result: statusDoc() })}\n`);
  });

  it('takes the socket from PROC_DAEMON_SOCKET, and --socket over it', async () => {
    const c = await serve((r) => r.ok(statusDoc()));
    expect((await run(['status'], { PROC_DAEMON_SOCKET: c.path })).code).toBe(0);
    const nowhere = `${c.path}.nope`;
    expect((await run(['status', '--socket', c.path], { PROC_DAEMON_SOCKET: nowhere })).code).toBe(0);
    expect((await run(['status', `--socket=${c.path}`], { PROC_DAEMON_SOCKET: nowhere })).code).toBe(0);
    const missed = await run(['status'], { PROC_DAEMON_SOCKET: nowhere });
    expect(missed.code).toBe(EXIT.unavailable);
    expect(missed.err).toContain(nowhere);
  });

  it('a reply that is not a status document exits 1', async () => {
    const c = await serve((r) => r.ok({ hello: 'world' }));
    const { code, err } = await run(['status', '-s', c.path]);
    expect(code).toBe(1);
    expect(err).toMatch(/not a status document/);
  });
});

describe('proc-daemon events', () => {
  const events = [
    { type: 'state-changed', id: 1, name: 'worker', from: null, state: 'starting', at: 10.5, time: NOW },
    { type: 'state-changed', id: 1, name: 'worker', from: 'running', state: 'restarting', at: 20, time: NOW + 1500, attempt: 2, delayMs: 200, error: { name: 'DaemonError', kind: 'subsystem', code: 4000, message: 'boom ✓' } },
    { type: 'shutdown-initiated', reason: { kind: 'signal', signal: 'SIGTERM', signo: 15 }, at: 30, time: NOW + 2000 },
  ];
  const lines = events.map((event) => `${JSON.stringify({ id: 1, event })}\n`);

  it('prints one line per event, prefixed with its wall-clock time, then exits 0 when the daemon closes', async () => {
    const c = await serve(async (r) => {
      // Partial lines, and a UTF-8 character split across chunks.
      const bytes = Buffer.from(lines.join(''));
      const split = bytes.indexOf(Buffer.from('✓')) + 1;
      for (const piece of [bytes.subarray(0, 7), bytes.subarray(7, split), bytes.subarray(split)]) {
        r.socket.write(piece);
        await sleep(5);
      }
      r.socket.end();
    });
    const { code, out, err } = await run(['events', '-s', c.path]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(c.requests).toEqual([{ id: 1, cmd: 'events' }]);
    const printed = out.trimEnd().split('\n');
    expect(printed).toHaveLength(3);
    expect(printed[0]).toMatch(/^\d\d:\d\d:\d\d\.000 worker: ∅ → starting$/);
    expect(printed[1]).toMatch(/^\d\d:\d\d:\d\d\.500 worker: running → restarting \(attempt 2 in 200 ms\): boom ✓$/);
    expect(printed[2]).toMatch(/^\d\d:\d\d:\d\d\.000 shutdown initiated: signal by SIGTERM$/);
  });

  it('--json prints each line as received', async () => {
    const c = await serve((r) => {
      r.socket.end(lines.join(''));
    });
    const { code, out } = await run(['events', '--json', '-s', c.path]);
    expect(code).toBe(0);
    expect(out).toBe(lines.join(''));
  });

  it('ends quietly with 0 on Ctrl-C, and survives an event it cannot format', async () => {
    const c = await serve((r) => r.socket.write(`${JSON.stringify({ id: 1, event: { type: 'shutdown-initiated' } })}\n`));
    const interrupt = new AbortController();
    const io = collect({}, {}, { signal: interrupt.signal });
    const done = main(['events', '-s', c.path], io);
    await expect.poll(() => io.out()).toContain('shutdown-initiated');
    interrupt.abort();
    expect(await done).toBe(0);
    expect(io.err()).toBe('');
  });

  it('an error reply ends the stream with 1', async () => {
    const c = await serve((r) => r.error({ code: 6012, kind: 'runtime', message: 'unknown command "events"' }));
    const { code, err } = await run(['events', '-s', c.path]);
    expect(code).toBe(1);
    expect(err).toBe('proc-daemon: unknown command "events" (runtime 6012)\n');
  });
});

describe('the other commands', () => {
  const results: Record<string, unknown> = {
    reload: { reloaded: true },
    shutdown: { initiated: true },
    stop: { name: 'worker', state: 'stopped', restartCount: 2 },
    restart: { name: 'worker', state: 'running', restartCount: 3 },
    metrics: '# TYPE up gauge\nup 1\n',
    profile: { path: '/var/lib/api/profiles/cpu-1.cpuprofile' },
    help: [
      { cmd: 'status', args: '', description: 'the status document' },
      { cmd: 'stop', args: '{"name"}', description: 'stop one subsystem' },
      { cmd: 'profile', args: '{"kind":"cpu","seconds"} | {"kind":"heap"}', description: 'write a profile' },
    ],
  };

  it.each([
    [['reload'], { cmd: 'reload' }, 'reloaded\n'],
    [['shutdown'], { cmd: 'shutdown' }, 'shutdown requested\n'],
    [['stop', 'worker'], { cmd: 'stop', name: 'worker' }, 'stopped worker (now stopped; restarts: 2)\n'],
    [['restart', 'worker'], { cmd: 'restart', name: 'worker' }, 'restarted worker (now running; restarts: 3)\n'],
    [['metrics'], { cmd: 'metrics' }, '# TYPE up gauge\nup 1\n'],
    [['profile', 'cpu', '2.5'], { cmd: 'profile', kind: 'cpu', seconds: 2.5 }, '/var/lib/api/profiles/cpu-1.cpuprofile\n'],
    [['profile', 'heap'], { cmd: 'profile', kind: 'heap' }, '/var/lib/api/profiles/cpu-1.cpuprofile\n'],
    [['help'], { cmd: 'help' }, 'Commands of the daemon:\n  status         the status document\n  stop {"name"}  stop one subsystem\n  profile {"kind":"cpu","seconds"} | {"kind":"heap"}\n                 write a profile\n'],
  ])('%j sends %j and prints the result', async (argv, request, printed) => {
    const c = await serve((r) => r.ok(results[r.request['cmd'] as string]));
    const { code, out, err } = await run([...argv, '-s', c.path]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(c.requests).toEqual([{ id: 1, ...request }]);
    expect(out).toBe(printed);
  });

  it('shutdown says so when it had begun', async () => {
    const c = await serve((r) => r.ok({ initiated: false }));
    expect((await run(['shutdown', '-s', c.path])).out).toBe('shutdown requested (it had already begun)\n');
  });

  it('an error reply: its message, kind and code on stderr, exit 1 (--json: the raw line on stdout)', async () => {
    const error = { code: 6013, kind: 'runtime', message: 'stop: no subsystem is named "nope" (there are: http, worker)' };
    const c = await serve((r) => r.error(error));
    const plain = await run(['stop', 'nope', '-s', c.path]);
    expect(plain).toEqual({ code: 1, out: '', err: `proc-daemon: ${error.message} (runtime 6013)\n` });
    const json = await run(['stop', 'nope', '-s', c.path, '--json']);
    expect(json).toEqual({ code: 1, out: `${JSON.stringify({ id: 1, ok: false, error })}\n`, err: '' });
  });
});

describe('failures', () => {
  it('nothing listening: 69, naming the path it tried', async () => {
    const { dir, path } = tempSocketPath();
    try {
      const missing = await run(['status', '-s', path]);
      expect(missing).toEqual({ code: 69, out: '', err: `proc-daemon: no daemon is listening on ${path} (ENOENT: no such socket)\n` });
      writeFileSync(path, 'not a socket');
      const refused = await run(['status', '-s', path]);
      expect(refused.code).toBe(69);
      expect(refused.err).toBe(`proc-daemon: no daemon is listening on ${path} (ECONNREFUSED: nothing accepts connections there)\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a reply that is not JSON, or not a reply: 1', async () => {
    const c = await serve((r) => r.socket.write(r.request['cmd'] === 'status' ? 'hello there\n' : '[1,2]\n'));
    const garbage = await run(['status', '-s', c.path]);
    expect(garbage.code).toBe(1);
    expect(garbage.err).toBe(`proc-daemon: the reply to status on ${c.path} is not valid (it is not JSON): hello there\n`);
    const notReply = await run(['reload', '-s', c.path]);
    expect(notReply.code).toBe(1);
    expect(notReply.err).toMatch(/is not valid \(it is not a reply of the control protocol/);
  });

  it('the daemon closes the connection before replying: 1', async () => {
    const c = await serve((r) => r.socket.end('{"id":1,"ok":tr'));
    const { code, err } = await run(['status', '-s', c.path]);
    expect(code).toBe(1);
    expect(err).toMatch(/not valid \(it is not JSON\)/);
    const c2 = await fakeControl((r) => r.socket.end());
    try {
      const closed = await run(['reload', '-s', c2.path]);
      expect(closed).toEqual({ code: 1, out: '', err: `proc-daemon: the daemon on ${c2.path} closed the connection before it replied to reload\n` });
    } finally {
      await c2.close();
    }
  });

  it('no reply within --timeout: 1', async () => {
    const c = await serve(() => {});
    const started = performance.now();
    const { code, err } = await run(['status', '-s', c.path, '--timeout', '150']);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(code).toBe(1);
    expect(err).toMatch(/no reply to status from .* within 150 ms/);
  });

  it('Ctrl-C while waiting for a reply: 130', async () => {
    const c = await serve(() => {});
    const interrupt = new AbortController();
    const done = main(['reload', '-s', c.path], collect({}, {}, { signal: interrupt.signal }));
    await expect.poll(() => c.requests.length).toBe(1);
    interrupt.abort();
    expect(await done).toBe(130);
  });
});

describe('usage', () => {
  it('--help prints the usage, exit 0 (even beside a bad command line)', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, out: USAGE, err: '' });
    expect((await run(['bogus', '-h'])).code).toBe(0);
  });

  it.each([
    [[], /no command given/],
    [['bogus', '-s', '/x'], /unknown command "bogus"/],
    [['stop', '-s', '/x'], /stop needs the NAME of a subsystem/],
    [['restart', 'a', 'b', '-s', '/x'], /restart takes one NAME/],
    [['status', 'extra', '-s', '/x'], /status takes no arguments/],
    [['profile', '-s', '/x'], /profile needs a kind/],
    [['profile', 'cpu', '-s', '/x'], /needs SECONDS/],
    [['profile', 'cpu', 'abc', '-s', '/x'], /SECONDS is a number above 0 and at most 3600, got "abc"/],
    [['profile', 'cpu', '0', '-s', '/x'], /SECONDS is a number above 0/],
    [['profile', 'cpu', '4000', '-s', '/x'], /at most 3600/],
    [['profile', 'heap', '5', '-s', '/x'], /profile heap takes no SECONDS/],
    [['profile', 'disk', '-s', '/x'], /unknown profile kind "disk"/],
    [['status', '--bogus', '-s', '/x'], /unknown option --bogus/],
    [['status', '--socket'], /--socket needs a value/],
    [['status', '--timeout', '-5', '-s', '/x'], /--timeout takes a number of milliseconds/],
    [['status'], /no control socket named: pass --socket PATH or set PROC_DAEMON_SOCKET/],
  ])('%j → 64 with a message and a hint', async (argv, message) => {
    const { code, out, err } = await run(argv as string[]);
    expect(code).toBe(EXIT.usage);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err).toMatch(/^proc-daemon: .*\nTry 'proc-daemon --help' for usage\.\n$/);
  });
});
