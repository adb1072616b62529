import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { type ConfigWatch, watchConfigFile } from '../config/config-watcher.js';
import { DaemonError } from '../errors/daemon-error.js';
import type { Clock } from '../clock/clock.js';

/** How long file events are gathered before one reload. @internal */
export const RELOAD_DEBOUNCE_MS = 100;

/**
 * Where a daemon's config comes from: the file it reads (and hot reload
 * watches), and the load that makes the config from it — the same at start
 * and at every reload, layer for layer.
 * @internal
 */
export interface ConfigSource {
  readonly file: string;
  load(): Config;
}

/** What the reloader needs from its daemon. @internal */
export interface ReloadHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly source: ConfigSource;
  accept(config: Config): void;
  reject(error: DaemonError): void;
}

/**
 * Reloads the config file: on SIGHUP at once, and — when `hotReload` is on —
 * on file changes, debounced. A new config is made by repeating the load
 * that made the first one (its source) and validated; the daemon accepts or
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
    this.#starting = watchConfigFile(this.host.source.file, () => this.#changed())
      .then((w) => {
        if (this.#closed) return w.close();
        this.#watch = w;
        this.host.logger.debug({ path: this.host.source.file }, 'watching the config file');
        return undefined;
      })
      .finally(() => {
        this.#starting = undefined;
      });
    return this.#starting;
  }

  /**
   * Loads and validates the file now; the daemon accepts or rejects the
   * result. Returns the error when it was rejected. Nothing once closed (the
   * daemon has stopped).
   */
  reload(): DaemonError | undefined {
    if (this.#closed) return undefined;
    this.#cancelDebounce?.();
    this.#cancelDebounce = undefined;
    let config: Config;
    try {
      config = this.host.source.load();
    } catch (err) {
      const error = err instanceof DaemonError ? err : DaemonError.config(`reload: ${String(err)}`, { cause: err });
      this.host.reject(error);
      return error;
    }
    this.host.accept(config);
    return undefined;
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
      if (!existsSync(this.host.source.file)) {
        this.host.logger.warn({ path: this.host.source.file }, 'config file removed; the current config stays until it returns');
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
