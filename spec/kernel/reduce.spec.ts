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
    expect(k.commands).toContainEqual({ type: 'shutdown', reason: { kind: 'completed' } });
  });

  it('does not complete while a launched subsystem has yet to start', () => {
    const k = new KernelDriver();
    k.register('a');
    k.register('b');
    k.launch().start(0).started(0).ok(0);
    expect(k.commands.some((c) => c.type === 'shutdown')).toBe(false);
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
    const shutdown = k.commands.find((c) => c.type === 'shutdown');
    expect(shutdown).toMatchObject({ reason: { kind: 'error', subsystem: 'a' } });
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
    expect(k.commands.some((c) => c.type === 'shutdown')).toBe(false);
  });

  it('moves running subsystems to stopping at graceful, and stops pending restarts at once', () => {
    const k = new KernelDriver();
    k.register('a');
    k.register('b', backoff);
    k.launch().start(0).started(0).start(1).started(1).fail(1);
    k.shutdown().phase('graceful');
    expect(k.stateOf(1)).toBe('stopped');
    expect(k.stateOf(0)).toBe('stopping');
    k.ready(0);
    expect(k.stateOf(0)).toBe('stopped');
    expect(k.commands.at(-1)).toEqual({ type: 'finish' });
  });

  it('abandons stragglers at kill: failed and named as forced', () => {
    const k = new KernelDriver();
    k.register('slow');
    k.launch().start(0).started(0).shutdown().phase('graceful').phase('force').phase('kill');
    expect(k.stateOf(0)).toBe('failed');
    expect(k.state.forced).toEqual(['slow']);
    expect(k.state.subsystems.get(0)?.lastError?.code).toBe(4004);
  });

  it('restarts one subsystem by hand, and revives an ended one', () => {
    const k = new KernelDriver();
    k.register('a');
    k.register('b');
    k.launch().start(0).started(0).start(1).started(1);
    k.restart(0);
    expect(k.commands.at(-1)).toEqual({ type: 'cancel', id: 0 });
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
    k.launch().start(0).started(0).shutdown().phase('draining').fail(0);
    expect(k.stateOf(0)).toBe('failed');
    expect(k.commands.some((c) => c.type === 'schedule')).toBe(false);
  });

  it('refuses a phase out of order', () => {
    const k = new KernelDriver();
    k.register('a');
    k.launch().start(0).started(0).shutdown().phase('force');
    expect(k.state.phase).toBe('running');
    k.phase('graceful').phase('graceful');
    expect(k.lines().filter((l) => l.startsWith('phase'))).toEqual(['phase:graceful']);
  });

  it('after shutdown before launch, starts nothing and finishes', () => {
    const k = new KernelDriver();
    k.register('a');
    k.shutdown().phase('graceful').launch();
    expect(k.stateOf(0)).toBe('stopped');
    expect(k.commands.at(-1)).toEqual({ type: 'finish' });
  });
});
