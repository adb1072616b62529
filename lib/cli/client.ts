import { createConnection } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

// The client half of the control protocol (API.md): one connection per command, one request
// line `{ "id", "cmd", … }`, then either one reply line or, for `events`, one `{ "id", "event" }`
// line per event until the daemon closes the connection.

/** The longest reply line read (status and metrics fit many times over); a longer one is a bad reply. */
const MAX_REPLY_CHARS = 64 * 1024 * 1024;

/**
 * Splits a stream of bytes into lines: a line split across chunks is joined,
 * and so is a UTF-8 character split across chunks (StringDecoder).
 * @internal
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #buffer = '';

  /** The complete lines that `chunk` ends (without their `\n` or `\r\n`). */
  push(chunk: Buffer | string): string[] {
    const next = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    // Only the new text is searched: a long line arriving in many chunks costs its length, not its square.
    if (!next.includes('\n')) {
      this.#buffer += next;
      return [];
    }
    const lines = (this.#buffer + next).split('\n');
    this.#buffer = lines.pop() as string;
    return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  /** What is left after the last newline (the stream ended): a last line without its newline, or `''`. */
  rest(): string {
    const tail = this.#buffer + this.#decoder.end();
    this.#buffer = '';
    return tail;
  }

  /** How many characters wait for their newline. */
  get pending(): number {
    return this.#buffer.length;
  }
}

/** An error reply's `error`: `{ code, kind, message }` as the daemon sent it. @internal */
export interface ReplyError {
  readonly code?: unknown;
  readonly kind?: unknown;
  readonly message?: unknown;
}

/** A reply line, parsed. @internal */
export type Reply = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: ReplyError };

/** How an exchange with the daemon ended. @internal */
export type Outcome =
  /** The reply (for `events`: an error reply, which ends the stream). */
  | { readonly type: 'reply'; readonly line: string; readonly reply: Reply }
  /** Nothing to talk to: the connection was refused (`code`: ENOENT, ECONNREFUSED, EACCES, …). */
  | { readonly type: 'unavailable'; readonly code: string; readonly message: string }
  /** A line that is not a reply of the protocol. */
  | { readonly type: 'bad-reply'; readonly line: string; readonly why: string }
  /** The daemon closed the connection before its reply. */
  | { readonly type: 'closed' }
  /** `events`: the daemon closed the stream (it stopped). */
  | { readonly type: 'ended' }
  | { readonly type: 'timeout'; readonly ms: number }
  /** The caller's signal fired (Ctrl-C). */
  | { readonly type: 'aborted' }
  /** The connection failed after it was made. */
  | { readonly type: 'failed'; readonly code: string; readonly message: string };

/** How to exchange: the longest wait, the caller's signal, and for a stream what to do with each event line. @internal */
export interface ExchangeOptions {
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Makes the exchange a stream: called with each `{ "id", "event" }` line (as received, and its `event`). */
  readonly onEvent?: ((line: string, event: unknown) => void) | undefined;
}

/**
 * Sends `request` (with id 1) on the socket at `path` and waits for the
 * reply, or for a stream (`onEvent`) follows it until the daemon closes it.
 * Never rejects: every way it can end is an {@link Outcome}.
 * @internal
 */
export function exchange(path: string, request: Readonly<Record<string, unknown>>, options: ExchangeOptions = {}): Promise<Outcome> {
  const { timeoutMs, signal, onEvent } = options;
  return new Promise<Outcome>((resolve) => {
    if (signal?.aborted === true) {
      resolve({ type: 'aborted' });
      return;
    }
    const socket = createConnection({ path });
    const lines = new LineSplitter();
    let connected = false;
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ type: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(() => finish({ type: 'timeout', ms: timeoutMs }), timeoutMs);

    /** One line from the daemon; returns whether the exchange goes on. */
    const take = (line: string): boolean => {
      if (line.trim() === '') return true;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        finish({ type: 'bad-reply', line, why: 'it is not JSON' });
        return false;
      }
      const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      if (onEvent !== undefined && object !== undefined && 'event' in object && !('ok' in object)) {
        onEvent(line, object['event']);
        return true;
      }
      const reply = replyOf(object);
      if (reply === undefined) {
        finish({ type: 'bad-reply', line, why: 'it is not a reply of the control protocol ({"id","ok",…})' });
        return false;
      }
      finish({ type: 'reply', line, reply });
      return false;
    };

    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ id: 1, ...request })}\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      for (const line of lines.push(chunk)) if (!take(line)) return;
      if (lines.pending > MAX_REPLY_CHARS) finish({ type: 'bad-reply', line: '', why: `a line is longer than ${MAX_REPLY_CHARS} characters` });
    });
    socket.on('end', () => {
      const tail = lines.rest();
      if (tail !== '' && !take(tail)) return;
      finish(onEvent === undefined ? { type: 'closed' } : { type: 'ended' });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'EUNKNOWN';
      finish(connected ? { type: 'failed', code, message: err.message } : { type: 'unavailable', code, message: err.message });
    });
    socket.on('close', () => finish(onEvent === undefined ? { type: 'closed' } : { type: 'ended' }));
  });
}

/** A parsed line as a reply: `ok` true with a `result`, or false with an `error` object. */
function replyOf(object: Readonly<Record<string, unknown>> | undefined): Reply | undefined {
  if (object === undefined) return undefined;
  if (object['ok'] === true) return { ok: true, result: object['result'] ?? null };
  const error = object['error'];
  if (object['ok'] === false && typeof error === 'object' && error !== null && !Array.isArray(error)) return { ok: false, error: error as ReplyError };
  return undefined;
}
