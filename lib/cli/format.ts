// Text helpers of the proc-daemon CLI: durations, cutting to a width, cleaning what came
// over the wire, and colours. Node built-ins only: the CLI must start as fast as `node -e 0`.

/**
 * A duration as a person reads it at a glance, two units at most:
 * `45s`, `3m12s`, `2h05m`, `3d04h` (floored; negative or not a number reads `0s`).
 * @internal
 */
export function formatDuration(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor(s / 3600) % 24)}h`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** The seconds from the ISO instant `iso` to `now` (epoch ms); `undefined` when `iso` is not an instant. @internal */
export function secondsSince(iso: unknown, now: number): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : Math.max(0, (now - t) / 1000);
}

/** How wide `text` prints, in code points (a surrogate pair is one; wide CJK glyphs count as one too). @internal */
export function widthOf(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** `text` cut to `width` code points, ending in `…` when it was cut. @internal */
export function cut(text: string, width: number): string {
  if (width <= 0) return '';
  if (widthOf(text) <= width) return text;
  return `${Array.from(text).slice(0, width - 1).join('')}…`;
}

/** `text` padded with spaces to `width` (left-aligned; right-aligned with `right`). @internal */
export function pad(text: string, width: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, width - widthOf(text)));
  return right ? fill + text : text + fill;
}

/**
 * Text from the daemon made safe for one line of a terminal: control
 * characters (ESC and the C1 range included: no escape sequence from a
 * subsystem's name or error reaches the terminal) and line breaks become
 * spaces, runs of spaces one.
 * @internal
 */
export function oneLine(text: unknown): string {
  const s = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * Text from the daemon made safe for a terminal, its lines kept (the
 * metrics): control characters other than newline and tab become spaces.
 * @internal
 */
export function safeLines(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ');
}

/** The wall-clock time of day of `epochMs`, local time, `HH:MM:SS.mmm`. @internal */
export function timeOfDay(epochMs: number): string {
  const d = new Date(epochMs);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** The colours the CLI uses: each wraps its text in an SGR sequence, or returns it as is when colour is off. @internal */
export interface Palette {
  readonly enabled: boolean;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function sgr(open: number, close: number): (text: string) => string {
  return (text) => (text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`);
}

const same = (text: string): string => text;

/** A palette: colours when `enabled`, plain text otherwise. @internal */
export function palette(enabled: boolean): Palette {
  return enabled
    ? { enabled, green: sgr(32, 39), yellow: sgr(33, 39), red: sgr(31, 39), dim: sgr(2, 22), bold: sgr(1, 22) }
    : { enabled, green: same, yellow: same, red: same, dim: same, bold: same };
}

/**
 * Whether to colour: `FORCE_COLOR` decides when set (`0` or `false`: never;
 * anything else: always); otherwise only when the output is a terminal and
 * `NO_COLOR` is unset or empty (https://no-color.org).
 * @internal
 */
export function colourWanted(isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  const no = env['NO_COLOR'];
  return isTTY === true && (no === undefined || no === '');
}

/** The width to fit lines to: the terminal's columns, else `COLUMNS`, else 120 (never below 40). @internal */
export function columnsOf(columns: number | undefined, env: Readonly<Record<string, string | undefined>>): number {
  const fromEnv = Number(env['COLUMNS']);
  const n = columns !== undefined && columns > 0 ? columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 120;
  return Math.max(40, n);
}
