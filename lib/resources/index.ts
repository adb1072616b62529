/**
 * proc-daemon/resources: the process's memory, CPU and threads, sampled on
 * the daemon's scheduler, with soft and hard memory limits that raise
 * alerts on crossing.
 *
 * @remarks
 * A {@link ResourceTracker} reads the process synchronously
 * (`currentUsage()`) or every interval while someone subscribes
 * (`usage$`); `alerts$` reports each crossing of a memory limit, and a hard
 * one can shut the daemon down with reason `resource-exhausted`.
 *
 * @packageDocumentation
 */

/* Tracker */
export { ResourceTracker, type ResourceTrackerOptions } from './resource-tracker.js';
export { ResourceUsage, type ResourceUsageData } from './resource-usage.js';

/* Limits and alerts */
export type { MemoryLimits } from './memory-limits.js';
export { type ResourceAlert, hardLimitError } from './resource-alert.js';

/* Testing */
export type { ProcessProbe } from './process-probe.js';
