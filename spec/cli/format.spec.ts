import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../lib/cli/client.js';
import { colourWanted, columnsOf, cut, formatDuration, oneLine, pad, secondsSince } from '../../lib/cli/format.js';
import { eventLine } from '../../lib/cli/main.js';

describe('durations', () => {
  it.each([
    [0, '0s'],
    [0.9, '0s'],
    [45, '45s'],
    [59.99, '59s'],
    [60, '1m00s'],
    [192, '3m12s'],
    [3599, '59m59s'],
    [3600, '1h00m'],
    [2 * 3600 + 5 * 60 + 59, '2h05m'],
    [86_399, '23h59m'],
    [86_400, '1d00h'],
    [3 * 86_400 + 4 * 3600 + 5, '3d04h'],
    [400 * 86_400, '400d00h'],
    [-5, '0s'],
    [Number.NaN, '0s'],
    [Number.POSITIVE_INFINITY, '0s'],
  ])('%d s reads %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('counts from an ISO instant to now, never below 0; not an instant is undefined', () => {
    expect(secondsSince('2025-01-01T00:00:00.000Z', Date.parse('2025-01-01T00:03:12.500Z'))).toBe(192.5);
    expect(secondsSince('2025-01-01T00:00:10.000Z', Date.parse('2025-01-01T00:00:00.000Z'))).toBe(0);
    expect(secondsSince(null, 0)).toBeUndefined();
    expect(secondsSince('yesterday', 0)).toBeUndefined();
  });
});

describe('text', () => {
  it('cuts to a width in code points with …', () => {
    expect(cut('abcdef', 6)).toBe('abcdef');
    expect(cut('abcdef', 5)).toBe('abcd…');
    expect(cut('abcdef', 1)).toBe('…');
    expect(cut('abcdef', 0)).toBe('');
    expect(cut('😀😀😀', 2)).toBe('😀…');
    expect(pad('😀', 3)).toBe('😀  ');
    expect(pad('7', 3, true)).toBe('  7');
  });

  it('makes one clean line of anything the daemon sends', () => {
    expect(oneLine('a\r\nb\tc\u001b[31md\u009b\u2028e')).toBe('a b c [31md e');
    expect(oneLine(null)).toBe('');
    expect(oneLine(42)).toBe('42');
  });

  it('colours with FORCE_COLOR, or on a terminal without NO_COLOR', () => {
    expect(colourWanted(true, {})).toBe(true);
    expect(colourWanted(false, {})).toBe(false);
    expect(colourWanted(undefined, {})).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '' })).toBe(true);
    expect(colourWanted(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourWanted(true, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourWanted(true, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('fits the terminal, else COLUMNS, else 120; never below 40', () => {
    expect(columnsOf(80, { COLUMNS: '200' })).toBe(80);
    expect(columnsOf(undefined, { COLUMNS: '200' })).toBe(200);
    expect(columnsOf(undefined, { COLUMNS: 'wide' })).toBe(120);
    expect(columnsOf(undefined, {})).toBe(120);
    expect(columnsOf(10, {})).toBe(40);
  });
});

describe('lines', () => {
  it('joins lines and UTF-8 characters split across chunks; CRLF and a last line without newline', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('{"a":"é✓"}\r\n{"b":1}\npart');
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...s.push(bytes.subarray(i, i + 1)));
    expect(out).toEqual(['{"a":"é✓"}', '{"b":1}']);
    expect(s.pending).toBe(4);
    expect(s.rest()).toBe('part');
    expect(s.rest()).toBe('');
  });
});

describe('event lines', () => {
  it('formats with formatEvent, without its [… ms] stamp, after the wall-clock time of day', () => {
    const time = new Date(2025, 0, 1, 9, 5, 7, 42).getTime();
    expect(eventLine({ type: 'phase', phase: 'graceful', at: 1234.5, time })).toBe('09:05:07.042 phase graceful');
    expect(eventLine({ type: 'health', name: 'db', healthy: false, failures: 2, at: 1, time, error: { message: 'timeout\nafter 5 s' } })).toBe(
      '09:05:07.042 db: unhealthy (2 in a row): timeout after 5 s',
    );
  });

  it('never throws: an event it cannot format is printed as JSON, at the time it arrived', () => {
    expect(eventLine(null)).toMatch(/^\d\d:\d\d:\d\d\.\d{3} null$/);
    expect(eventLine({ type: 'shutdown-initiated', at: 1 })).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \{"type":"shutdown-initiated","at":1\}$/);
    expect(eventLine({ type: 'something-new', at: 1, time: 0 })).toMatch(/^\d\d:\d\d:\d\d\.000 something-new$/);
  });
});
