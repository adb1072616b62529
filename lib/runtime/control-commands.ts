import type { Observable } from 'rxjs';
import type { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { DaemonEvent } from '../kernel/events.js';
import type { SubsystemMetadata } from '../kernel/subsystem-metadata.js';
import { type ControlRequest, bad, kindOf } from './control-protocol.js';
import type { StatusDocument } from './status-document.js';

/** What the control commands act on: the daemon, as its runtime hands it over. @internal */
export interface ControlTarget {
  status(): StatusDocument;
  readonly events$: Observable<DaemonEvent>;
  /** Repeats the load that made the config; the error when it was rejected (or there is no file). */
  reload(): DaemonError | undefined;
  shutdown(): boolean;
  stop(name: string): Promise<SubsystemMetadata>;
  restart(name: string): Promise<SubsystemMetadata>;
  names(): readonly string[];
  /** The Prometheus text; `undefined` with metrics off. */
  metrics(): string | undefined;
  /** Takes a profile and resolves the path of the file written. */
  profile(kind: ProfileKind, seconds: number): Promise<string>;
}

/** What the `profile` command takes: a CPU profile, a heap snapshot, or a sampling heap profile. @internal */
export type ProfileKind = 'cpu' | 'heap' | 'heap-sampling';

/** The longest profile a request may ask for. */
const MAX_PROFILE_SECONDS = 3600;

/** A command's answer: a result, or a stream of events (the `events` command). @internal */
export type Answer = { readonly result: unknown } | { readonly stream: Observable<DaemonEvent> };

interface Command {
  readonly args: string;
  readonly description: string;
  run(target: ControlTarget, request: ControlRequest): Answer | Promise<Answer>;
}

/** The commands of the control protocol, by name. @internal */
export const COMMANDS: Readonly<Record<string, Command>> = Object.freeze({
  status: { args: '', description: 'the status document (as /status, error messages included)', run: (t) => ({ result: t.status() }) },
  events: {
    args: '',
    description: 'follow the daemon: one {"id","event"} line per event until the client closes or the daemon stops',
    run: (t) => ({ stream: t.events$ }),
  },
  reload: {
    args: '',
    description: 'reload the config as SIGHUP does (the reply says whether it was accepted)',
    run: (t) => {
      const error = t.reload();
      if (error !== undefined) throw error;
      return { result: { reloaded: true } };
    },
  },
  shutdown: {
    args: '',
    description: 'begin shutdown (reason requested); initiated is false if it had begun',
    run: (t) => ({ result: { initiated: t.shutdown() } }),
  },
  stop: { args: '{"name"}', description: 'stop one subsystem (it is not restarted)', run: (t, r) => settled(t.stop(nameOf(t, r))) },
  restart: { args: '{"name"}', description: 'stop one subsystem and start it again', run: (t, r) => settled(t.restart(nameOf(t, r))) },
  metrics: {
    args: '',
    description: 'the Prometheus text of the daemon’s metrics',
    run: (t) => {
      const text = t.metrics();
      if (text === undefined) throw bad('metrics are off: set monitoring.enable_metrics = true', ErrorCode.ControlUnavailable);
      return { result: text };
    },
  },
  profile: {
    args: '{"kind":"cpu","seconds"} | {"kind":"heap"} | {"kind":"heap-sampling","seconds"}',
    description: 'write a CPU profile, a heap snapshot or a sampling heap profile under workDir; the result is its path',
    run: async (t, r) => {
      const kind = r.args['kind'];
      if (kind !== 'cpu' && kind !== 'heap' && kind !== 'heap-sampling') {
        throw bad(`profile: "kind" is "cpu", "heap" or "heap-sampling", got ${kindOf(kind)}`);
      }
      const seconds = kind === 'heap' ? 0 : r.args['seconds'];
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_PROFILE_SECONDS || (kind !== 'heap' && seconds === 0)) {
        throw bad(`profile ${kind}: "seconds" is a number above 0 and at most ${MAX_PROFILE_SECONDS}, got ${kindOf(seconds)}`);
      }
      return { result: { path: await t.profile(kind, seconds) } };
    },
  },
  help: {
    args: '',
    description: 'this list',
    run: () => ({ result: Object.entries(COMMANDS).map(([cmd, c]) => ({ cmd, args: c.args, description: c.description })) }),
  },
});

/** The command `request` names, or the error reply for an unknown one. @internal */
export function commandOf(request: ControlRequest): Command {
  const command = Object.hasOwn(COMMANDS, request.cmd) ? COMMANDS[request.cmd] : undefined;
  if (command === undefined) {
    throw bad(`unknown command ${kindOf(request.cmd)}: try ${Object.keys(COMMANDS).join(', ')}`, ErrorCode.ControlUnknownCommand);
  }
  return command;
}

/** The `name` argument: a registered subsystem. */
function nameOf(target: ControlTarget, request: ControlRequest): string {
  const name = request.args['name'];
  if (typeof name !== 'string' || name === '') throw bad(`${request.cmd}: "name" names a subsystem (a string), got ${kindOf(name)}`);
  const names = target.names();
  if (!names.includes(name)) {
    throw bad(`${request.cmd}: no subsystem is named ${kindOf(name)} (there are: ${names.join(', ') || 'none'})`);
  }
  return name;
}

async function settled(done: Promise<SubsystemMetadata>): Promise<Answer> {
  const m = await done;
  return { result: { name: m.name, state: m.state, restartCount: m.restartCount } };
}
