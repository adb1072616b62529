/** The largest PID any platform hands out (Linux: 2^22; others less). @internal */
export const MAX_PID = 0x7fffffff;

/** A PID file longer than this (in bytes) is not a PID: it is garbage, and only this much of it is read. @internal */
export const MAX_PID_TEXT = 64;

/**
 * Whether a process with `pid` is alive. `process.kill(pid, 0)` sends no
 * signal, it only checks (on Windows too): ESRCH means no such process;
 * EPERM means one exists that we may not signal, so it is alive.
 * @internal
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The PID written in `text`: one positive decimal integer no larger than
 * {@link MAX_PID}, whitespace around it allowed; `undefined` for anything
 * else (empty, text, `0`, `-5`, `12.5`, `99999999999`).
 * @internal
 */
export function parsePid(text: string): number | undefined {
  const match = /^\s*(\d{1,10})\s*$/.exec(text);
  if (match === null) return undefined;
  const pid = Number(match[1]);
  return pid > 0 && pid <= MAX_PID ? pid : undefined;
}
