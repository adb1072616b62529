import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { LineReader, MAX_LINE_BYTES, errorLine, okLine, parseRequest } from '../../lib/runtime/control-protocol.js';

/** Feeds `bytes` to a reader in the given cut points; returns every line it gave. */
function feed(bytes: Buffer, cuts: number[]): Array<string | null> {
  const reader = new LineReader();
  const out: Array<string | null> = [];
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b)) {
    out.push(...reader.push(bytes.subarray(at, cut)));
    at = cut;
  }
  out.push(...reader.push(bytes.subarray(at)));
  return out;
}

describe('LineReader', () => {
  it('joins UTF-8 split across chunks and lines split across chunks', () => {
    const text = '{"cmd":"status","x":"é€😀"}\n{"cmd":"help"}\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(feed(bytes, [cut])).toEqual(['{"cmd":"status","x":"é€😀"}', '{"cmd":"help"}']);
    }
  });

  it('reports a line over 64 KiB once, at once, keeps nothing of it, and reads the next line', () => {
    const reader = new LineReader();
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const out: Array<string | null> = [];
    for (let i = 0; i < 64; i++) out.push(...reader.push(chunk)); // 1 MiB without a newline
    expect(out).toEqual([null]);
    expect(reader.push('tail of the long line\n{"cmd":"status"}\n')).toEqual(['{"cmd":"status"}']);
  });

  it('accepts a line of exactly 64 KiB and refuses one byte more', () => {
    const exact = 'x'.repeat(MAX_LINE_BYTES);
    expect(new LineReader().push(`${exact}\n`)).toEqual([exact]);
    expect(new LineReader().push(`${exact}x\n`)).toEqual([null]);
    // Multi-byte: 3 bytes a character.
    const wide = '€'.repeat(MAX_LINE_BYTES / 3 + 1);
    expect(new LineReader().push(`${wide}\n`)).toEqual([null]);
  });

  it('takes CRLF line ends', () => {
    expect(new LineReader().push('{"cmd":"status"}\r\n')).toEqual(['{"cmd":"status"}']);
  });

  test.prop([fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant('\n')), { maxLength: 40 }), fc.array(fc.nat(4000))], {
    numRuns: 300,
  })('gives back exactly the lines it was sent, however they were cut', (parts, cuts) => {
    const text = parts.join('');
    const bytes = Buffer.from(text);
    const expected = text.split('\n').slice(0, -1).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    expect(feed(bytes, cuts)).toEqual(expected);
  });

  test.prop([fc.uint8Array({ maxLength: 300_000 }), fc.array(fc.nat(300_000), { maxLength: 20 })], { numRuns: 100 })(
    'never throws on random bytes, and never gives a line over the limit',
    (raw, cuts) => {
      const lines = feed(Buffer.from(raw), cuts);
      for (const line of lines) if (line !== null) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    },
  );
});

describe('parseRequest', () => {
  it('reads id, cmd and the arguments beside them', () => {
    expect(parseRequest('{"id":7,"cmd":"stop","name":"db"}')).toEqual({ id: 7, cmd: 'stop', args: { id: 7, cmd: 'stop', name: 'db' } });
    expect(parseRequest('{"cmd":"status"}')).toMatchObject({ id: null, cmd: 'status' });
  });

  it.each([
    ['not json', /one line of JSON/],
    ['[1,2]', /JSON object/],
    ['"status"', /JSON object/],
    ['null', /JSON object/],
    ['{"id":{},"cmd":"status"}', /"id" must be a string or a number/],
    ['{"id":1}', /"cmd" must name a command/],
    ['{"id":1,"cmd":5}', /"cmd" must name a command/],
  ])('refuses %s with a clear message (Runtime range)', (line, message) => {
    const parsed = parseRequest(line);
    expect('error' in parsed).toBe(true);
    const error = (parsed as { error: DaemonError }).error;
    expect(error.kind).toBe('runtime');
    expect(error.code).toBe(ErrorCode.ControlInvalidRequest);
    expect(error.message).toMatch(message);
  });

  test.prop([fc.jsonValue()], { numRuns: 500 })('answers JSON of every shape with a request or an error, never a throw', (value) => {
    const parsed = parseRequest(JSON.stringify(value));
    expect('error' in parsed || typeof (parsed as { cmd: unknown }).cmd === 'string').toBe(true);
  });
});

describe('replies', () => {
  it('write ok and error lines as the protocol says, with no cause or stack', () => {
    expect(JSON.parse(okLine(1, { a: 1 }))).toEqual({ id: 1, ok: true, result: { a: 1 } });
    expect(JSON.parse(okLine('x', undefined))).toEqual({ id: 'x', ok: true, result: null });
    const error = DaemonError.io('cannot', { cause: new Error('cause text'), operation: 'op' });
    const line = errorLine(2, error);
    expect(JSON.parse(line)).toEqual({ id: 2, ok: false, error: { code: error.code, kind: 'io', message: 'cannot' } });
    expect(line).not.toContain('cause text');
    expect(line).not.toContain('stack');
    expect(JSON.parse(errorLine(null, new TypeError('boom'))).error).toMatchObject({ kind: 'runtime', message: 'the command failed: boom' });
  });
});
