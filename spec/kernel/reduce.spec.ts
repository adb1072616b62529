import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { KernelDriver } from '../helpers/kernel.js';

const backoff = RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: 2, resetAfter: 5000 });

describe('reduce', () => {
  it('starts every registered subsystem from null, then running', () => {
    const k = new KernelDriver();
    k.register('a');
    k.launch().start(0).started(0);
    expect(k.lines()).toEqual(['a:->starting', 'a:starting>running']);
    expect(k.state.active).toBe(1);
  });

  it('ends by itself as stopped and then shuts the daemon down as completed', () => {
    const k = new KernelDriver();
    k.register('a');
    k.launch().start(0).started(0).ok(0);
    expect(k.stateOf(0)).toBe('stopped');
    expect(k.state.reason).toEqual({ kind: 'completed' });
    expect(k.state.phase).toBe('stopped');
    expect(k.lines().slice(-3)).toEqual(['shutdown-initiated', 'phase:graceful', 'phase:stopped']);
  });

  it('does not complete while a launched subsystem has yet to start', () => {
    const k = new KernelDriver();
    k.register('a');
    k.register('b');
    k.launch().start(0).started(0).ok(0);
    expect(k.state.reason).toBeUndefined();
  });

  it('goes starting → failed → restarting on a synchronous throw', () => {
    const k = new KernelDriver();
    k.register('a', RestartPolicy.Always);
    k.launch().start(0).fail(0);
    expect(k.lines()).toEqual(['a:->starting', 'a:starting>failed', 'a:failed>restarting']);
    expect(k.commands.at(-1)).toEqual({ type: 'schedule', id: 0, delayMs: 0, revive: false });
  });

  it('backs off, then fails for good after maxAttempts and escalates', () => {
    const k = new KernelDriver();
    k.register('a', backoff);
    k.launch().start(0).started(0).fail(0);
    const restarting = k.events.filter((e) => e.type === 'state-changed' && e.state === 'restarting');
    expect(restarting).toMatchObject([{ attempt: 1, delayMs: 100 }]);
    k.start(0).started(0).fail(0).start(0).started(0).fail(0);
    expect(k.stateOf(0)).toBe('failed');
    expect(k.state.subsystems.get(0)?.restartCount).toBe(2);
    expect(k.state.reason).toMatchObject({ kind: 'error', subsystem: 'a' });
  });

  it('resets the attempt count after a run stable for resetAfter', () => {
    const k = new KernelDriver();
    k.register('a', backoff);
    k.launch().start(0).started(0).fail(0).start(0).started(0).fail(0);
    k.start(0).started(0).tick(5000).fail(0);
    const last = k.events.at(-1);
    expect(last).toMatchObject({ state: 'restarting', attempt: 1, delayMs: 100 });
  });

  it('keeps lastError after a successful restart', () => {
    const k = new KernelDriver();
    k.register('a', RestartPolicy.OnFailure);
    k.launch().start(0).started(0).fail(0, 'first').start(0).started(0);
    expect(k.state.subsystems.get(0)?.lastError?.message).toBe('first');
  });

  it('isolates a failure when onFailure is isolate', () => {
    const k = new KernelDriver();
    k.register('a', RestartPolicy.Never, 'isolate');
    k.register('b');
    k.launch().start(0).start(1).started(0).started(1).fail(0);
    expect(k.stateOf(0)).toBe('failed');
    expect(k.state.reason).toBeUndefined();
  });

  it('moves running subsystems to stopping at graceful, and stops pending restarts at once', () => {
    const k = new KernelDriver();
    k.register('a');
    k.register('b', backoff);
    k.launch().start(0).started(0).start(1).started(1).fail(1);
    k.shutdown();
    expect(k.stateOf(1)).toBe('stopped');
    expect(k.stateOf(0)).toBe('stopping');
    expect(k.commands).toContainEqual({ type: 'cancel', ids: [0], reason: { kind: 'requested' }, deadline: 100 });
    k.ready(0);
    expect(k.stateOf(0)).toBe('stopped');
    expect(k.state.phase).toBe('stopped');
    expect(k.commands.at(-1)).toEqual({ type: 'disarm', key: 'ladder' });
  });

  it('abandons stragglers at kill: failed and named as forced', () => {
    const k = new KernelDriver();
    k.register('slow');
    k.launch().start(0).started(0).shutdown();
    k.deadline('graceful');
    expect(k.commands.at(-2)).toEqual({ type: 'force', ids: [0] });
    k.deadline('force');
    expect(k.stateOf(0)).toBe('failed');
    expect(k.state.abandoned).toEqual(['slow']);
    expect(k.state.subsystems.get(0)?.lastError?.code).toBe(4004);
    expect(k.lines().filter((l) => l.startsWith('phase'))).toEqual(['phase:graceful', 'phase:force', 'phase:kill', 'phase:stopped']);
    // Stopped, not cleanly: the kill deadline (unref'd) is left, and at it the process is exited.
    expect(k.commands.at(-1)).toEqual({ type: 'arm', key: 'ladder', at: 300, unref: true });
    k.deadline('kill');
    expect(k.commands.slice(-2)).toEqual([
      { type: 'exit', code: 124, why: 'the kill deadline passed' },
      { type: 'disarm', key: 'ladder' },
    ]);
  });

  it('restarts one subsystem by hand, and revives an ended one', () => {
    const k = new KernelDriver();
    k.register('a');
    k.register('b');
    k.launch().start(0).started(0).start(1).started(1);
    k.restart(0);
    expect(k.commands.slice(-3)).toEqual([
      { type: 'cancel', ids: [0], reason: { kind: 'requested' }, deadline: 100 },
      { type: 'arm', key: 'force:0', at: 100, unref: false },
      { type: 'arm', key: 'abandon:0', at: 200, unref: false },
    ]);
    k.ok(0);
    expect(k.stateOf(0)).toBe('restarting');
    k.start(0).started(0).stop(0).ok(0);
    expect(k.stateOf(0)).toBe('stopped');
    k.restart(0);
    expect(k.stateOf(0)).toBe('restarting');
    expect(k.commands.at(-1)).toEqual({ type: 'schedule', id: 0, delayMs: 0, revive: true });
    expect(k.state.subsystems.get(0)?.restartCount).toBe(2);
  });

  it('ignores ready() before shutdown and facts that do not apply', () => {
    const k = new KernelDriver();
    k.register('a');
    k.launch().start(0).started(0).ready(0).started(0).start(0);
    expect(k.stateOf(0)).toBe('running');
    expect(k.state.version).toBe(7);
  });

  it('never restarts once shutdown began, even during the drain', () => {
    const k = new KernelDriver();
    k.register('a', RestartPolicy.Always);
    const d = new KernelDriver({ graceful: 100, force: 200, kill: 300, drain: 50 });
    d.register('a', RestartPolicy.Always);
    d.launch().start(0).started(0).shutdown();
    expect(d.state.phase).toBe('draining');
    d.fail(0);
    expect(d.stateOf(0)).toBe('failed');
    expect(d.commands.some((c) => c.type === 'schedule')).toBe(false);
    k.launch().start(0).started(0).shutdown().fail(0);
    expect(k.stateOf(0)).toBe('failed');
    expect(k.commands.some((c) => c.type === 'schedule')).toBe(false);
  });

  it('enters no phase before its deadline: a tick that comes early changes nothing', () => {
    const k = new KernelDriver();
    k.register('a');
    k.launch().start(0).started(0).shutdown();
    k.tick(50).apply({ type: 'tick', key: 'ladder', random: 0.5, at: 50, time: 0 });
    expect(k.state.phase).toBe('graceful');
    expect(k.lines().filter((l) => l.startsWith('phase'))).toEqual(['phase:graceful']);
  });

  it('after shutdown before launch, starts nothing and stops at launch', () => {
    const k = new KernelDriver();
    k.register('a');
    k.shutdown().launch();
    expect(k.stateOf(0)).toBe('stopped');
    expect(k.state.phase).toBe('stopped');
  });
});
