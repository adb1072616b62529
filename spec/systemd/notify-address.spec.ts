import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { SUN_PATH_BYTES, parseNotifyAddress } from '../../lib/systemd/notify-address.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function rejection(value: string): DaemonError {
  try {
    parseNotifyAddress(value);
  } catch (err) {
    if (err instanceof DaemonError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe('parseNotifyAddress', () => {
  it('reads an absolute path as a socket file, and "@name" as a name in the abstract namespace', () => {
    expect(parseNotifyAddress('/run/systemd/notify')).toEqual({ kind: 'path', address: '/run/systemd/notify' });
    expect(parseNotifyAddress('@/org/freedesktop/systemd1/notify/42')).toEqual({
      kind: 'abstract',
      address: '@/org/freedesktop/systemd1/notify/42',
      name: '/org/freedesktop/systemd1/notify/42',
    });
  });

  it('takes a path of up to 107 bytes (its NUL must fit sun_path too), counted in UTF-8', () => {
    expect(parseNotifyAddress(`/${'a'.repeat(106)}`).kind).toBe('path');
    expect(parseNotifyAddress(`/${'é'.repeat(53)}`).kind).toBe('path'); // 1 + 106 bytes
    for (const long of [`/${'a'.repeat(107)}`, `/${'é'.repeat(54)}`]) {
      const err = rejection(long);
      expect(err.code).toBe(ErrorCode.NotifySocketInvalid);
      expect(err.message).toContain('a socket path fits 107 bytes');
    }
  });

  it('takes an abstract name of up to 107 bytes (after the NUL that starts it), and no empty one', () => {
    expect(parseNotifyAddress(`@${'n'.repeat(107)}`).kind).toBe('abstract');
    expect(rejection(`@${'n'.repeat(108)}`).message).toContain('an abstract name fits 107 bytes, this one has 108');
    expect(rejection('@').message).toContain('an abstract name after "@" is missing');
  });

  it('refuses a relative path, an empty value and another address family, saying what to set', () => {
    for (const [value, why] of [
      ['run/notify', 'a relative path'],
      ['./notify', 'a relative path'],
      ['', 'it is empty'],
      ['vsock:2:1234', 'AF_VSOCK'],
    ] as const) {
      const err = rejection(value);
      expect(err.kind).toBe('platform');
      expect(err.code).toBe(ErrorCode.NotifySocketInvalid);
      expect(err.message).toContain(why);
      expect(err.message).toContain('set it to an absolute path or an @abstract name, or unset it');
    }
  });

  test.prop([fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 })])('keeps every abstract name that fits, byte for byte', (name) => {
    fc.pre(bytes(name) <= SUN_PATH_BYTES - 1);
    expect(parseNotifyAddress(`@${name}`)).toEqual({ kind: 'abstract', address: `@${name}`, name });
  });

  test.prop([fc.string({ maxLength: 40 }).filter((s) => !s.startsWith('/') && !s.startsWith('@'))])(
    'refuses anything that is neither absolute nor abstract, with a DaemonError',
    (value) => {
      expect(rejection(value).code).toBe(ErrorCode.NotifySocketInvalid);
    },
  );
});
