import { type Palette, cut, formatDuration, oneLine, pad, secondsSince, widthOf } from './format.js';

// `proc-daemon status`: the status document (API.md, schemaVersion 1) as a header line and an
// aligned table. The document comes over the wire: every field is read defensively, and every
// text is cleaned of control characters before it reaches the terminal.

/** How the table is laid out: the time it is read at (epoch ms), the width to fit, the colours. @internal */
export interface TableOptions {
  readonly now: number;
  readonly columns: number;
  readonly palette: Palette;
}

/** A subsystem's name is cut past this many characters (`--json` has it whole). */
const MAX_NAME = 40;
/** The last error column is never narrower than this, even if the line then overflows. */
const MIN_ERROR = 16;
const GAP = '  ';
const NONE = '—';

/** States in which a run is under way: the only ones with an uptime. */
const LIVE = new Set(['starting', 'running', 'stopping']);

interface Cell {
  readonly text: string;
  readonly paint?: (text: string) => string;
}

type Row = readonly [name: Cell, state: Cell, ready: Cell, restarts: Cell, uptime: Cell, lastError: Cell];

const HEADINGS = ['SUBSYSTEM', 'STATE', 'READY', 'RESTARTS', 'UPTIME', 'LAST ERROR'] as const;
/** Which columns are right-aligned (the numbers). */
const RIGHT = [false, false, false, true, true, false] as const;

function record(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Whether `value` looks like a status document (an object with a `subsystems` array). @internal */
export function isStatusDocument(value: unknown): boolean {
  return Array.isArray(record(value)?.['subsystems']);
}

/**
 * The status document as lines of text (each ending in a newline): a header
 * line (name, pid, phase, readiness, uptime, versions), a blank line, then
 * the table, fitted to `columns` by cutting the last error with `…`.
 * @internal
 */
export function renderStatus(document: unknown, options: TableOptions): string {
  const doc = record(document) ?? {};
  const subsystems = Array.isArray(doc['subsystems']) ? (doc['subsystems'] as unknown[]) : [];
  const out = [header(doc, options.palette), ''];
  if (subsystems.length === 0) {
    out.push(options.palette.dim('(no subsystems)'));
  } else {
    out.push(...table(subsystems.map((s) => row(record(s) ?? {}, options)), options));
  }
  return `${out.join('\n')}\n`;
}

function header(doc: Readonly<Record<string, unknown>>, p: Palette): string {
  const phase = oneLine(doc['phase']) || '?';
  const reason = oneLine(doc['reason']);
  const phasePaint = phase === 'running' ? p.green : phase === 'force' || phase === 'kill' ? p.red : phase === 'stopped' || phase === 'not-started' ? p.dim : p.yellow;
  const parts = [
    p.bold(oneLine(doc['name']) || '(unnamed)'),
    `pid ${oneLine(doc['pid']) || '?'}`,
    phasePaint(reason === '' ? phase : `${phase} (${reason})`),
    doc['ready'] === true ? p.green('ready') : p.yellow('not ready'),
    `up ${typeof doc['uptimeSeconds'] === 'number' ? formatDuration(doc['uptimeSeconds']) : '?'}`,
    p.dim(`proc-daemon ${oneLine(doc['version']) || '?'}, node ${oneLine(doc['node']) || '?'}`),
  ];
  return parts.join(GAP);
}

function row(s: Readonly<Record<string, unknown>>, { now, palette: p }: TableOptions): Row {
  const state = oneLine(s['state']) || '?';
  const healthy = s['healthy'];
  const statePaint = state === 'running' ? p.green : state === 'failed' ? p.red : state === 'stopped' ? p.dim : p.yellow;
  const restarts = s['restartCount'];
  const since = LIVE.has(state) ? secondsSince(s['startedAt'], now) : undefined;
  return [
    { text: cut(oneLine(s['name']) || '?', MAX_NAME) },
    healthy === false ? { text: `${state} (unhealthy)`, paint: p.red } : { text: state, paint: statePaint },
    s['ready'] === true ? { text: 'yes', paint: p.green } : { text: 'no', paint: state === 'stopped' ? p.dim : p.yellow },
    typeof restarts === 'number' ? { text: String(restarts), ...(restarts > 0 ? { paint: p.yellow } : {}) } : { text: '?' },
    since === undefined ? { text: NONE, paint: p.dim } : { text: formatDuration(since) },
    lastError(s['lastError'], p),
  ];
}

/** The last error's message (or its kind and code when the daemon hides messages); `—` without one. */
function lastError(value: unknown, p: Palette): Cell {
  const e = record(value);
  if (e === undefined) return { text: NONE, paint: p.dim };
  const message = oneLine(e['message']);
  const text = message !== '' ? message : `${oneLine(e['kind']) || 'error'} ${oneLine(e['code'])}`.trim();
  return { text, paint: p.red };
}

function table(rows: readonly Row[], { columns, palette: p }: TableOptions): string[] {
  const widths = HEADINGS.map((h, i) => Math.max(widthOf(h), ...rows.map((r) => widthOf((r[i] as Cell).text))));
  // Every column but the last, with their gaps; the last error gets what is left of the line.
  const fixed = widths.slice(0, -1).reduce((sum, w) => sum + w + GAP.length, 0);
  const room = Math.max(MIN_ERROR, columns - fixed);
  const line = (cells: readonly Cell[]): string =>
    cells
      .map((c, i) => {
        const last = i === cells.length - 1;
        const text = last ? cut(c.text, room) : pad(c.text, widths[i] as number, RIGHT[i]);
        return c.paint === undefined ? text : c.paint(text);
      })
      .join(GAP)
      .trimEnd();
  return [line(HEADINGS.map((h) => ({ text: h, paint: p.bold }))), ...rows.map(line)];
}
