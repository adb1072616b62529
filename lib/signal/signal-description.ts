import { constants } from 'node:os';

const BY_NUMBER = new Map<number, NodeJS.Signals>();
for (const [name, signo] of Object.entries(constants.signals)) {
  if (!BY_NUMBER.has(signo)) BY_NUMBER.set(signo, name as NodeJS.Signals);
}

/**
 * The name of signal number `signo` on this platform (`15` → `'SIGTERM'`),
 * or `'signal N'` when the platform has no such signal.
 *
 * @example
 * ```ts
 * import { signalDescription } from 'proc-daemon';
 *
 * console.log(signalDescription(15)); // SIGTERM
 * ```
 * @public
 */
export function signalDescription(signo: number): string {
  return BY_NUMBER.get(signo) ?? `signal ${signo}`;
}

/** The signal named `signo` on this platform, if any. @internal */
export function signalName(signo: number): NodeJS.Signals | undefined {
  return BY_NUMBER.get(signo);
}

/** The number of signal `name` on this platform, if any. @internal */
export function signalNumber(name: string): number | undefined {
  return (constants.signals as Record<string, number | undefined>)[name];
}
