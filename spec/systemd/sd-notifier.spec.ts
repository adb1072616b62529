import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SchedulerLike, firstValueFrom, timer } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { EXTEND_MARGIN_MS, RETRY_LIMIT, RETRY_MS } from '../../lib/systemd/sd-notifier.js';
import { track } from '../helpers/assertions.js';
import { runUntil } from '../helpers/run-until.js';
import { WARN, fakeAddon, launched, notifyDaemon } from './notify-daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-sd-notifier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const toml = (graceful: number) => `[shutdown]\ndrain = 1000\ngraceful = ${graceful}\nforce = 3000\nkill = 4000\n`;
const ladder = (graceful: number, force: number, kill: number, drain = 0) => Config.from({ shutdown: { graceful, force, kill, drain } });
const extend = (leftMs: number) => `EXTEND_TIMEOUT_USEC=${(leftMs + EXTEND_MARGIN_MS) * 1000}`;

/** A task that signals ready after `readyAfter` ms, and on cancel takes `cleanup` ms to end (timers on `scheduler`). */
function web(scheduler: SchedulerLike, readyAfter: number, cleanup: number) {
  return async (h: ShutdownHandle) => {
    await firstValueFrom(timer(readyAfter, scheduler));
    h.signalReady();
    await h.cancelled();
    await firstValueFrom(timer(cleanup, scheduler));
  };
}

describe('SdNotifier', () => {
  it('tells a whole life in order: the start, READY=1 with MAINPID, each reload, STOPPING=1, each phase with the time left until kill', async () => {
    const path = join(dir, 'life.toml');
    writeFileSync(path, toml(2000));
    const { builder, clock, host, messages } = notifyDaemon(Config.loadFromFile(path));
    const daemon = builder
      .withConfigPath(path)
      .withTask('web', web(clock, 100, 300), { readiness: 'manual' })
      .build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(500);
    const before = process.hrtime.bigint() / 1000n;
    host.deliver('SIGHUP');
    const after = process.hrtime.bigint() / 1000n;
    await clock.advance(100);
    writeFileSync(path, toml(50_000)); // graceful past force: rejected
    host.deliver('SIGHUP');
    await clock.advance(400);
    host.deliver('SIGTERM'); // at 1000: the drain ends at 2000, the run at 2300
    await runUntil(clock, exit);

    const reloading = messages().find((m) => m.startsWith('RELOADING=1')) ?? '';
    const usec = BigInt(/MONOTONIC_USEC=(\d+)/.exec(reloading)?.[1] ?? '-1');
    expect(usec >= before && usec <= after).toBe(true);
    expect(messages().map((m) => m.replace(/MONOTONIC_USEC=\d+/, 'MONOTONIC_USEC=…'))).toEqual([
      'STATUS=starting: 1 subsystem, 1 not ready yet',
      `READY=1\nMAINPID=${process.pid}\nSTATUS=running: 1 subsystem, ready`,
      'RELOADING=1\nMONOTONIC_USEC=…\nSTATUS=reloading the config',
      'READY=1\nSTATUS=running: 1 subsystem, ready',
      'RELOADING=1\nMONOTONIC_USEC=…\nSTATUS=reloading the config',
      'READY=1\nSTATUS=running: 1 subsystem, ready; config reload rejected (1001)',
      `STOPPING=1\nSTATUS=draining (signal SIGTERM)\n${extend(4000)}`,
      `STATUS=graceful shutdown (signal SIGTERM): 1 subsystem stopping\n${extend(3000)}`,
      'STATUS=stopped (signal SIGTERM)',
    ]);
    expect(fakeAddon.sent.every((s) => s.address === '/run/proc-daemon-test/notify')).toBe(true);
  });

  it('says when readiness is lost and when it comes back, with no second READY=1', async () => {
    const { builder, clock, messages } = notifyDaemon();
    let handle: ShutdownHandle | undefined;
    const daemon = builder
      .withTask('api', (h) => {
        handle = h;
        h.signalReady();
        return h.cancelled();
      }, { readiness: 'manual' })
      .withTask('worker', (h) => h.cancelled(), { readiness: 'none' })
      .build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(10);
    handle?.signalNotReady();
    await clock.advance(10);
    handle?.signalReady();
    await clock.advance(10);
    daemon.shutdown();
    await runUntil(clock, exit);
    expect(messages().filter((m) => !m.startsWith('STATUS=starting'))).toEqual([
      `READY=1\nMAINPID=${process.pid}\nSTATUS=running: 2 subsystems, ready`,
      'STATUS=running: 2 subsystems, 1 not ready',
      'STATUS=running: 2 subsystems, ready',
      `STOPPING=1\nSTATUS=graceful shutdown (requested): 2 subsystems stopping\n${extend(60_000)}`,
      'STATUS=stopped (requested)',
    ]);
  });

  it('tells readiness, not every start: one STATUS at the launch, then READY=1 when the last subsystem is ready', async () => {
    const { builder, clock, messages } = notifyDaemon();
    for (const ms of [100, 200, 300]) builder.withTask(`t${ms}`, web(clock, ms, 0), { readiness: 'manual' });
    const daemon = builder.build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(250);
    expect(messages()).toEqual(['STATUS=starting: 3 subsystems, 3 not ready yet']);
    await clock.advance(100);
    daemon.shutdown();
    await runUntil(clock, exit);
    expect(messages().slice(1, 2)).toEqual([`READY=1\nMAINPID=${process.pid}\nSTATUS=running: 3 subsystems, ready`]);
  });

  it('answers a reload signal at once when there is no config file to reload', async () => {
    const { builder, clock, host, messages } = notifyDaemon();
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(10);
    host.deliver('SIGHUP');
    daemon.shutdown();
    await runUntil(clock, exit);
    expect(messages().slice(2, 4).map((m) => m.replace(/MONOTONIC_USEC=\d+/, 'MONOTONIC_USEC=…'))).toEqual([
      'RELOADING=1\nMONOTONIC_USEC=…\nSTATUS=reloading the config',
      'READY=1\nSTATUS=running: 1 subsystem, ready',
    ]);
  });

  it('sends no READY=1 for a reload before the daemon was first ready (it would end the start early)', async () => {
    const { builder, clock, host, messages } = notifyDaemon();
    const daemon = builder.withTask('slow', web(clock, 1000, 0), { readiness: 'manual' }).build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(10);
    host.deliver('SIGHUP');
    await clock.advance(1000);
    daemon.shutdown();
    await runUntil(clock, exit);
    expect(messages().filter((m) => m.includes('READY=1') || m.includes('RELOADING=1'))).toEqual([
      `READY=1\nMAINPID=${process.pid}\nSTATUS=running: 1 subsystem, ready`,
    ]);
  });

  it('extends the stop timeout at every phase until the kill deadline, and feeds the watchdog while abandoned runs keep the process', async () => {
    const { builder, clock, host, messages } = notifyDaemon(ladder(1000, 2000, 3000), { WATCHDOG_USEC: '1000000' });
    const daemon = builder.withTask('stuck', () => new Promise<void>(() => {})).build();
    const exit = track(daemon.run());
    await launched(daemon);
    await clock.advance(100);
    host.deliver('SIGTERM');
    await clock.advance(3500);
    expect(exit.state).toBe('resolved');
    expect(host.exits).toEqual([124]);
    const said = messages().filter((m) => m !== 'WATCHDOG=1');
    expect(said.slice(2)).toEqual([
      `STOPPING=1\nSTATUS=graceful shutdown (signal SIGTERM): 1 subsystem stopping\n${extend(3000)}`,
      `STATUS=force shutdown (signal SIGTERM): 1 subsystem force-aborted\n${extend(2000)}`,
      `STATUS=kill phase (signal SIGTERM): 1 subsystem abandoned, exit at the kill deadline\n${extend(1000)}`,
      `STATUS=stopped (signal SIGTERM), 1 subsystem abandoned\n${extend(1000)}`,
    ]);
    // Stopped at 2100 with a run abandoned: the process lives until the kill deadline (3100), its watchdog too.
    expect(messages().slice(messages().indexOf(said.at(-1) as string))).toContain('WATCHDOG=1');
  });

  it('sends STOPPING=1 and no READY=1 when shutdown comes before the daemon was ready', async () => {
    const { builder, clock, messages } = notifyDaemon();
    const daemon = builder.withTask('slow', web(clock, 1000, 0), { readiness: 'manual' }).build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(10);
    daemon.shutdown();
    await runUntil(clock, exit);
    expect(messages()).toEqual([
      'STATUS=starting: 1 subsystem, 1 not ready yet',
      `STOPPING=1\nSTATUS=graceful shutdown (requested): 1 subsystem stopping\n${extend(60_000)}`,
      'STATUS=stopped (requested)',
    ]);
  });
});

describe('the watchdog', () => {
  it('sends WATCHDOG=1 every half WATCHDOG_USEC on the daemon scheduler, and stops when the daemon stops', async () => {
    const { builder, clock, messages } = notifyDaemon(Config.default(), { WATCHDOG_USEC: '2000000', WATCHDOG_PID: String(process.pid) });
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await launched(daemon);
    const watchdogs = () => messages().filter((m) => m === 'WATCHDOG=1').length;
    const sentAt: number[] = [];
    expect(watchdogs()).toBe(0);
    await clock.advance(1);
    for (let t = 0; t < 3500; t += 100) {
      const before = watchdogs();
      await clock.advance(100);
      if (watchdogs() > before) sentAt.push(clock.now());
    }
    expect(sentAt).toEqual([1001, 2001, 3001]);
    daemon.shutdown();
    await runUntil(clock, exit);
    const count = watchdogs();
    await clock.advance(10_000);
    expect(watchdogs()).toBe(count);
  });

  it("is another process's when WATCHDOG_PID names another: no WATCHDOG=1", async () => {
    const { builder, clock, messages } = notifyDaemon(Config.default(), { WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' });
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(1000);
    daemon.shutdown();
    await runUntil(clock, exit);
    expect(messages().filter((m) => m === 'WATCHDOG=1')).toEqual([]);
    expect(messages()[1]).toMatch(/^READY=1\n/);
  });

  it('is off, with a warning, when WATCHDOG_USEC is not a number', async () => {
    const { builder, clock, logs, messages } = notifyDaemon(Config.default(), { WATCHDOG_USEC: '5s' });
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(10_000);
    daemon.shutdown();
    await runUntil(clock, exit);
    expect(messages().filter((m) => m === 'WATCHDOG=1')).toEqual([]);
    expect(logs.filter((l) => l.level === WARN).map((l) => l.msg)).toEqual(['systemd watchdog off: WATCHDOG_USEC="5s" is not a positive number of µs']);
  });
});

describe('a notification that cannot be sent', () => {
  it('is logged once, and the daemon runs its life as without notifications', async () => {
    const { builder, clock, logs } = notifyDaemon(Config.default(), { WATCHDOG_USEC: '200000' });
    fakeAddon.failWith = 111; // ECONNREFUSED: nothing receives
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(1000);
    daemon.shutdown();
    const done = await runUntil(clock, exit);
    expect(done.exitCode).toBe(0);
    const warnings = logs.filter((l) => l.level === WARN);
    expect(warnings.map((l) => l.msg)).toEqual(['systemd notification not sent (the daemon runs on; further failures are logged at debug level)']);
    expect(warnings[0]?.['err']).toMatchObject({ code: 5030, message: expect.stringContaining('ECONNREFUSED') });
    expect(fakeAddon.sent).toEqual([]);
  });

  it('is tried again, in order, when it must arrive and the receiver\'s queue is full (EAGAIN); a readiness STATUS or WATCHDOG meanwhile is dropped', async () => {
    const { builder, clock, logs, messages } = notifyDaemon(Config.default(), { WATCHDOG_USEC: '10000' });
    fakeAddon.failWith = 11; // EAGAIN
    fakeAddon.failFor = 3; // the launch STATUS (dropped: best effort), then READY=1 twice
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(1);
    expect(messages()).toEqual([]);
    await clock.advance(RETRY_MS * 2);
    expect(messages()[0]).toBe(`READY=1\nMAINPID=${process.pid}\nSTATUS=running: 1 subsystem, ready`);
    daemon.shutdown();
    await runUntil(clock, exit);
    const kinds = messages()
      .filter((m) => m !== 'WATCHDOG=1')
      .map((m) => m.split('\n')[0]);
    expect(kinds).toEqual(['READY=1', 'STOPPING=1', expect.stringMatching(/^STATUS=stopped/)]);
    // The launch STATUS, best effort, was dropped: that one is reported (once); READY=1 was not lost.
    const warnings = logs.filter((l) => l.level === WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['err']).toMatchObject({ message: expect.stringContaining('EAGAIN') });
  });

  it('is reported once when the receiver stays full past the retries, and the daemon goes on', async () => {
    const { builder, clock, logs, messages } = notifyDaemon();
    fakeAddon.failWith = 11; // EAGAIN, for good
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await launched(daemon);
    await clock.advance(RETRY_MS * (RETRY_LIMIT + 2));
    expect(messages()).toEqual([]);
    const warnings = logs.filter((l) => l.level === WARN);
    expect(warnings.map((l) => l.msg)).toEqual(['systemd notification not sent (the daemon runs on; further failures are logged at debug level)']);
    expect(warnings[0]?.['err']).toMatchObject({ code: 5030, message: expect.stringContaining('EAGAIN') });
    fakeAddon.failWith = 0;
    daemon.shutdown();
    expect((await runUntil(clock, exit)).exitCode).toBe(0);
    expect(messages()[0]?.split('\n')[0]).toBe('STOPPING=1');
  });
});
