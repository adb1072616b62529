import { type HintOutcome, outcome } from './hint-outcome.js';

/** libuv's bounds of its threadpool size. */
const MAX_THREADPOOL = 1024;
const DEFAULT_THREADPOOL = 4;
/** C's `long` on 64-bit Linux and macOS: where `strtol` (so glibc's `atoi`) stops. */
const LONG_MAX = 2n ** 63n - 1n;

/**
 * The threadpool size libuv takes from `UV_THREADPOOL_SIZE`, read as libuv
 * reads it: C's `atoi` (leading white space, a sign, then digits up to the
 * first other character; 0 when there are none; past the range of a
 * `long`, its bound), kept to 32 bits as an unsigned number, then 0 gives 1
 * thread and more than 1024 gives 1024. Unset: libuv's default of 4. So
 * `'0x8'` and `''` give 1 thread, `'8abc'` gives 8, `'-1'` gives 1024.
 * @internal
 */
export function libuvThreadpoolSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_THREADPOOL;
  const [, sign = '', digits = ''] = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(raw) ?? [];
  let n = BigInt(digits === '' ? '0' : digits);
  if (n > LONG_MAX) n = sign === '-' ? LONG_MAX + 1n : LONG_MAX;
  else if (sign === '-') n = -n;
  const threads = Number(BigInt.asUintN(32, n));
  return threads === 0 ? 1 : Math.min(threads, MAX_THREADPOOL);
}

const threads = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;

/** The `threadpool-size` hint: `workerThreads` against what libuv runs (see `applyProcessHints`). @internal */
export function threadpoolHint(workerThreads: number, env: Readonly<Record<string, string | undefined>>): HintOutcome {
  const raw = env['UV_THREADPOOL_SIZE'];
  const running = libuvThreadpoolSize(raw);
  const source =
    raw === undefined
      ? `libuv's default of ${threads(running)}`
      : raw === String(running)
        ? `the ${raw} of UV_THREADPOOL_SIZE in the environment`
        : `${threads(running)}, which UV_THREADPOOL_SIZE=${JSON.stringify(raw)} in the environment gives (libuv reads it as C's atoi does, from 1 to ${MAX_THREADPOOL})`;
  if (workerThreads <= 0) {
    return outcome('threadpool-size', 'not-requested', `workerThreads is 0 (auto): the threadpool has ${source}`);
  }
  const wanted = Math.min(workerThreads, MAX_THREADPOOL);
  const capped = wanted < workerThreads ? ` (libuv's maximum; ${workerThreads} asked)` : '';
  if (running === wanted) {
    return outcome('threadpool-size', 'in-effect', `libuv runs ${threads(wanted)}${capped} in its threadpool: ${source}`);
  }
  return outcome(
    'threadpool-size',
    'too-late',
    `libuv sizes its threadpool once, when it starts, and Node starts it before the first module runs: it has ${source}; ` +
      `start the process with UV_THREADPOOL_SIZE=${wanted}${capped} in its environment (systemd Environment=, the container's env)`,
  );
}
