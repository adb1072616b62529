/**
 * The one JSON Schema of a daemon's configuration, in the shape of its TOML
 * file (snake_case keys). Every load, every reload, every environment
 * override and every `ConfigBuilder` result is validated against it (by a
 * validator compiled at build time: `npm run schema` writes
 * `generated/validate-config-schema.ts`, so the core never loads ajv's
 * compiler). No key is required: missing keys take their defaults. The
 * ordering `graceful < force < kill`, `drain < graceful` and the memory
 * limits are checked after the schema, on the merged result. Integer keys
 * are `type: 'integer'` with both bounds: a TOML file's integers are read
 * as BigInt and its floats are refused at integer keys before the schema
 * runs (see `load-config.ts`), since ajv cannot tell `1000.0` from `1000`.
 *
 * Keywords are limited to those whose standalone code needs no ajv runtime
 * helper (no `minLength`, `format` or `uniqueItems`): the build fails
 * otherwise.
 * @internal
 */
export const CONFIG_SCHEMA = {
  $id: 'https://proc-daemon.dev/schema/daemon.toml.json',
  title: 'proc-daemon configuration (daemon.toml)',
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '\\S', description: 'The daemon name: logs and events.' },
    logging: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: "pino's levels, the most severe first; silent logs nothing." },
        json: { type: 'boolean' },
        color: { type: 'boolean' },
        file: { type: 'string', pattern: '\\S' },
        max_file_size: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        max_files: { type: 'integer', minimum: 1, maximum: 100_000 },
      },
    },
    shutdown: {
      type: 'object',
      additionalProperties: false,
      properties: {
        graceful: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
        force: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
        kill: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
        drain: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
      },
    },
    performance: {
      type: 'object',
      additionalProperties: false,
      properties: {
        worker_threads: { type: 'integer', minimum: 0, maximum: 4096 },
        thread_pinning: { type: 'boolean' },
        memory_pool_size: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        numa_aware: { type: 'boolean' },
        lock_free: { type: 'boolean' },
      },
    },
    monitoring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enable_metrics: { type: 'boolean' },
        metrics_interval_ms: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
        track_resources: { type: 'boolean' },
        health_checks: { type: 'boolean' },
        health_check_interval_ms: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
        health_check_failures: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        memory_soft_limit_mb: { type: 'integer', minimum: 1, maximum: 16_777_216 },
        memory_hard_limit_mb: { type: 'integer', minimum: 1, maximum: 16_777_216 },
      },
    },
    hot_reload: { type: 'boolean' },
    work_dir: { type: 'string', pattern: '\\S' },
    pid_file: { type: 'string', pattern: '\\S' },
    control: {
      type: 'object',
      additionalProperties: false,
      properties: {
        socket: { type: 'string', pattern: '\\S' },
      },
    },
  },
} as const;
