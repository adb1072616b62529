import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { loggable } from '../../lib/logging/loggable-error.js';

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** What pino writes for `{ err }`, parsed. */
function logged(err: unknown): Record<string, unknown> {
  const lines: string[] = [];
  pino({}, { write: (l: string) => void lines.push(l) }).error({ err }, 'x');
  return (JSON.parse(lines[0] as string) as { err: Record<string, unknown> }).err;
}

describe('loggable', () => {
  it('passes an ordinary error through', () => {
    const e = new Error('plain');
    expect(loggable(e)).toBe(e);
  });

  it('keeps the message and stack of a frozen error (pino cannot mark it as seen)', () => {
    const e = Object.freeze(new Error('frozen bug'));
    const out = loggable(e) as Error;
    expect(out.message).toBe('frozen bug');
    expect(out.stack).toBe(e.stack);
    expect(logged(out)['stack']).toContain('frozen bug');
  });

  it('never throws on a revoked Proxy, and pino can log what it returns', () => {
    const out = loggable(revoked());
    expect(out).toBeInstanceOf(Error);
    expect(() => logged(out)).not.toThrow();
  });

  it('keeps the kind and code of a DaemonError whose cause cannot be read', () => {
    const e = DaemonError.subsystem('db', 'subsystem "db" failed: rejected with an unreadable value', { cause: revoked() });
    const out = loggable(e) as DaemonError;
    expect(out).toBeInstanceOf(DaemonError);
    expect(out).toMatchObject({ kind: 'subsystem', code: ErrorCode.Subsystem, subsystem: 'db', message: e.message });
    expect(logged(out)).toMatchObject({ type: 'DaemonError', message: e.message });
  });
});
