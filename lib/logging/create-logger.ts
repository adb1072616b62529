import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Logger, type StreamEntry, pino } from 'pino';
import type { Config } from '../config/config.js';
import { RollingFile } from './rolling-file.js';

/** The daemon's logger and what it needs before the daemon starts. @internal */
export interface DaemonLogger {
  readonly logger: Logger;
  /** Settles when every destination is open (the log file). */
  readonly ready: Promise<void>;
}

/**
 * The daemon's logger from `config.logging`: JSON lines on stdout (default),
 * or pretty text (pino-pretty, colored when `color` and stdout is a
 * terminal), plus a rotated file when `logging.file` is set. Every
 * destination writes synchronously, so no line is lost when the process
 * exits — at the end of shutdown or at the kill deadline.
 * @internal
 */
export function createLogger(config: Config): DaemonLogger {
  const { level, json, color, file, maxFileSize, maxFiles } = config.logging;
  const streams: StreamEntry[] = [{ level: 'trace', stream: json ? pino.destination({ dest: 1, sync: true }) : prettyStdout(color) }];
  let ready: Promise<void> = Promise.resolve();
  if (file !== undefined) {
    const rolling = new RollingFile(file, maxFileSize, maxFiles);
    streams.push({ level: 'trace', stream: rolling });
    ready = rolling.ready;
  }
  const destination = streams.length === 1 ? (streams[0] as StreamEntry).stream : pino.multistream(streams);
  return { logger: pino({ name: config.name, level }, destination), ready };
}

/** pino-pretty formatting in-process and written synchronously (its transport form is asynchronous). */
function prettyStdout(color: boolean): { write(line: string): void; flushSync(): void } {
  const require = createRequire(import.meta.url);
  const { prettyFactory } = require('pino-pretty') as { prettyFactory(o: object): (line: string) => string };
  const format = prettyFactory({ colorize: color && process.stdout.isTTY === true, translateTime: 'SYS:standard' });
  return {
    write(line: string) {
      writeSync(1, format(line));
    },
    flushSync() {},
  };
}
