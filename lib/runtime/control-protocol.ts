import { StringDecoder } from 'node:string_decoder';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

// The control protocol's wire format: JSON lines. A request is one line, `{ "id", "cmd", … }`; a
// reply is `{ "id", "ok": true, "result" }` or `{ "id", "ok": false, "error": { code, kind, message } }`.

/** The longest request line accepted (64 KiB, in bytes of UTF-8, the newline excluded). @internal */
export const MAX_LINE_BYTES = 64 * 1024;

/** A request's id as it came (a string or a number); `null` when it had none or could not be read. @internal */
export type RequestId = string | number | null;

/** One parsed request. @internal */
export interface ControlRequest {
  readonly id: RequestId;
  readonly cmd: string;
  /** The whole request object (its arguments sit beside `cmd`). */
  readonly args: Readonly<Record<string, unknown>>;
}

/**
 * Splits a byte stream into lines: UTF-8 split across chunks is joined, a
 * line over {@link MAX_LINE_BYTES} is reported once (as `null`) and skipped
 * up to its newline, without holding more than the limit in memory.
 * @internal
 */
export class LineReader {
  readonly #decoder = new StringDecoder('utf8');
  #buffer = '';
  /** Inside a line that was too long: dropped up to its newline. */
  #skipping = false;

  /** The complete lines in `chunk` (with what came before); `null` stands for a line that was too long. */
  push(chunk: Buffer | string): Array<string | null> {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const out: Array<string | null> = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.#skipping) {
        this.#skipping = false;
        this.#buffer = '';
        continue;
      }
      const line = this.#buffer + piece;
      this.#buffer = '';
      out.push(tooLong(line) ? null : line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (!this.#skipping) {
      this.#buffer += text.slice(start);
      if (tooLong(this.#buffer)) {
        // Reported now (not at its far-away newline), then dropped as it comes.
        this.#buffer = '';
        this.#skipping = true;
        out.push(null);
      }
    }
    return out;
  }
}

function tooLong(text: string): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8: only measure exactly near the limit.
  return text.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(text, 'utf8') > MAX_LINE_BYTES;
}

/** A line as a request, or the error reply it deserves. @internal */
export function parseRequest(line: string): ControlRequest | { readonly id: RequestId; readonly error: DaemonError } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { id: null, error: bad(`a request is one line of JSON: ${(err as Error).message}`, ErrorCode.ControlInvalidRequest) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { id: null, error: bad(`a request is a JSON object such as {"id":1,"cmd":"status"}, got ${kindOf(value)}`, ErrorCode.ControlInvalidRequest) };
  }
  const request = value as Record<string, unknown>;
  const rawId = request['id'];
  const id: RequestId = typeof rawId === 'string' || (typeof rawId === 'number' && Number.isFinite(rawId)) ? rawId : null;
  if (rawId !== undefined && rawId !== null && id === null) {
    return { id: null, error: bad(`"id" must be a string or a number, got ${kindOf(rawId)}`, ErrorCode.ControlInvalidRequest) };
  }
  const cmd = request['cmd'];
  if (typeof cmd !== 'string' || cmd === '') {
    return { id, error: bad(`"cmd" must name a command (a string; "help" lists them), got ${kindOf(cmd)}`, ErrorCode.ControlInvalidRequest) };
  }
  return { id, cmd, args: request };
}

/** A `DaemonError` of the Runtime range for bad control input. @internal */
export function bad(message: string, code: ErrorCode = ErrorCode.ControlBadArgument): DaemonError {
  return DaemonError.runtime(message, { code });
}

/** The line of a successful reply. @internal */
export function okLine(id: RequestId, result: unknown): string {
  return `${JSON.stringify({ id, ok: true, result: result ?? null })}\n`;
}

/** The line of an error reply: the error's code, kind and message, nothing else (no cause, no stack). @internal */
export function errorLine(id: RequestId, error: unknown): string {
  const e =
    error instanceof DaemonError
      ? error
      : DaemonError.runtime(`the command failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return `${JSON.stringify({ id, ok: false, error: { code: e.code, kind: e.kind, message: String(e.message) } })}\n`;
}

/** What a JSON value is, in words, for a message. @internal */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string "${value.slice(0, 40)}…"` : `"${value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
