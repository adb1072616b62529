import type { Logger } from 'pino';
import { BehaviorSubject, type Observable, type SchedulerLike, Subject, scan } from 'rxjs';
import {
  type Ladder,
  type LadderInput,
  type LadderTimeouts,
  gracefulDeadline,
  initialLadder,
  killDeadline,
  nextPhaseDeadline,
  stepLadder,
} from '../kernel/ladder.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';
import { Clock } from '../clock/clock.js';
import type { ShutdownStats } from './coordinator-types.js';
import { HandleCore, type HandleHooks } from './handle-core.js';
import { type LadderSource, type LadderView, reached } from './ladder-source.js';
import { serialize } from './serialize.js';
import { ShutdownHandle } from './shutdown-handle.js';
import { silentLogger } from './silent-logger.js';

type Input = LadderInput | { readonly type: 'kill-deadline' } | { readonly type: 'reason'; readonly reason: ShutdownReason };

interface State {
  readonly ladder: Ladder;
  readonly view: LadderView;
  readonly entered: readonly ShutdownPhase[];
}

/**
 * The ladder of a standalone {@link ShutdownCoordinator}: the kernel's pure
 * `stepLadder` run as a `scan` over its inputs (the request, the deadlines,
 * every handle done, new timeouts), with the handles it creates cancelled
 * and force-aborted as the phases are entered. It stops as soon as every
 * handle is done (`ready()`).
 * @internal
 */
export class StandaloneLadder implements LadderSource, HandleHooks {
  readonly #clock: Clock;
  readonly #inputs = new Subject<Input>();
  readonly #view$: BehaviorSubject<LadderView>;
  readonly #live = new Set<HandleCore>();
  #state: State;
  #total = 0;
  #done = 0;
  #forced = 0;
  #stoppedAt: number | undefined;
  #cancelPhaseTimer: (() => void) | undefined;
  #cancelKillTimer: (() => void) | undefined;
  #killAt: number | undefined;

  constructor(
    timeouts: LadderTimeouts,
    scheduler: SchedulerLike | undefined,
    private readonly logger: Logger = silentLogger(),
  ) {
    this.#clock = new Clock(scheduler);
    const ladder = initialLadder(timeouts);
    this.#state = { ladder, view: viewOf(ladder, undefined, 0), entered: [] };
    this.#view$ = new BehaviorSubject(this.#state.view);
    this.#inputs.pipe(serialize(), scan((s: State, input: Input) => this.#step(s, input), this.#state)).subscribe((s) => this.#apply(s));
  }

  get view$(): Observable<LadderView> {
    return this.#view$;
  }

  current(): LadderView {
    return this.#state.view;
  }

  initiate(reason: ShutdownReason): boolean {
    if (this.#state.view.reason !== undefined) return false;
    this.#total = this.#live.size;
    this.#done = 0;
    this.#inputs.next({ type: 'reason', reason });
    this.#inputs.next({ type: 'initiate', at: this.#clock.now() });
    this.#completeIfDone();
    return true;
  }

  retime(timeouts: LadderTimeouts): void {
    this.#inputs.next({ type: 'retime', timeouts });
    const { reason } = this.#state.view;
    if (reason === undefined) return;
    const deadline = gracefulDeadline(this.#state.ladder) as number;
    for (const h of this.#live) if (h.reason === reason) h.retime(deadline);
    this.#inputs.next({ type: 'tick', at: this.#clock.now() });
  }

  createHandle(name: string): ShutdownHandle {
    const core = new HandleCore(name, this);
    this.#live.add(core);
    this.#total++;
    const { phase, reason } = this.#state.view;
    if (reason !== undefined && phase !== 'draining') {
      core.cancel(reason, this.#clock.now(), gracefulDeadline(this.#state.ladder) as number);
      if (phase !== 'graceful' && core.force()) this.#forced++;
    }
    return new ShutdownHandle(core);
  }

  stats(): ShutdownStats {
    const { phase, reason } = this.#state.view;
    const initiatedAt = this.#state.ladder.origin;
    return {
      initiatedAt,
      reason,
      phase,
      totalHandles: reason === undefined ? this.#live.size : this.#total,
      readyHandles: reason === undefined ? 0 : this.#done,
      forcedHandles: this.#forced,
      durationMs: this.#stoppedAt !== undefined && initiatedAt !== undefined ? this.#stoppedAt - initiatedAt : undefined,
    };
  }

  // HandleHooks of the handles it creates.

  requestShutdown(reason: ShutdownReason): boolean {
    return this.initiate(reason);
  }

  now(): number {
    return this.#clock.now();
  }

  after(ms: number, fn: () => void): () => void {
    return this.#clock.after(ms, fn);
  }

  childLogger(name: string): Logger {
    return this.logger.child({ subsystem: name });
  }

  onReady(core: HandleCore): void {
    if (!this.#live.delete(core)) return;
    this.#done++;
    this.#completeIfDone();
  }

  #completeIfDone(): void {
    if (this.#state.view.reason !== undefined && this.#live.size === 0) this.#inputs.next({ type: 'complete' });
  }

  #step(s: State, input: Input): State {
    if (input.type === 'reason') return { ...s, view: { ...s.view, reason: input.reason }, entered: [] };
    if (input.type === 'kill-deadline') {
      const stoppedClean = s.ladder.phase === 'stopped';
      return { ...s, view: { ...s.view, killPassed: !stoppedClean }, entered: [] };
    }
    const step = stepLadder(s.ladder, input);
    const from = s.ladder.phase;
    const to = step.ladder.phase;
    const v = s.view;
    const view: LadderView = {
      ...v,
      phase: to,
      timeouts: step.ladder.timeouts,
      forceReached: v.forceReached || reached('force', from, to),
      killReached: v.killReached || reached('kill', from, to),
      pending: this.#live.size,
    };
    return { ladder: step.ladder, view, entered: step.entered };
  }

  #apply(s: State): void {
    this.#state = s;
    const at = this.#clock.now();
    for (const phase of s.entered) {
      if (phase === 'graceful') {
        const deadline = gracefulDeadline(s.ladder) as number;
        for (const h of [...this.#live]) h.cancel(s.view.reason as ShutdownReason, at, deadline);
      } else if (phase === 'force') {
        for (const h of [...this.#live]) if (h.force()) this.#forced++;
      } else if (phase === 'stopped') {
        this.#stoppedAt = at;
      }
    }
    this.#arm(s.ladder);
    if (s.entered.length > 0) {
      // Each phase entered is seen on view$, in order.
      for (const phase of s.entered) this.#view$.next({ ...s.view, phase });
    } else if (s.view !== this.#view$.value) {
      this.#view$.next(s.view);
    }
  }

  /** One timer for the next phase change, one (unref'd) for the kill deadline. */
  #arm(ladder: Ladder): void {
    this.#cancelPhaseTimer?.();
    this.#cancelPhaseTimer = undefined;
    if (ladder.phase === 'stopped') {
      this.#cancelKillTimer?.();
      this.#cancelKillTimer = undefined;
      return;
    }
    const due = nextPhaseDeadline(ladder);
    if (due !== undefined) {
      this.#cancelPhaseTimer = this.#clock.after(due - this.#clock.now(), () => {
        this.#cancelPhaseTimer = undefined;
        this.#inputs.next({ type: 'tick', at: Math.max(due, this.#clock.now()) });
      });
    }
    const kill = killDeadline(ladder);
    if (kill !== undefined && kill !== this.#killAt) {
      this.#cancelKillTimer?.();
      this.#killAt = kill;
      this.#cancelKillTimer = this.#clock.after(kill - this.#clock.now(), () => this.#inputs.next({ type: 'kill-deadline' }), true);
    }
  }
}

function viewOf(ladder: Ladder, reason: ShutdownReason | undefined, pending: number): LadderView {
  return { phase: ladder.phase, reason, timeouts: ladder.timeouts, forceReached: false, killReached: false, killPassed: false, pending };
}
