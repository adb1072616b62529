/*
 * fast-check arbitraries of daemons. fast-check is an optional peer dependency of
 * proc-daemon/testing: it is loaded here, synchronously, on the first call of an
 * arbitrary — never on import — so that everything else of the module works without it.
 */
import { createRequire } from 'node:module';
import type { Arbitrary } from 'fast-check';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ShutdownConfig } from '../kernel/config-types.js';
import { RestartPolicy } from '../kernel/restart-policy.js';
import type { FailurePolicy } from '../kernel/subsystem-metadata.js';
import type { DaemonSpec, TaskSpec } from './daemon-spec.js';
import type { TaskScript, TaskStep } from './scripted-task.js';

type FastCheck = typeof import('fast-check');

let loaded: FastCheck | undefined;

/** fast-check, loaded on first use; a `DaemonError` (`FastCheckMissing`) saying what to install when it is not there. */
function fastCheck(): FastCheck {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('fast-check') as FastCheck;
  } catch (cause) {
    throw DaemonError.invalidState(
      'arbitraries need fast-check, an optional peer dependency of proc-daemon/testing that is not installed: ' +
        'npm install --save-dev fast-check (the rest of proc-daemon/testing works without it)',
      { code: ErrorCode.FastCheckMissing, cause },
    );
  }
  return loaded;
}

/**
 * Constraints of `arbitraries.daemonSpec()`.
 * @example
 * ```ts
 * import { type DaemonSpecConstraints, arbitraries } from 'proc-daemon/testing';
 *
 * const constraints: DaemonSpecConstraints = { minTasks: 1, maxTasks: 3 };
 * const specs = arbitraries.daemonSpec(constraints);
 * ```
 * @public
 */
export interface DaemonSpecConstraints {
  /** Fewest tasks (default 0). */
  readonly minTasks?: number;
  /** Most tasks (default 5). */
  readonly maxTasks?: number;
}

const MESSAGES = ['boom', 'lost the connection', 'bad input'];

function taskScript(): Arbitrary<TaskScript> {
  const fc = fastCheck();
  const middle: Arbitrary<TaskStep> = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 2000 }).map((wait): TaskStep => ({ wait })) },
    { weight: 1, arbitrary: fc.constant<TaskStep>({ ignoreCancel: true }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2000 }).map((readyAfter): TaskStep => ({ readyAfter })) },
  );
  const last: Arbitrary<readonly TaskStep[]> = fc.oneof(
    fc.constant([]),
    fc.constant([{ complete: true }] as const),
    fc.constantFrom(...MESSAGES).map((fail) => [{ fail }]),
    fc.constant([{ hang: true }] as const),
  );
  return fc.tuple(fc.array(middle, { maxLength: 4 }), last).map(([steps, end]) => ({ steps: [...steps, ...end] }));
}

function restartPolicy(): Arbitrary<RestartPolicy> {
  const fc = fastCheck();
  const backoff = fc
    .record({
      initialDelay: fc.integer({ min: 1, max: 1000 }),
      factor: fc.integer({ min: 1, max: 10 }),
      maxAttempts: fc.integer({ min: 0, max: 5 }),
      jitter: fc.integer({ min: 0, max: 4 }),
      resetAfter: fc.integer({ min: 100, max: 60_000 }),
    })
    .map(({ initialDelay, factor, maxAttempts, jitter, resetAfter }) =>
      RestartPolicy.exponentialBackoff({ initialDelay, maxDelay: initialDelay * factor, maxAttempts, jitter: jitter / 4, resetAfter }),
    );
  return fc.oneof(fc.constant(RestartPolicy.Never), fc.constant(RestartPolicy.Always), fc.constant(RestartPolicy.OnFailure), backoff);
}

function shutdownTimeouts(): Arbitrary<ShutdownConfig> {
  const fc = fastCheck();
  return fc
    .record({
      graceful: fc.integer({ min: 1, max: 5000 }),
      forceGap: fc.integer({ min: 1, max: 5000 }),
      killGap: fc.integer({ min: 1, max: 5000 }),
      drain: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4999 }) }),
    })
    .map(({ graceful, forceGap, killGap, drain }) => ({
      graceful,
      force: graceful + forceGap,
      kill: graceful + forceGap + killGap,
      drain: drain < graceful ? drain : 0,
    }));
}

/** Policies that restart at once: a run of theirs that ends at once would restart forever at one instant. */
function restartsAtOnce(policy: RestartPolicy): boolean {
  return policy.kind === 'always' || policy.kind === 'on-failure';
}

function daemonSpec(constraints: DaemonSpecConstraints = {}): Arbitrary<DaemonSpec> {
  const fc = fastCheck();
  const task = fc.record({
    script: taskScript(),
    restartPolicy: restartPolicy(),
    onFailure: fc.constantFrom<FailurePolicy>('shutdown', 'isolate'),
    warmUp: fc.integer({ min: 100, max: 1000 }),
  });
  const tasks = fc.array(task, { minLength: constraints.minTasks ?? 0, maxLength: constraints.maxTasks ?? 5 });
  return fc.record({ tasks, shutdown: shutdownTimeouts() }).map(({ tasks: list, shutdown }) => ({
    tasks: list.map(({ script, restartPolicy: policy, onFailure, warmUp }, i): TaskSpec => ({
      name: `task-${i}`,
      // Every run of a task that restarts at once takes virtual time, so that time moves.
      script: restartsAtOnce(policy) ? { steps: [{ wait: warmUp }, ...script.steps] } : script,
      restartPolicy: policy,
      onFailure,
    })),
    config: { name: 'virtual', shutdown },
  }));
}

/**
 * fast-check arbitraries of daemons and of their parts, as plain data that
 * fast-check shrinks and prints. fast-check is an optional peer dependency:
 * it is loaded on the first call (a `DaemonError`, code `FastCheckMissing`,
 * when it is not installed); nothing else of `proc-daemon/testing` needs it.
 *
 * @remarks
 * - `taskScript()`: a {@link TaskScript} of up to four steps among `wait`
 *   (0–2000 ms), `ignoreCancel` and `readyAfter` (0–2000 ms), then possibly
 *   `complete`, `fail` or `hang`.
 * - `restartPolicy()`: `Never`, `Always`, `OnFailure`, or an exponential
 *   backoff (initial delay 1–1000 ms, up to 5 attempts, jitter 0–1).
 * - `shutdownTimeouts()`: `{ graceful, force, kill, drain }` with
 *   `drain < graceful < force < kill` (steps of 1–5000 ms; drain mostly 0).
 * - `daemonSpec(constraints?)`: a {@link DaemonSpec} of 0–5 tasks named
 *   `task-0`, `task-1`… (each a script, a restart policy, an `onFailure`),
 *   `config: { name: 'virtual', shutdown }`. A task that restarts at once
 *   (`Always`, `OnFailure`) first waits 100–1000 ms, so that its restarts
 *   let virtual time move.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { arbitraries, builderFromSpec, checkHistory, virtualDaemon } from 'proc-daemon/testing';
 *
 * await fc.assert(
 *   fc.asyncProperty(arbitraries.daemonSpec(), fc.integer({ min: 0, max: 5000 }), async (spec, at) => {
 *     const vd = virtualDaemon(builderFromSpec(spec)).start();
 *     await vd.advance(at);
 *     if (vd.exit === undefined) vd.signal('SIGTERM');
 *     await vd.runUntilStopped();
 *     return checkHistory(vd.events).length === 0;
 *   }),
 *   { numRuns: 50 },
 * );
 * ```
 * @public
 */
export const arbitraries = Object.freeze({
  /** A {@link TaskScript}. */
  taskScript,
  /** A restart policy, as plain data. */
  restartPolicy,
  /** Shutdown deadlines `{ graceful, force, kill, drain }`, in order. */
  shutdownTimeouts,
  /** A {@link DaemonSpec}: scripted tasks and a config. */
  daemonSpec,
});
