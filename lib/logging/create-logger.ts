import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import { type DestinationStream, type Logger, type StreamEntry, pino } from 'pino';
import type { Config } from '../config/config.js';
import { DroppedLines, LineWriter, type WriteIo, nodeIo, toStderr } from './line-writer.js';
import { serializeErr } from './loggable-error.js';
import { RollingFile } from './rolling-file.js';

/** A destination of the daemon's log. @internal */
export type LogDestination = 'stdout' | 'file';

/** The daemon's logger and what it needs before the daemon starts. @internal */
export interface DaemonLogger {
  readonly logger: Logger;
  /**
   * Settles when every destination is open: rejects with a `DaemonError`
   * (kind `io`, code `LogFileUnwritable`) when the log file cannot be opened.
   */
  readonly ready: Promise<void>;
  /**
   * Log lines a destination could not write since the logger was made (a
   * full disk, a closed or stuck stdout, a log file that did not open):
   * those of `destination`, or of both summed. Only grows.
   */
  droppedLines(destination?: LogDestination): number;
}

/** Where {@link createLogger} writes; specs replace it. @internal */
export interface CreateLoggerOptions {
  /** The descriptor written as stdout: 1. */
  readonly stdoutFd?: number;
  readonly io?: WriteIo;
  /** Where the one-line notices about dropped lines go: stderr. */
  readonly notify?: (text: string) => void;
}

/**
 * The daemon's logger from `config.logging`: JSON lines on stdout (default),
 * or pretty text (pino-pretty, colored when `color` and stdout is a
 * terminal), plus a rotated file when `logging.file` is set. Every
 * destination writes synchronously, so no line is lost when the process
 * exits — at the end of shutdown or at the kill deadline. No destination
 * ever throws at whoever logs: a line one cannot take (ENOSPC, EPIPE, a
 * stuck pipe) is dropped there and counted (`droppedLines`), one line on
 * stderr says so the first time, and the next line tries again.
 * Whatever is logged under `err` — by the daemon or through `shutdown.logger`
 * — has one shape: `type`, `message`, `stack`, plus `code` and `kind` for a
 * `DaemonError` (see `loggable`).
 * @internal
 */
export function createLogger(config: Config, options: CreateLoggerOptions = {}): DaemonLogger {
  const { level, json, color, file, maxFileSize, maxFiles } = config.logging;
  const { stdoutFd = 1, io = nodeIo, notify = toStderr } = options;
  const stdoutDropped = new DroppedLines('stdout', notify);
  const stdout = new LineWriter(stdoutFd, stdoutDropped, io);
  const streams: StreamEntry[] = [{ level: 'trace', stream: json ? lines(stdout) : prettyLines(stdout, color) }];
  let rolling: RollingFile | undefined;
  if (file !== undefined) {
    rolling = new RollingFile(file, maxFileSize, maxFiles, { io, notify });
    streams.push({ level: 'trace', stream: rolling });
  }
  const destination = streams.length === 1 ? (streams[0] as StreamEntry).stream : pino.multistream(streams);
  return {
    logger: pino({ name: config.name, level, serializers: { err: serializeErr } }, destination),
    ready: rolling?.ready ?? Promise.resolve(),
    droppedLines(destination?: LogDestination): number {
      const onFile = rolling?.dropped.count ?? 0;
      if (destination === 'stdout') return stdoutDropped.count;
      if (destination === 'file') return onFile;
      return stdoutDropped.count + onFile;
    },
  };
}

/** A destination that writes as it is called: nothing to flush, nothing to end (stdout stays open). */
type SyncDestination = DestinationStream & { flushSync(): void; end(): void };

/** JSON lines, as pino makes them. */
function lines(out: LineWriter): SyncDestination {
  return {
    write(line: string) {
      out.write(line);
    },
    flushSync() {},
    end() {},
  };
}

/** pino-pretty formatting in-process and written synchronously (its transport form is asynchronous). */
function prettyLines(out: LineWriter, color: boolean): SyncDestination {
  const require = createRequire(import.meta.url);
  const { prettyFactory } = require('pino-pretty') as { prettyFactory(o: object): (line: string) => string };
  // isatty, not process.stdout.isTTY: making process.stdout would turn a pipe on fd 1 non-blocking.
  const format = prettyFactory({ colorize: color && isatty(out.fd), translateTime: 'SYS:standard' });
  return {
    write(line: string) {
      let text: string;
      try {
        text = format(line);
      } catch {
        text = line;
      }
      if (text !== '') out.write(text);
    },
    flushSync() {},
    end() {},
  };
}
