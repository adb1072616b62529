// The command line of `proc-daemon`: options anywhere, one command and its arguments.

/** What the CLI was asked to do: one control command, with its arguments. @internal */
export type CliCommand =
  | { readonly cmd: 'status' | 'events' | 'reload' | 'shutdown' | 'metrics' | 'help' }
  | { readonly cmd: 'stop' | 'restart'; readonly name: string }
  | { readonly cmd: 'profile'; readonly kind: 'cpu' | 'heap-sampling'; readonly seconds: number }
  | { readonly cmd: 'profile'; readonly kind: 'heap' };

/** The options, as given (`undefined`: not given). @internal */
export interface CliOptions {
  readonly socket: string | undefined;
  readonly json: boolean;
  readonly timeoutMs: number | undefined;
}

/** The parsed command line: the usage text was asked for, or a command to run. @internal */
export type CliArgs = { readonly help: true } | { readonly help: false; readonly command: CliCommand; readonly options: CliOptions };

/** A command line that cannot be run: its message goes to stderr with a hint, and the exit code is 64 (EX_USAGE). @internal */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The longest profile the daemon takes (control-commands.ts: MAX_PROFILE_SECONDS). */
const MAX_PROFILE_SECONDS = 3600;

/** The usage text (`proc-daemon --help`). @internal */
export const USAGE = `Usage: proc-daemon [options] <command>

Talks to a running proc-daemon over its control socket (config control.socket).

Commands:
  status                    the daemon and its subsystems, as a table
  events                    follow the daemon's events until it stops (Ctrl-C ends)
  reload                    reload the config, as SIGHUP does
  shutdown                  begin a graceful shutdown (reason: requested)
  stop NAME                 stop the subsystem NAME (it is not restarted)
  restart NAME              stop the subsystem NAME and start it again
  metrics                   the daemon's metrics, as Prometheus text
  profile cpu SECONDS       write a CPU profile under workDir; prints its path
  profile heap              write a heap snapshot under workDir; prints its path
  profile heap-sampling SECONDS
                            write a sampling heap profile under workDir; prints its path
  help                      the commands the daemon serves

Options:
  -s, --socket PATH         the control socket (default: $PROC_DAEMON_SOCKET)
      --json                print the daemon's replies as received (JSON lines)
  -t, --timeout MS          wait at most MS for a reply (default: 10000; stop and
                            restart 60000; profile SECONDS + 60000; events: no limit)
  -h, --help                print this text

Exit status: 0 done, 1 the daemon answered an error (or no usable reply),
64 usage error, 69 no daemon listens on the socket, 77 permission denied.
`;

const SIMPLE = new Set(['status', 'events', 'reload', 'shutdown', 'metrics', 'help']);

/**
 * Parses the arguments after `proc-daemon`. Options may come before or
 * after the command; `--` ends them. `-h`/`--help` anywhere wins.
 * @throws {@link UsageError} for anything that is not a command line of the CLI
 * @internal
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const ended = argv.indexOf('--');
  if ((ended < 0 ? argv : argv.slice(0, ended)).some((a) => a === '-h' || a === '--help')) return { help: true };
  let socket: string | undefined;
  let json = false;
  let timeoutMs: number | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (i > ended && ended >= 0) {
      words.push(arg);
      continue;
    }
    if (arg === '--') continue;
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || (i + 1 === ended)) throw new UsageError(`${flag} needs a value`);
      i++;
      return next;
    };
    switch (flag) {
      case '-s':
      case '--socket':
        socket = value();
        if (socket === '') throw new UsageError(`${flag} needs a path, got an empty string`);
        break;
      case '-t':
      case '--timeout': {
        const text = value();
        timeoutMs = Number(text);
        if (!/^\d+$/.test(text) || timeoutMs <= 0) throw new UsageError(`${flag} takes a number of milliseconds above 0, got "${text}"`);
        break;
      }
      case '--json':
        if (eq >= 0) throw new UsageError('--json takes no value');
        json = true;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  return { help: false, command: commandOf(words), options: { socket, json, timeoutMs } };
}

function commandOf(words: readonly string[]): CliCommand {
  const [cmd, ...rest] = words;
  if (cmd === undefined) throw new UsageError('no command given');
  const none = (c: string): void => {
    if (rest.length > 0) throw new UsageError(`${c} takes no arguments, got "${rest.join(' ')}"`);
  };
  if (SIMPLE.has(cmd)) {
    none(cmd);
    return { cmd: cmd as 'status' };
  }
  switch (cmd) {
    case 'stop':
    case 'restart': {
      const [name, ...more] = rest;
      if (name === undefined || name === '') throw new UsageError(`${cmd} needs the NAME of a subsystem`);
      if (more.length > 0) throw new UsageError(`${cmd} takes one NAME, got "${rest.join(' ')}"`);
      return { cmd, name };
    }
    case 'profile':
      return profileOf(rest);
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

function profileOf(rest: readonly string[]): CliCommand {
  const [kind, seconds, ...more] = rest;
  if (kind === 'heap') {
    if (seconds !== undefined) throw new UsageError(`profile heap takes no SECONDS, got "${rest.slice(1).join(' ')}"`);
    return { cmd: 'profile', kind };
  }
  if (kind !== 'cpu' && kind !== 'heap-sampling') {
    throw new UsageError(kind === undefined ? 'profile needs a kind: cpu SECONDS, heap or heap-sampling SECONDS' : `unknown profile kind "${kind}": cpu, heap or heap-sampling`);
  }
  if (seconds === undefined) throw new UsageError(`profile ${kind} needs SECONDS (how long to profile)`);
  const n = Number(seconds);
  if (!/^\d+(\.\d+)?$/.test(seconds) || n <= 0 || n > MAX_PROFILE_SECONDS) {
    throw new UsageError(`profile ${kind}: SECONDS is a number above 0 and at most ${MAX_PROFILE_SECONDS}, got "${seconds}"`);
  }
  if (more.length > 0) throw new UsageError(`profile ${kind} takes one SECONDS, got "${rest.slice(1).join(' ')}"`);
  return { cmd: 'profile', kind, seconds: n };
}

/**
 * The socket to talk to: `--socket`, else `PROC_DAEMON_SOCKET`. There is no
 * conventional default (each daemon names its own in `control.socket`).
 * @throws {@link UsageError} when neither names one
 * @internal
 */
export function socketOf(options: CliOptions, env: Readonly<Record<string, string | undefined>>): string {
  const path = options.socket ?? (env['PROC_DAEMON_SOCKET'] || undefined);
  if (path === undefined) {
    throw new UsageError('no control socket named: pass --socket PATH or set PROC_DAEMON_SOCKET (the daemon\'s control.socket)');
  }
  return path;
}

/** The request line's object for `command` (without its id). @internal */
export function requestOf(command: CliCommand): Record<string, unknown> {
  switch (command.cmd) {
    case 'stop':
    case 'restart':
      return { cmd: command.cmd, name: command.name };
    case 'profile':
      return command.kind === 'heap' ? { cmd: 'profile', kind: 'heap' } : { cmd: 'profile', kind: command.kind, seconds: command.seconds };
    default:
      return { cmd: command.cmd };
  }
}

/**
 * How long to wait for the reply, in ms (`undefined`: no limit): `--timeout`
 * or 10 s; stop and restart 60 s (a subsystem may take its graceful deadline
 * to stop); a profile its SECONDS plus `--timeout` or 60 s; events no limit.
 * @internal
 */
export function timeoutOf(command: CliCommand, timeoutMs: number | undefined): number | undefined {
  switch (command.cmd) {
    case 'events':
      return undefined;
    case 'stop':
    case 'restart':
      return timeoutMs ?? 60_000;
    case 'profile':
      return (command.kind === 'heap' ? 0 : command.seconds * 1000) + (timeoutMs ?? 60_000);
    default:
      return timeoutMs ?? 10_000;
  }
}
