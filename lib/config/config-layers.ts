import { checkDrain, checkMemoryLimitOrder, checkTimeoutOrder, freezeConfig } from './config-checks.js';
import { type SchemaError, type Source, schemaError } from './config-errors.js';
import { type SnakeTree, isTable, mergeTrees, toCamel, toSnake } from './config-shape.js';
import type { ConfigData as Config } from '../kernel/config-types.js';
import compiledValidator from './generated/validate-config-schema.js';

/** The schema's validator, compiled at build time (see scripts/build-schema.ts). */
const validateSchema = compiledValidator as unknown as { (data: unknown): boolean; errors?: SchemaError[] | null };

/**
 * Validates one layer (a file, the environment, a config in code) against
 * the schema. Each layer is checked alone, before merging, so that an error
 * names the layer that holds the bad value.
 * @internal
 */
export function checkLayer(tree: SnakeTree, source: Source): void {
  if (!validateSchema(tree)) throw schemaError(source, validateSchema.errors ?? [], tree);
}

/**
 * Defaults < layers, validated, ordered, as a frozen `Config`. The checks
 * across keys (the ladder's order, the drain, the memory limits) run on the
 * merged result, since a layer may set only some of the keys they compare.
 * @internal
 */
export function buildConfig(defaults: Config, layers: ReadonlyArray<[SnakeTree, Source]>): Config {
  for (const [tree, source] of layers) checkLayer(tree, source);
  const merged = mergeTrees(toSnake(defaults), ...layers.map(([tree]) => tree));
  const shutdown = merged['shutdown'] as { graceful: number; force: number; kill: number; drain: number };
  // Name the layer that set the last of the three, as the place to look.
  const timeouts = culpritOf(layers, 'shutdown');
  checkTimeoutOrder(shutdown.graceful, shutdown.force, shutdown.kill, where(timeouts));
  checkDrain(shutdown.drain, shutdown.graceful, where(timeouts), timeouts?.kind === 'file' ? timeouts.file : undefined);
  const monitoring = merged['monitoring'] as { memory_soft_limit_mb?: number; memory_hard_limit_mb?: number };
  const limits = culpritOf(layers, 'monitoring');
  checkMemoryLimitOrder(monitoring.memory_soft_limit_mb, monitoring.memory_hard_limit_mb, where(limits), limits?.kind === 'code');
  // The layers passed the schema and the merged result the checks above: it is a Config.
  return freezeConfig(toCamel(merged) as unknown as Config);
}

/** The layer that set `section` last, as the place to look: a file, the environment, or the config in code. */
function culpritOf(layers: ReadonlyArray<[SnakeTree, Source]>, section: string): Source | undefined {
  return [...layers].reverse().find(([tree]) => isTable(tree[section]))?.[1];
}

function where(source: Source | undefined): string {
  return source?.kind === 'file' ? source.file : source?.kind === 'env' ? 'environment' : source?.kind === 'code' ? (source.where ?? 'config') : 'config';
}
