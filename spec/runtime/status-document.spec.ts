import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { statusDocument } from '../../lib/runtime/status-document.js';
import { VERSION } from '../../lib/runtime/version.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

const KEYS = ['schemaVersion', 'name', 'pid', 'version', 'node', 'startedAt', 'uptimeSeconds', 'phase', 'ready', 'reason', 'subsystems'];
const SUB_KEYS = ['name', 'state', 'ready', 'healthy', 'restartCount', 'startedAt', 'lastError'];

describe('the status document', () => {
  it('carries the package version of package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('has every key, always, in order; before run() the phase is not-started and instants are null', () => {
    const { daemon } = virtualDaemon(Daemon.builder(Config.from({ name: 'api' })).withTask('worker', (h) => h.cancelled()));
    const doc = statusDocument(daemon, true);
    expect(Object.keys(doc)).toEqual(KEYS);
    expect(doc).toMatchObject({ schemaVersion: 1, name: 'api', pid: process.pid, version: VERSION, node: process.version });
    expect(doc).toMatchObject({ startedAt: null, uptimeSeconds: 0, phase: 'not-started', ready: false, reason: null });
    expect(doc.subsystems).toEqual([{ name: 'worker', state: 'stopped', ready: false, healthy: null, restartCount: 0, startedAt: null, lastError: null }]);
  });

  it('ties instants to wall time through the launch, and counts uptime in seconds', async () => {
    let runs = 0;
    const vd = virtualDaemon(
      Daemon.new().withTask(
        'flaky',
        async (h) => {
          if (++runs === 1) throw new Error('first run fails');
          await h.cancelled();
        },
        { restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 1500, maxDelay: 1500, maxAttempts: 5, jitter: 0 }) },
      ),
    );
    const daemon = vd.daemon;
    vd.start();
    await vd.advance(5000);
    const launched = daemon.snapshot().launchedAt;
    expect(launched).toBeDefined();
    const doc = statusDocument(daemon, false, (launched?.time ?? 0) + 5000);
    expect(doc.startedAt).toBe(new Date(launched?.time ?? 0).toISOString());
    expect(doc.uptimeSeconds).toBe(5);
    expect(doc.phase).toBe('running');
    const [flaky] = doc.subsystems;
    expect(Object.keys(flaky ?? {})).toEqual(SUB_KEYS);
    expect(flaky).toMatchObject({ state: 'running', restartCount: 1, lastError: { kind: 'subsystem', message: null } });
    // The second run started 1500 ms (the restart delay) after the launch, in wall time too.
    expect(Date.parse(flaky?.startedAt ?? '') - (launched?.time ?? 0)).toBe(1500);
    expect(statusDocument(daemon, true).subsystems[0]?.lastError?.message).toContain('first run fails');
    daemon.shutdown();
    expect(statusDocument(daemon, false)).toMatchObject({ phase: 'graceful', reason: 'requested', ready: false });
    await vd.runUntilStopped();
    expect(statusDocument(daemon, false)).toMatchObject({ phase: 'stopped', reason: 'requested' });
  });
});
