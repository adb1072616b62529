import { type Logger, pino } from 'pino';

let silent: Logger | undefined;

/** A logger that writes nothing, made on first use (not at import). @internal */
export function silentLogger(): Logger {
  return (silent ??= pino({ level: 'silent' }));
}
