import type { Logger } from 'pino';
import { type Observable, concatMap, defer, distinctUntilChanged } from 'rxjs';
import { type LadderTimeouts, wentThrough } from '../kernel/ladder.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { phasesOf } from '../kernel/snapshot.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import type { ShutdownStats } from './coordinator-types.js';
import type { DaemonCore } from './daemon-core.js';
import { HandleCore, type HandleHooks } from './handle-core.js';
import type { LadderSource, LadderView } from './ladder-source.js';
import { ShutdownHandle } from './shutdown-handle.js';

/**
 * A daemon's ladder, as its `coordinator` sees it: a view of the kernel's
 * state. Handles made by `createHandle` follow the daemon's phases
 * (cancelled at `graceful`, force-aborted at `force`) but do not hold its
 * shutdown up: the daemon stops when its subsystems have.
 * @internal
 */
export class KernelLadder implements LadderSource, HandleHooks {
  readonly view$: Observable<LadderView>;
  #handles: Set<HandleCore> | undefined;

  constructor(
    private readonly core: DaemonCore,
    private readonly logger: Logger,
  ) {
    // One view per phase entered (a fact may enter several), the first the current one.
    this.view$ = defer(() =>
      core.state$.pipe(
        concatMap((state, i) => {
          const view = viewOf(state);
          return i === 0 ? [view] : phasesOf(state).map((phase) => (phase === view.phase ? view : { ...view, phase }));
        }),
      ),
    ).pipe(distinctUntilChanged((a, b) => a.phase === b.phase && a.reason === b.reason && a.killPassed === b.killPassed));
    // Loose handles follow the phases as the kernel enters them.
    core.events$.subscribe((e) => {
      if (e.type === 'phase') this.#follow(e.phase);
    });
  }

  current(): LadderView {
    return viewOf(this.core.state);
  }

  initiate(reason: ShutdownReason): boolean {
    return this.core.requestShutdown(reason);
  }

  retime(timeouts: LadderTimeouts): void {
    this.core.dispatch({ type: 'retime', timeouts, ...this.core.stamp() });
  }

  createHandle(name: string): ShutdownHandle {
    const core = new HandleCore(name, this);
    const state = this.core.state;
    if (state.reason !== undefined && state.phase !== 'draining') {
      core.cancel(state.reason, this.core.clock.now(), (state.initiatedAt ?? 0) + state.ladder.timeouts.graceful);
      if (state.phase !== 'graceful') core.force();
    } else {
      (this.#handles ??= new Set()).add(core);
    }
    return new ShutdownHandle(core);
  }

  stats(): ShutdownStats {
    const s = this.core.state;
    const live = s.counts.starting + s.counts.running + s.counts.stopping;
    return {
      initiatedAt: s.initiatedAt,
      reason: s.reason,
      phase: s.phase,
      totalHandles: s.reason === undefined ? live : s.shutdownRuns,
      readyHandles: s.reason === undefined ? 0 : Math.max(0, s.shutdownRuns - live),
      forcedHandles: s.forcedRuns,
      durationMs: s.stoppedAt !== undefined && s.initiatedAt !== undefined ? s.stoppedAt - s.initiatedAt : undefined,
    };
  }

  // HandleHooks of loose handles.

  requestShutdown(reason: ShutdownReason): boolean {
    return this.initiate(reason);
  }

  now(): number {
    return this.core.clock.now();
  }

  after(ms: number, fn: () => void): () => void {
    return this.core.clock.after(ms, fn);
  }

  childLogger(name: string): Logger {
    return this.logger.child({ subsystem: name });
  }

  onReady(core: HandleCore): void {
    this.#handles?.delete(core);
  }

  #follow(phase: string): void {
    const handles = this.#handles;
    if (handles === undefined) return;
    const state = this.core.state;
    if (phase === 'graceful') {
      const deadline = (state.initiatedAt ?? 0) + state.ladder.timeouts.graceful;
      for (const h of handles) h.cancel(state.reason as ShutdownReason, this.core.clock.now(), deadline);
    } else if (phase === 'force') {
      for (const h of handles) h.force();
    } else if (phase === 'stopped') {
      this.#handles = undefined;
    }
  }
}

function viewOf(state: KernelState): LadderView {
  const { ladder, counts } = state;
  return {
    phase: ladder.phase,
    reason: state.reason,
    timeouts: ladder.timeouts,
    forceReached: wentThrough(ladder, 'force'),
    killReached: wentThrough(ladder, 'kill'),
    killPassed: ladder.killPassed === true,
    pending: counts.starting + counts.running + counts.stopping,
  };
}
