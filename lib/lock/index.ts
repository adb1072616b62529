/**
 * proc-daemon/lock: one instance at a time. An {@link InstanceLock} is a
 * PID file created exclusively, taken over race-free when the process that
 * wrote it is dead, and removed at release only if it is still ours.
 *
 * @remarks
 * `InstanceLock.acquire(path)` holds the lock or throws a `DaemonError`
 * naming the live holder; `InstanceLock.read(path)` reports the holder
 * without taking it. A daemon with `Config.pidFile` set holds one for its
 * whole run.
 *
 * @packageDocumentation
 */

export { InstanceLock, type LockHolder } from './instance-lock.js';
