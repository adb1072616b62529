/**
 * proc-daemon/profiling: CPU profiles, sampling heap profiles and heap
 * snapshots of a running daemon, written to files that Chrome DevTools and
 * speedscope open. The same profiles are taken by the control command
 * `profile`.
 *
 * @remarks
 * `node:inspector` is loaded on the first profile, never at import. One
 * profile of a kind runs at a time; a profile still running when the
 * daemon stops is written, not lost.
 *
 * @packageDocumentation
 */

export { type CpuProfileOptions, CpuProfiler, type HeapProfileOptions, HeapProfiler, RunningProfile, writeHeapSnapshot } from './profilers.js';
