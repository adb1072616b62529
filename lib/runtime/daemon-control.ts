import type { Logger } from 'pino';
import type { Observable } from 'rxjs';
import type { Config } from '../config/config.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { bind } from '../ipc/bind.js';
import type { DaemonEvent } from '../kernel/events.js';
import type { DaemonSnapshot } from '../kernel/snapshot.js';
import type { MetricsCollector } from '../metrics/collector.js';
import type { ControlTarget } from './control-commands.js';
import { ControlServer } from './control-server.js';
import { ProfileRuns } from './profile-runs.js';
import { statusDocument } from './status-document.js';
import type { SubsystemManager } from './subsystem-manager.js';

/** What the control socket serves from its daemon. @internal */
export interface ControlHost {
  readonly logger: Logger;
  readonly manager: SubsystemManager;
  readonly events$: Observable<DaemonEvent>;
  snapshot(): DaemonSnapshot;
  config(): Config;
  metrics(): MetricsCollector | undefined;
  /** Repeats the config's load; the error when rejected, or when there is no file to read. */
  reload(): DaemonError | undefined;
  shutdown(): boolean;
}

/**
 * The daemon's control socket: bound (0600, by `ipc.bind`) at `run()`,
 * serving the protocol until the daemon stops. Profiles a client asked for
 * are finished and written when it closes, never lost.
 * @internal
 */
export class DaemonControl {
  private constructor(
    readonly path: string,
    private readonly server: ControlServer,
    private readonly profiles: ProfileRuns,
  ) {}

  /** Binds the socket at `path`; rejects with a `DaemonError` (io) when it cannot (in use, a symlink or a file there, …). */
  static async open(path: string, host: ControlHost): Promise<DaemonControl> {
    // A client that sends its request then half-closes still gets the reply.
    const server = await bind(path, { allowHalfOpen: true });
    const profiles = new ProfileRuns(() => host.config().workDir ?? process.cwd(), () => host.config().name);
    const control = new DaemonControl(path, new ControlServer(server, targetOf(host, profiles), host.logger), profiles);
    host.logger.debug({ path }, 'control socket: listening');
    return control;
  }

  /** Finishes the profiles under way (writing their files), then ends every client and removes the socket. */
  async close(): Promise<void> {
    await this.profiles.finishAll();
    await this.server.close();
  }

  /**
   * Removes the socket file at once (the process exits at the kill
   * deadline): the bound server's close() removes its file synchronously,
   * first, and only if it is still its own.
   */
  removeNow(): void {
    this.profiles.finishAllNow();
    void this.server.close();
  }
}

function targetOf(host: ControlHost, profiles: ProfileRuns): ControlTarget {
  const idOf = (name: string) => {
    // Bound during run()'s set-up: a stop before the launch would be undone by it (and a restart has nothing to restart).
    if (host.snapshot().launchedAt === undefined) {
      throw DaemonError.runtime(`the daemon has not started its subsystems yet: try again once it runs`, { code: ErrorCode.ControlUnavailable });
    }
    const m = host.manager.getAllMetadata().find((s) => s.name === name);
    if (m === undefined) throw DaemonError.runtime(`no subsystem is named "${name}"`, { code: ErrorCode.ControlBadArgument });
    return m.id;
  };
  return {
    status: () => statusDocument({ snapshot: () => host.snapshot(), configSnapshot: () => host.config() }, true),
    events$: host.events$,
    reload: () => host.reload(),
    shutdown: () => host.shutdown(),
    stop: (name) => host.manager.stop(idOf(name)),
    restart: (name) => host.manager.restart(idOf(name)),
    names: () => host.snapshot().subsystems.map((m) => m.name),
    metrics: () => host.metrics()?.toPrometheus(),
    profile: (kind, seconds) => profiles.take(kind, seconds),
  };
}
