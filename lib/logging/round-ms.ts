/**
 * A duration for a log line: ms rounded to 0.1 ms (`402.676645` → `402.7`),
 * so every `…Ms` field reads the same way on every line. A value that is not
 * a finite number is returned as it is.
 * @internal
 */
export function roundMs(ms: number): number {
  return Number.isFinite(ms) ? Math.round(ms * 10) / 10 : ms;
}
