/**
 * proc-daemon/scheduler: best-effort scheduler hints, each reported as
 * applied or not, and why.
 *
 * @remarks
 * `applyProcessHints(config)` maps a configuration's `performance` section
 * (and a process priority) to what Node can do; `applyRuntimeHints()`
 * checks the process's CPU affinity. Both return a `HintReport` and never
 * throw for a refused hint.
 *
 * @packageDocumentation
 */

/* Hints */
export { applyProcessHints, type ProcessHintOptions } from './process-hints.js';
export { applyRuntimeHints, type RuntimeHintOptions } from './runtime-hints.js';

/* Reports */
export type { HintName, HintOutcome, HintReport, HintStatus } from './hint-outcome.js';
export type { HintOs } from './hint-os.js';
