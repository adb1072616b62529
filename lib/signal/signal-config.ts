import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { signalDescription, signalName, signalNumber } from './signal-description.js';

/**
 * What a handled signal does: start shutdown, reload the config, or only
 * appear on `signals$`.
 * @example
 * ```ts
 * import { SignalConfig, type SignalRole } from 'proc-daemon';
 *
 * const roles: SignalRole[] = [...SignalConfig.new('linux').bindings.values()].map((b) => b.role);
 * console.log(roles); // ['shutdown', 'shutdown', 'shutdown', 'reload']
 * ```
 * @public
 */
export type SignalRole = 'shutdown' | 'reload' | 'notify';

/**
 * One handled signal.
 * @example
 * ```ts
 * import { SignalConfig, type SignalBinding } from 'proc-daemon';
 *
 * const hup: SignalBinding | undefined = SignalConfig.new('linux').get('SIGHUP');
 * console.log(hup?.role); // reload
 * ```
 * @public
 */
export interface SignalBinding {
  readonly signal: NodeJS.Signals;
  readonly signo: number;
  readonly role: SignalRole;
  readonly description: string;
}

const UNCATCHABLE: ReadonlySet<string> = new Set(['SIGKILL', 'SIGSTOP']);

function bind(signal: NodeJS.Signals, role: SignalRole, description?: string): SignalBinding {
  return Object.freeze({ signal, signo: signalNumber(signal) ?? 0, role, description: description ?? signal });
}

function defaults(platform: NodeJS.Platform): SignalBinding[] {
  if (platform === 'win32') {
    // SIGHUP on Windows is the console window closing: a reason to stop, not to reload.
    return [bind('SIGINT', 'shutdown'), bind('SIGBREAK', 'shutdown'), bind('SIGHUP', 'shutdown', 'console closed')];
  }
  return [bind('SIGTERM', 'shutdown'), bind('SIGINT', 'shutdown'), bind('SIGQUIT', 'shutdown'), bind('SIGHUP', 'reload')];
}

/**
 * Which OS signals a daemon handles, and what each does. Immutable: every
 * method returns a new config.
 *
 * @remarks
 * The default set: SIGTERM, SIGINT, SIGQUIT start shutdown; SIGHUP reloads
 * the config (as operators expect of a daemon). On Windows: SIGINT, SIGBREAK
 * and the console closing start shutdown. Every handled signal is an event
 * on `daemon.signals$`.
 *
 * @example
 * ```ts
 * import { Daemon, SignalConfig } from 'proc-daemon';
 *
 * const signals = SignalConfig.new().withSigusr1().withoutSigint().withCustomHandler(12, 'rotate logs');
 * Daemon.new().withSignalConfig(signals);
 * ```
 * @public
 */
export class SignalConfig {
  /** The handled signals, by name. */
  readonly bindings: ReadonlyMap<NodeJS.Signals, SignalBinding>;

  private constructor(bindings: Iterable<SignalBinding>) {
    this.bindings = new Map([...bindings].map((b) => [b.signal, b]));
  }

  /** The default set for this platform. */
  static new(platform: NodeJS.Platform = process.platform): SignalConfig {
    return new SignalConfig(defaults(platform));
  }

  /** No signal at all: the daemon stops only by `shutdown()` or when its subsystems end. */
  static none(): SignalConfig {
    return new SignalConfig([]);
  }

  /** SIGHUP reloads the config. */
  withSighup(): SignalConfig {
    return this.#with(bind('SIGHUP', 'reload'));
  }

  /** SIGHUP is not handled. */
  withoutSighup(): SignalConfig {
    return this.#without('SIGHUP');
  }

  /** SIGUSR1 appears on `signals$`. */
  withSigusr1(): SignalConfig {
    return this.#with(bind('SIGUSR1', 'notify'));
  }

  /** SIGUSR2 appears on `signals$`. */
  withSigusr2(): SignalConfig {
    return this.#with(bind('SIGUSR2', 'notify'));
  }

  /** SIGTERM starts shutdown. */
  withSigterm(): SignalConfig {
    return this.#with(bind('SIGTERM', 'shutdown'));
  }

  /** SIGINT starts shutdown. */
  withSigint(): SignalConfig {
    return this.#with(bind('SIGINT', 'shutdown'));
  }

  /** SIGTERM is not handled (Node's default applies). */
  withoutSigterm(): SignalConfig {
    return this.#without('SIGTERM');
  }

  /** SIGINT is not handled (Node's default applies). */
  withoutSigint(): SignalConfig {
    return this.#without('SIGINT');
  }

  /** SIGQUIT is not handled. */
  withoutSigquit(): SignalConfig {
    return this.#without('SIGQUIT');
  }

  /**
   * Handles signal `signo` (a number of this platform, or a name such as
   * `'SIGUSR2'`): it appears on `signals$` with `description`. Throws
   * `DaemonError` (signal) for an unknown or uncatchable signal (2001), or
   * one that already starts shutdown or reloads (2003).
   */
  withCustomHandler(signo: number | NodeJS.Signals, description: string): SignalConfig {
    const name = typeof signo === 'number' ? signalName(signo) : signalNumber(signo) === undefined ? undefined : signo;
    if (name === undefined) {
      throw DaemonError.signal(
        `withCustomHandler(${JSON.stringify(signo)}): no such signal on ${process.platform}; ` +
          'use a signal number or name this platform defines (see os.constants.signals)',
        { code: ErrorCode.SignalUnknown },
      );
    }
    if (UNCATCHABLE.has(name)) {
      throw DaemonError.signal(`withCustomHandler(${JSON.stringify(signo)}): ${name} cannot be caught`, {
        code: ErrorCode.SignalUnknown,
      });
    }
    const existing = this.bindings.get(name);
    if (existing !== undefined && existing.role !== 'notify') {
      throw DaemonError.signal(
        `withCustomHandler(${JSON.stringify(signo)}): ${name} already ${existing.role === 'shutdown' ? 'starts shutdown' : 'reloads the config'}; ` +
          `remove it first (for example withoutSig${name.slice(3).toLowerCase()}()) to give it another use`,
        { code: ErrorCode.SignalAlreadyHandled },
      );
    }
    return this.#with(bind(name, 'notify', description || signalDescription(signalNumber(name) ?? 0)));
  }

  /** The binding of `signal`, if handled. */
  get(signal: NodeJS.Signals): SignalBinding | undefined {
    return this.bindings.get(signal);
  }

  #with(binding: SignalBinding): SignalConfig {
    return new SignalConfig([...this.bindings.values(), binding]);
  }

  #without(signal: NodeJS.Signals): SignalConfig {
    return new SignalConfig([...this.bindings.values()].filter((b) => b.signal !== signal));
  }
}
