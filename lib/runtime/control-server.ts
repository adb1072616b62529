import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import { ErrorCode } from '../errors/error-code.js';
import { loggable } from '../logging/loggable-error.js';
import { type Answer, type ControlTarget, commandOf } from './control-commands.js';
import { type ControlRequest, LineReader, type RequestId, bad, errorLine, okLine, parseRequest } from './control-protocol.js';

/** Replies a client has not read beyond which it is dropped (a stalled `events` reader must not hold the daemon's memory). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Unread replies beyond which a connection's further requests wait (pipelining clients are paced, not dropped). */
const PACE_BYTES = 1024 * 1024;
/** How long a client has, once the daemon stops, to take its last replies and close before it is cut off. */
const CLOSE_GRACE_MS = 2000;

/**
 * Serves the control protocol on a bound server: one {@link ControlTarget},
 * any number of clients. Nothing a client sends or fails to read can throw
 * into the daemon: every failure is an error reply, or the end of that one
 * connection.
 * @internal
 */
export class ControlServer {
  readonly #connections = new Set<Connection>();
  #closing: Promise<void> | undefined;

  constructor(
    readonly server: Server,
    private readonly target: ControlTarget,
    private readonly logger: Logger,
  ) {
    server.on('connection', (socket: Socket) => {
      if (this.#closing !== undefined) {
        socket.destroy();
        return;
      }
      const connection = new Connection(socket, target, logger, () => this.#connections.delete(connection));
      this.#connections.add(connection);
    });
    server.on('error', (err) => logger.error({ err: loggable(err) }, 'control socket: the server failed'));
  }

  /** How many clients are connected. */
  get clients(): number {
    return this.#connections.size;
  }

  /** Stops accepting, ends every connection once what was written has gone, closes the server (removing the socket). */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const c of this.#connections) c.end();
      // A client that neither reads nor closes (stalled, suspended with Ctrl-Z) must not keep the process alive.
      const cutOff = setTimeout(() => {
        for (const c of this.#connections) c.destroy();
      }, CLOSE_GRACE_MS);
      this.server.close(() => {
        clearTimeout(cutOff);
        resolve();
      });
    });
    return this.#closing;
  }
}

/** One client: its line reader, its event streams, its replies. */
class Connection {
  readonly #reader = new LineReader();
  readonly #streams = new Set<Subscription>();
  /** Lines received and not yet handled: waiting while the client has too many replies unread. */
  #queue: Array<string | null> = [];
  #open = true;
  /** The daemon stops: what the client sends now is not read. */
  #stopping = false;
  /** Replies still being computed (a profile, a stop). */
  #pending = 0;
  /** The client half-closed: end once the last reply is written. */
  #endWhenIdle = false;

  constructor(
    private readonly socket: Socket,
    private readonly target: ControlTarget,
    private readonly logger: Logger,
    private readonly onClose: () => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('drain', () => {
      socket.resume();
      this.#handleQueued();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#closed());
    // A client that only half-closes (sends its requests, then FIN) still gets its replies.
    socket.on('end', () => {
      if (this.#streams.size === 0) this.#endWhenIdle = true;
      this.#maybeEnd();
    });
  }

  /** Ends the connection after what was written and the replies under way (the daemon stops); requests not yet read are dropped. */
  end(): void {
    for (const s of this.#streams) s.unsubscribe();
    this.#streams.clear();
    this.#queue = [];
    this.#stopping = true;
    this.#endWhenIdle = true;
    this.#maybeEnd();
  }

  /** Cuts the connection off now. */
  destroy(): void {
    this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    let lines: Array<string | null>;
    try {
      lines = this.#reader.push(chunk);
    } catch (err) {
      this.#write(errorLine(null, err));
      this.socket.destroy();
      return;
    }
    if (this.#stopping) return;
    for (const line of lines) this.#queue.push(line);
    this.#handleQueued();
  }

  /** Handles the lines received, as long as the client reads its replies; else waits for 'drain' (reading paused). */
  #handleQueued(): void {
    while (this.#queue.length > 0 && this.#open) {
      if (this.socket.writableLength > PACE_BYTES) {
        this.socket.pause();
        return;
      }
      const line = this.#queue.shift() as string | null;
      if (line === null) {
        this.#write(errorLine(null, bad('a request line is at most 64 KiB: this one was skipped', ErrorCode.ControlLineTooLong)));
      } else if (line.trim() !== '') {
        this.#handle(line);
      }
    }
    this.#maybeEnd();
  }

  #handle(line: string): void {
    const parsed = parseRequest(line);
    if ('error' in parsed) {
      this.#write(errorLine(parsed.id, parsed.error));
      return;
    }
    let answer: Answer | Promise<Answer>;
    try {
      answer = commandOf(parsed).run(this.target, parsed);
    } catch (err) {
      this.#write(errorLine(parsed.id, err));
      return;
    }
    if (answer instanceof Promise) {
      this.#pending++;
      answer.then(
        (a) => this.#answer(parsed, a),
        (err: unknown) => this.#write(errorLine(parsed.id, err)),
      ).finally(() => {
        this.#pending--;
        this.#maybeEnd();
      });
    } else {
      this.#answer(parsed, answer);
    }
  }

  #answer(request: ControlRequest, answer: Answer): void {
    if ('result' in answer) {
      this.#write(okLine(request.id, answer.result));
      return;
    }
    const id: RequestId = request.id;
    const sub = answer.stream.subscribe({
      next: (event) => this.#write(eventLine(id, event)),
      // The daemon stopped: nothing more will come.
      complete: () => this.end(),
      error: () => this.end(),
    });
    // A stream that ended at once (the daemon has stopped) has ended the connection already.
    if (this.#open && !sub.closed) this.#streams.add(sub);
    else sub.unsubscribe();
  }

  #write(line: string): void {
    if (!this.#open || this.socket.destroyed || this.socket.writableEnded) return;
    // Measured before the write: one reply larger than the limit still goes to a client that reads.
    if (this.socket.writableLength > MAX_BUFFERED_BYTES) {
      this.logger.warn({ bufferedBytes: this.socket.writableLength }, 'control socket: a client does not read its replies; disconnected');
      this.socket.destroy();
      return;
    }
    this.socket.write(line);
  }

  #maybeEnd(): void {
    if (this.#endWhenIdle && this.#pending === 0 && this.#streams.size === 0 && this.#queue.length === 0 && this.#open && !this.socket.writableEnded) {
      this.socket.end();
    }
  }

  #closed(): void {
    this.#open = false;
    this.#queue = [];
    for (const s of this.#streams) s.unsubscribe();
    this.#streams.clear();
    this.onClose();
  }
}

/** One event of an `events` stream; an event that cannot be written as JSON is reported as such, never thrown. */
function eventLine(id: RequestId, event: unknown): string {
  try {
    return `${JSON.stringify({ id, event })}\n`;
  } catch (err) {
    const type = (event as { type?: unknown }).type;
    return `${JSON.stringify({ id, event: { type: String(type), unserializable: String((err as Error).message) } })}\n`;
  }
}
