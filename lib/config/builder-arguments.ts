import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { isTable, schemaAt } from './config-shape.js';

// The checks of ConfigBuilder's setter arguments, one value at a time. They
// run when a setter is called, so that a bad value is reported at the call
// that made it (`logFile("x", { maxFiles: 0 })`), not later at build();
// build() then validates the whole config as a file is validated.

/** A setter's argument refused: `DaemonError` (config, `ConfigInvalidValue`). @internal */
export function invalid(message: string): DaemonError {
  return DaemonError.config(message, { code: ErrorCode.ConfigInvalidValue });
}

/** A value as a setter's message shows it: strings quoted, options objects as `{ key: value }`. @internal */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (isTable(value)) return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`).join(', ')} }`;
  if (Array.isArray(value)) return '[…]';
  return String(value);
}

/** The schema's bounds of the integer key at `path` (snake_case): the setters allow what a file allows. @internal */
export function bounds(path: readonly [string, string]): { min: number; max: number } {
  const node = schemaAt(path) as { minimum?: number; maximum?: number } | undefined;
  return { min: node?.minimum ?? 0, max: node?.maximum ?? Number.MAX_SAFE_INTEGER };
}

/** Whether `value` is an integer from `min` to `max`. @internal */
export function isIntegerIn(value: unknown, { min, max }: { min: number; max: number }): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The argument of a boolean setter: only a boolean (no argument: `true`). @internal */
export function checkFlag(setter: string, on: unknown): boolean {
  if (typeof on !== 'boolean') throw invalid(`${setter}(${show(on)}): expected true or false (no argument: true)`);
  return on;
}

/** The argument of an integer setter, within the schema's bounds of its key; `unit` says what it counts. @internal */
export function checkInteger(setter: string, value: unknown, path: readonly [string, string], unit: string): number {
  const range = bounds(path);
  if (!isIntegerIn(value, range)) {
    throw invalid(`${setter}(${show(value)}): expected an integer of ${unit} from ${range.min} to ${range.max}`);
  }
  return value;
}

/** A non-blank string (a name, a path); `expected` says what the setter wants. @internal */
export function checkText(setter: string, value: unknown, expected: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${setter}(${show(value)}): expected ${expected}`);
  return value;
}

/** The options object of a setter: a plain object with only `allowed` keys (`undefined` values absent). */
function options<K extends string>(call: string, value: unknown, allowed: readonly K[]): Partial<Record<K, unknown>> {
  if (value === undefined) return {};
  if (!isTable(value)) throw invalid(`${call}: expected an options object { ${allowed.join(', ')} }`);
  const out: Partial<Record<K, unknown>> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw DaemonError.config(`${call}: unknown option ${key}; the options are ${allowed.join(', ')}`, { code: ErrorCode.ConfigUnknownKey });
    }
    if (v !== undefined) out[key as K] = v;
  }
  return out;
}

/** The arguments of `logFile(path, opts)`, checked; an option left out is absent. @internal */
export function checkLogFile(path: unknown, opts: unknown): { file: string; maxFileSize?: number; maxFiles?: number } {
  const call = `logFile(${show(path)}${opts === undefined || (isTable(opts) && Object.keys(opts).length === 0) ? '' : `, ${show(opts)}`})`;
  if (typeof path !== 'string' || path.trim() === '') throw invalid(`${call}: expected a path`);
  const { maxFileSize, maxFiles } = options(call, opts, ['maxFileSize', 'maxFiles'] as const);
  const size = bounds(['logging', 'max_file_size']);
  if (maxFileSize !== undefined && !isIntegerIn(maxFileSize, size)) {
    throw invalid(`${call}: maxFileSize must be an integer of bytes from ${size.min} to ${size.max}`);
  }
  const files = bounds(['logging', 'max_files']);
  if (maxFiles !== undefined && !isIntegerIn(maxFiles, files)) {
    throw invalid(`${call}: maxFiles must be an integer from ${files.min} to ${files.max} (rotated files to keep)`);
  }
  return {
    file: path,
    ...(maxFileSize === undefined ? {} : { maxFileSize: maxFileSize as number }),
    ...(maxFiles === undefined ? {} : { maxFiles: maxFiles as number }),
  };
}

/** The argument of `memoryLimits(limits)`, checked: each limit in the schema's range, soft below hard. @internal */
export function checkMemoryLimitsArgument(limits: unknown): { softMb?: number; hardMb?: number } {
  const call = `memoryLimits(${show(limits)})`;
  const { softMb, hardMb } = options(call, limits, ['softMb', 'hardMb'] as const);
  const range = bounds(['monitoring', 'memory_soft_limit_mb']);
  for (const [key, value] of [['softMb', softMb], ['hardMb', hardMb]] as const) {
    if (value !== undefined && !isIntegerIn(value, range)) {
      throw invalid(`${call}: ${key} must be an integer of MiB from ${range.min} to ${range.max}`);
    }
  }
  if (softMb !== undefined && hardMb !== undefined && !((softMb as number) < (hardMb as number))) {
    throw invalid(`${call}: softMb must be below hardMb; the soft limit warns before the hard one shuts the daemon down`);
  }
  return {
    ...(softMb === undefined ? {} : { softMb: softMb as number }),
    ...(hardMb === undefined ? {} : { hardMb: hardMb as number }),
  };
}
