import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ShutdownHandle } from '../runtime/shutdown-handle.js';
import type { TaskFn } from '../runtime/subsystem.js';

/**
 * One step of a {@link TaskScript}: plain data, one key each.
 *
 * @remarks
 * - `{ wait: ms }` waits `ms` on the daemon's scheduler (`shutdown.delay`,
 *   virtual time under `virtualDaemon`). A cancellation ends the run there,
 *   cleanly — unless an `ignoreCancel` step came before.
 * - `{ fail: message }`: the run fails with `new Error(message)`.
 * - `{ complete: true }`: the run ends cleanly (as running out of steps does).
 * - `{ hang: true }`: the run never ends by itself, cancelled or not — a
 *   straggler that the ladder force-aborts, then abandons at the force
 *   deadline (unless a `readyAfter` step declared it stopped).
 * - `{ ignoreCancel: true }`: from here on a cancellation (or a force-abort)
 *   cuts nothing short: the script runs on to its end.
 * - `{ readyAfter: ms }`: from here on, once the run is cancelled, it calls
 *   `shutdown.ready()` `ms` later: it counts as stopped then, whatever its
 *   script still does.
 *
 * Before each step, a run that was cancelled (and does not ignore it) ends
 * cleanly. Each run (each restart) plays the script from its first step.
 *
 * @example
 * ```ts
 * import type { TaskStep } from 'proc-daemon/testing';
 *
 * // A slow shutdown: it ignores the cancellation and needs 5 s more.
 * const steps: TaskStep[] = [{ ignoreCancel: true }, { wait: 60_000 }, { wait: 5000 }, { complete: true }];
 * ```
 * @public
 */
export type TaskStep =
  | { readonly wait: number }
  | { readonly fail: string }
  | { readonly complete: true }
  | { readonly hang: true }
  | { readonly ignoreCancel: true }
  | { readonly readyAfter: number };

/**
 * What a {@link scriptedTask} does: its {@link TaskStep}s, in order.
 * @example
 * ```ts
 * import type { TaskScript } from 'proc-daemon/testing';
 *
 * // Fails after 2 s of running.
 * const flaky: TaskScript = { steps: [{ wait: 2000 }, { fail: 'upstream went away' }] };
 * ```
 * @public
 */
export interface TaskScript {
  readonly steps: readonly TaskStep[];
}

/**
 * A task that follows `script` (see {@link TaskStep}): a failure pattern
 * written — or generated, see `arbitraries.taskScript()` — as plain data.
 * Throws a `DaemonError` (code `TaskScriptInvalid`) naming the step when
 * the script is malformed.
 *
 * @remarks
 * Its waits are `shutdown.delay(ms)`: on virtual time under
 * `virtualDaemon`, on real time in a real daemon.
 *
 * @example
 * ```ts
 * import { Daemon, RestartPolicy } from 'proc-daemon';
 * import { scriptedTask, virtualDaemon } from 'proc-daemon/testing';
 *
 * const flaky = scriptedTask({ steps: [{ wait: 1000 }, { fail: 'lost the connection' }] });
 * const vd = virtualDaemon(
 *   Daemon.new().withTask('flaky', flaky, {
 *     restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: 2 }),
 *   }),
 * );
 * const exit = await vd.runUntilStopped();
 * console.log(exit?.exitCode, vd.now()); // 1 3300 (three runs of 1 s, restarts after 100 and 200 ms)
 * ```
 * @public
 */
export function scriptedTask(script: TaskScript): TaskFn {
  const steps = checkScript(script, 'scriptedTask()');
  return (shutdown) => play(steps, shutdown);
}

async function play(steps: readonly TaskStep[], shutdown: ShutdownHandle): Promise<void> {
  let ignoring = false;
  for (const step of steps) {
    if (!ignoring && shutdown.isShutdown()) return;
    if ('wait' in step) {
      if (ignoring) {
        await shutdown.delay(step.wait);
        continue;
      }
      const cancelled = await shutdown.delay(step.wait, { signal: shutdown.signal }).then(
        () => false,
        () => true,
      );
      if (cancelled) return;
    } else if ('fail' in step) {
      throw new Error(step.fail);
    } else if ('complete' in step) {
      return;
    } else if ('hang' in step) {
      await new Promise<never>(() => {});
    } else if ('ignoreCancel' in step) {
      ignoring = true;
    } else {
      const ms = step.readyAfter;
      void shutdown.cancelled().then(async () => {
        if (ms > 0) await shutdown.delay(ms);
        shutdown.ready();
      });
    }
  }
}

const KEYS = ['wait', 'fail', 'complete', 'hang', 'ignoreCancel', 'readyAfter'] as const;

/** A checked, frozen copy of `script`'s steps; throws `TaskScriptInvalid` naming the bad step. @internal */
export function checkScript(script: unknown, where: string): readonly TaskStep[] {
  const bad = (what: string): DaemonError =>
    DaemonError.invalidState(`${where}: ${what}`, { code: ErrorCode.TaskScriptInvalid });
  const steps = (script as { steps?: unknown } | null | undefined)?.steps;
  if (typeof script !== 'object' || script === null || !Array.isArray(steps)) {
    throw bad('expected a script { steps: [...] }, such as { steps: [{ wait: 100 }, { fail: "boom" }] }');
  }
  return Object.freeze(
    steps.map((step: unknown, i) => {
      const keys = typeof step === 'object' && step !== null ? Object.keys(step) : [];
      const key = keys[0] as (typeof KEYS)[number] | undefined;
      const shown = `steps[${i}] ${safeJson(step)}`;
      if (keys.length !== 1 || key === undefined || !KEYS.includes(key)) {
        throw bad(`${shown}: a step has exactly one of the keys ${KEYS.join(', ')}`);
      }
      const value = (step as Record<string, unknown>)[key];
      if (key === 'wait' || key === 'readyAfter') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw bad(`${shown}: ${key} must be an integer number of ms >= 0`);
      } else if (key === 'fail') {
        if (typeof value !== 'string') throw bad(`${shown}: fail must be the message of the error (a string)`);
      } else if (value !== true) {
        throw bad(`${shown}: ${key} must be true`);
      }
      return Object.freeze({ [key]: value }) as TaskStep;
    }),
  );
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
