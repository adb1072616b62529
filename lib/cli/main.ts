import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DaemonEvent } from '../kernel/events.js';
import { formatEvent } from '../runtime/format-event.js';
import { type CliCommand, USAGE, UsageError, parseArgs, requestOf, socketOf, timeoutOf } from './args.js';
import { type Outcome, type ReplyError, exchange } from './client.js';
import { type Palette, colourWanted, columnsOf, cut, oneLine, palette, safeLines, timeOfDay } from './format.js';
import { isStatusDocument, renderStatus } from './status-table.js';

// The `proc-daemon` bin (package.json `bin` → dist/cli.js, built from this file with a
// `#!/usr/bin/env node` banner): talks to a running daemon over its control socket. It loads
// Node built-ins and the event formatter only — no rxjs, no pino — so it starts as fast as
// `node -e 0` (spec/cli/imports.spec.ts checks it).

/** Where the CLI writes: a stream such as process.stdout, or a test's collector. @internal */
export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/** What the CLI runs against: its outputs, its environment, Ctrl-C, the time. @internal */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Fires on Ctrl-C (SIGINT) or SIGTERM: `events` ends with 0, any other command with 130. */
  readonly signal?: AbortSignal | undefined;
  /** Wall-clock epoch ms (default `Date.now`): a subsystem's uptime is now − startedAt. */
  readonly now?: (() => number) | undefined;
}

/** The exit codes (sysexits.h for 64, 69, 77). @internal */
export const EXIT = Object.freeze({ ok: 0, error: 1, usage: 64, unavailable: 69, noPermission: 77, interrupted: 130 });

/**
 * Runs the CLI on `argv` (the arguments after `proc-daemon`) and resolves its
 * exit code; never rejects for anything the daemon or the user does.
 * @internal
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let command: CliCommand;
  let path: string;
  let json: boolean;
  let timeoutMs: number | undefined;
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    ({ command } = args);
    json = args.options.json;
    path = socketOf(args.options, io.env);
    timeoutMs = timeoutOf(command, args.options.timeoutMs);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`proc-daemon: ${err.message}\nTry 'proc-daemon --help' for usage.\n`);
    return EXIT.usage;
  }
  const colours = palette(colourWanted(io.stdout.isTTY, io.env));
  const onEvent =
    command.cmd !== 'events'
      ? undefined
      : json
        ? (line: string) => io.stdout.write(`${line}\n`)
        : (_line: string, event: unknown) => io.stdout.write(`${eventLine(event, colours)}\n`);
  const outcome = await exchange(path, requestOf(command), { timeoutMs, signal: io.signal, onEvent });
  return conclude(outcome, { command, path, json, io, colours });
}

interface Context {
  readonly command: CliCommand;
  readonly path: string;
  readonly json: boolean;
  readonly io: CliIo;
  readonly colours: Palette;
}

/** What the daemon's reasons for refusing a connection mean. */
const REFUSALS: Readonly<Record<string, string>> = {
  ENOENT: 'ENOENT: no such socket',
  ECONNREFUSED: 'ECONNREFUSED: nothing accepts connections there',
  ENOTSOCK: 'ENOTSOCK: not a socket',
  ENOTDIR: 'ENOTDIR: a parent is not a directory',
};

function conclude(outcome: Outcome, ctx: Context): number {
  const { command, path, json, io } = ctx;
  const fail = (message: string, code: number = EXIT.error): number => {
    io.stderr.write(`proc-daemon: ${message}\n`);
    return code;
  };
  switch (outcome.type) {
    case 'reply':
      if (json) {
        io.stdout.write(`${outcome.line}\n`);
        return outcome.reply.ok ? EXIT.ok : EXIT.error;
      }
      return outcome.reply.ok ? printResult(outcome.reply.result, ctx) : fail(errorText(outcome.reply.error));
    case 'unavailable':
      if (outcome.code === 'EACCES' || outcome.code === 'EPERM') {
        return fail(`permission denied on ${resolve(path)} (${outcome.code}): the socket is mode 0600, run as the daemon's user`, EXIT.noPermission);
      }
      return fail(`no daemon is listening on ${resolve(path)} (${REFUSALS[outcome.code] ?? oneLine(outcome.message)})`, EXIT.unavailable);
    case 'bad-reply':
      return fail(`the reply to ${command.cmd} on ${resolve(path)} is not valid (${outcome.why}): ${cut(oneLine(outcome.line.slice(0, 1000)), 200) || '(empty)'}`);
    case 'closed':
      return fail(`the daemon on ${resolve(path)} closed the connection before it replied to ${command.cmd}`);
    case 'failed':
      return fail(`the connection to ${resolve(path)} failed: ${oneLine(outcome.message)}`);
    case 'timeout':
      return fail(`no reply to ${command.cmd} from ${resolve(path)} within ${outcome.ms} ms (it may still be under way; --timeout MS waits longer)`);
    case 'ended':
      return EXIT.ok;
    case 'aborted':
      return command.cmd === 'events' ? EXIT.ok : EXIT.interrupted;
  }
}

/** `<message> (<kind> <code>)`, as the error reply says it. */
function errorText(error: ReplyError): string {
  const message = oneLine(error.message) || 'the daemon answered an error';
  const tag = [oneLine(error.kind), oneLine(error.code)].filter((t) => t !== '').join(' ');
  return tag === '' ? message : `${message} (${tag})`;
}

function record(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Prints a successful reply's result the way a person reads it; the exit code. */
function printResult(result: unknown, { command, path, io, colours }: Context): number {
  const out = (text: string): number => {
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return EXIT.ok;
  };
  const r = record(result);
  switch (command.cmd) {
    case 'status':
      if (!isStatusDocument(result)) {
        io.stderr.write(`proc-daemon: the reply to status on ${resolve(path)} is not a status document (no "subsystems" list)\n`);
        return EXIT.error;
      }
      return out(renderStatus(result, { now: (io.now ?? Date.now)(), columns: columnsOf(io.stdout.columns, io.env), palette: colours }));
    case 'metrics':
      return out(typeof result === 'string' ? safeLines(result) : generic(result));
    case 'profile':
      return out(typeof r['path'] === 'string' ? oneLine(r['path']) : generic(result));
    case 'reload':
      return out(r['reloaded'] === true ? 'reloaded' : generic(result));
    case 'shutdown':
      return out(r['initiated'] === false ? 'shutdown requested (it had already begun)' : 'shutdown requested');
    case 'stop':
    case 'restart': {
      const name = oneLine(r['name']) || command.name;
      const state = oneLine(r['state']);
      const restarts = typeof r['restartCount'] === 'number' ? `; restarts: ${r['restartCount']}` : '';
      return out(`${command.cmd === 'stop' ? 'stopped' : 'restarted'} ${name}${state === '' ? '' : ` (now ${state}${restarts})`}`);
    }
    case 'help':
      return out(Array.isArray(result) ? helpText(result) : generic(result));
    default:
      return out(generic(result));
  }
}

/** A result the CLI has no layout for: a string as is, anything else as indented JSON. */
function generic(result: unknown): string {
  return typeof result === 'string' ? result : JSON.stringify(result, null, 2);
}

/** The daemon's command list (`help`): `  cmd args  description`, aligned; a long head gets a line of its own. */
function helpText(commands: readonly unknown[]): string {
  const rows = commands.map((c) => {
    const r = record(c);
    return [`${oneLine(r['cmd'])} ${oneLine(r['args'])}`.trim(), oneLine(r['description'])] as const;
  });
  const width = Math.max(0, ...rows.map(([head]) => head.length).filter((n) => n <= HELP_HEAD));
  const lines = rows.map(([head, text]) =>
    head.length > width ? `  ${head}\n  ${' '.repeat(width)}  ${text}`.trimEnd() : `  ${head.padEnd(width)}  ${text}`.trimEnd(),
  );
  return `Commands of the daemon:\n${lines.join('\n')}`;
}

/** The widest command head (`stop {"name"}`) that `help` aligns descriptions after. */
const HELP_HEAD = 24;

/**
 * One event of `events`: the wall-clock time of day it happened (its `time`;
 * the time it arrived if it has none) and formatEvent's line without its
 * monotonic `[… ms]` stamp, which means nothing outside the daemon.
 * @internal
 */
export function eventLine(event: unknown, colours: Palette = palette(false)): string {
  const e = record(event);
  let text: string;
  try {
    text = formatEvent(event as DaemonEvent).replace(/^\[[^\]]*\] /, '');
  } catch {
    text = JSON.stringify(event) ?? String(event);
  }
  const time = typeof e['time'] === 'number' && Number.isFinite(e['time']) ? e['time'] : Date.now();
  return `${colours.dim(timeOfDay(time))} ${oneLine(text)}`;
}

/** Whether this module is the program Node runs (not a module a test imports); symlinks resolved (npm's bin links). */
function isProgram(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProgram()) {
  const interrupt = new AbortController();
  const stop = (): void => interrupt.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // `proc-daemon events | head`: the reader went away; end quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    interrupt.abort();
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: interrupt.signal }).then(
    (code) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`proc-daemon: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT.error;
    },
  );
}
