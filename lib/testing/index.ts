/**
 * proc-daemon/testing: test your own daemon on virtual time, with no manual
 * pumping.
 *
 * @remarks
 * `virtualDaemon(builder)` runs a whole daemon — its subsystems, restarts,
 * health checks, signals and shutdown ladder — on a {@link VirtualClock},
 * with a fake process and a seeded random source; `advance(ms)` moves time
 * and lets Promise continuations run in between, so tasks written the
 * natural way (`await shutdown.cancelled()`, `await shutdown.delay(ms)`)
 * resume at the virtual instants they should. `scriptedTask`,
 * `builderFromSpec` and `arbitraries` (fast-check, an optional peer
 * dependency loaded on first use) generate daemons and their failure
 * patterns as plain data; `checkHistory` checks what happened against the
 * lifecycle's rules.
 *
 * @packageDocumentation
 */

/* Virtual daemons */
export { VirtualDaemon, type RunUntilStoppedOptions, type VirtualDaemonOptions, virtualDaemon } from './virtual-daemon.js';
export { VirtualClock, type VirtualClockOptions } from './virtual-clock.js';

/* Scripted tasks and specs */
export { type TaskScript, type TaskStep, scriptedTask } from './scripted-task.js';
export { type DaemonSpec, type TaskSpec, builderFromSpec } from './daemon-spec.js';

/* Properties */
export { type DaemonSpecConstraints, arbitraries } from './arbitraries.js';
export { checkHistory } from './check-history.js';
