import type { ConfigData } from '../kernel/config-types.js';
import { ConfigBuilder } from './config-builder.js';
import { freezeConfig } from './config-checks.js';
import { codeTree } from './config-input.js';
import { buildConfig } from './config-layers.js';
import { recordOrigin } from './config-origin.js';
import { type LoadOptions, loadFromFile, loadLayers } from './load-config.js';

// The section types live in the kernel (pure types); they are exported from here as before.
export type { ConfigData, ControlConfig, LogLevel, LoggingConfig, MonitoringConfig, PerformanceConfig, ShutdownConfig } from '../kernel/config-types.js';

/**
 * A daemon's configuration: immutable plain data.
 *
 * @remarks
 * Build one with {@link (Config:variable).builder}, write one in code with
 * {@link (Config:variable).from}, load one with {@link (Config:variable).load},
 * or take {@link (Config:variable).default}. TOML keys are the `snake_case`
 * of these `camelCase` fields.
 *
 * @example
 * ```ts
 * import { Config, Daemon } from 'proc-daemon';
 *
 * const config = Config.builder().name('api').shutdownTimeout(10_000).forceShutdownTimeout(15_000).killTimeout(20_000).build();
 * Daemon.builder(config);
 * ```
 * @public
 */
// The shape is ConfigData's (in the kernel, which carries configs in its events without
// importing this module): Config adds nothing, so the two are one type under two names.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Config extends ConfigData {}

/**
 * Any part of a {@link (Config:interface)}, as {@link (Config:variable).from}
 * takes it: the same camelCase keys, each section a plain object of its own
 * keys, every key optional. A key left out, or set to `undefined`, keeps
 * its default.
 *
 * @remarks
 * Checked at run time as strictly as a TOML file: a key that is not the
 * camelCase name of a config key (`maxFileSize`, not `max_file_size`) is an
 * error naming it, with the closest known key.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 *
 * // A ConfigInput: a name, one logging key and the shutdown ladder; the rest keeps its defaults.
 * const config = Config.from({
 *   name: 'billing',
 *   logging: { level: 'warn' },
 *   shutdown: { graceful: 10_000, force: 15_000, kill: 20_000, drain: 2_000 },
 * });
 * console.log(config.shutdown.drain, config.logging.json); // 2000 true
 * ```
 * @public
 */
export type ConfigInput = {
  readonly [K in keyof Config]?:
    | (NonNullable<Config[K]> extends object ? { readonly [S in keyof NonNullable<Config[K]>]?: NonNullable<Config[K]>[S] | undefined } : Config[K])
    | undefined;
};

const DEFAULT: Config = freezeConfig({
  name: 'proc-daemon',
  logging: { level: 'info', json: true, color: true },
  shutdown: { graceful: 30_000, force: 45_000, kill: 60_000, drain: 0 },
  performance: { workerThreads: 0, threadPinning: false, memoryPoolSize: 1_048_576, numaAware: false, lockFree: true },
  monitoring: {
    enableMetrics: false,
    metricsIntervalMs: 1000,
    trackResources: false,
    healthChecks: true,
    healthCheckIntervalMs: 5000,
    healthCheckFailures: 3,
  },
  hotReload: false,
  control: {},
});

/**
 * Entry points to {@link (Config:interface)} values.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 *
 * const inCode = Config.from({ name: 'api', monitoring: { healthCheckIntervalMs: 2_000 } });
 * const fromFile = () => Config.load({ path: '/etc/api/daemon.toml' }); // defaults < file < DAEMON_* variables
 * console.log(inCode.monitoring.healthCheckIntervalMs, Config.default().name); // 2000 proc-daemon
 * ```
 * @public
 */
export const Config = Object.freeze({
  /**
   * The default configuration: shutdown 30000/45000/60000 ms, info JSON logs,
   * health checks on, metrics, resource tracking and hot reload off.
   */
  default(): Config {
    return DEFAULT;
  },
  /** A builder starting from the defaults; setters validate as they go. */
  builder(): ConfigBuilder {
    return new ConfigBuilder(DEFAULT);
  },
  /**
   * A config from any part of one, written in code: `input` is layered over
   * the defaults (sections key by key) and validated like a file — the
   * schema, unknown keys (named as written, camelCase, with the closest known
   * one), `graceful < force < kill`, `drain < graceful`, the memory limits.
   * A value of `undefined` counts as absent. Throws `DaemonError` (config),
   * messages beginning `Config.from: `; anything but a plain object (an
   * array, a class instance, a string…) is refused.
   *
   * @remarks
   * The config remembers no file: a daemon made from it reads none, unless
   * its builder names one with `withConfigPath`.
   */
  from(input: ConfigInput): Config {
    const source = { kind: 'code', where: 'Config.from' } as const;
    return buildConfig(DEFAULT, [[codeTree(input, source), source]]);
  },
  /**
   * The config of a TOML file (snake_case keys), over the defaults. Throws
   * `DaemonError` (config) naming the file, the key, and for syntax errors
   * the line and column. The file must be a regular file of at most 1 MiB.
   * A reload of this config re-reads the file over the defaults, with no
   * environment.
   */
  loadFromFile(path: string): Config {
    return recordOrigin(loadFromFile(DEFAULT, path), { file: path });
  },
  /**
   * Defaults, then the file, then the environment (each over the one before): the file is `options.path`, else
   * `./daemon.toml` if it exists; the environment is `options.env`, else
   * `process.env`, read through `DAEMON_*` variables (`__` nests:
   * `DAEMON_SHUTDOWN__GRACEFUL=60000`). Throws `DaemonError` (config).
   * A reload of this config repeats this load: the same file, then the same
   * environment object.
   */
  load(options?: LoadOptions): Config {
    const { config, file, env } = loadLayers(DEFAULT, options);
    return recordOrigin(config, file === undefined ? { env } : { file, env });
  },
});
