import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { Config } from '../config/config.js';
import { type ConfigWatch, watchConfigFile } from '../config/config-watcher.js';
import { DaemonError } from '../errors/daemon-error.js';
import type { Clock } from './clock.js';

/** How long file events are gathered before one reload. @internal */
export const RELOAD_DEBOUNCE_MS = 100;

/** What the reloader needs from its daemon. @internal */
export interface ReloadHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly path: string;
  readonly env: () => Readonly<Record<string, string | undefined>>;
  accept(config: Config): void;
  reject(error: DaemonError): void;
}

/**
 * Reloads the config file: on SIGHUP at once, and — when `hotReload` is on —
 * on file changes, debounced. A new config is loaded exactly as at start
 * (defaults < file < environment) and validated; the daemon accepts or
 * rejects it.
 * @internal
 */
export class ConfigReloader {
  #watch: ConfigWatch | undefined;
  #starting: Promise<void> | undefined;
  #cancelDebounce: (() => void) | undefined;
  #closed = false;

  constructor(private readonly host: ReloadHost) {}

  /** Watches the file (hot reload on) or stops watching (off). */
  async watch(on: boolean): Promise<void> {
    if (!on || this.#closed) return this.#unwatch();
    if (this.#watch !== undefined || this.#starting !== undefined) return this.#starting;
    this.#starting = watchConfigFile(this.host.path, () => this.#changed())
      .then((w) => {
        if (this.#closed) return w.close();
        this.#watch = w;
        this.host.logger.debug({ path: this.host.path }, 'watching the config file');
        return undefined;
      })
      .finally(() => {
        this.#starting = undefined;
      });
    return this.#starting;
  }

  /** Loads and validates the file now; the daemon accepts or rejects the result. */
  reload(): void {
    this.#cancelDebounce?.();
    this.#cancelDebounce = undefined;
    let config: Config;
    try {
      config = Config.load({ path: this.host.path, env: this.host.env() });
    } catch (err) {
      this.host.reject(err instanceof DaemonError ? err : DaemonError.config(`reload: ${String(err)}`, { cause: err }));
      return;
    }
    this.host.accept(config);
  }

  /** Stops watching for good. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelDebounce?.();
    await this.#starting?.catch(() => {});
    await this.#unwatch();
  }

  #changed(): void {
    this.#cancelDebounce?.();
    this.#cancelDebounce = this.host.clock.after(RELOAD_DEBOUNCE_MS, () => {
      this.#cancelDebounce = undefined;
      // A file that is gone is no new config: wait for it to come back (delete + recreate).
      if (!existsSync(this.host.path)) {
        this.host.logger.warn({ path: this.host.path }, 'config file removed; the current config stays until it returns');
        return;
      }
      this.reload();
    });
  }

  async #unwatch(): Promise<void> {
    const w = this.#watch;
    this.#watch = undefined;
    await w?.close();
  }
}
