import { runningProfiles } from './running.js';
import type { Session } from 'node:inspector';
import { resolve } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { disconnect, openSession, post } from './inspector.js';
import { defaultName, writeAtomically, writeFailed } from './profile-file.js';

/** A kind of profile: how it starts and stops through the inspector, and what its file is called. @internal */
export interface ProfileKind {
  /** The registry's key: one profile of a kind at a time. */
  readonly key: 'cpu' | 'heap';
  /** For messages: "CPU profile". */
  readonly what: string;
  /** The file name's prefix and extension when no path is given (Node's `--cpu-prof` style). */
  readonly prefix: string;
  readonly extension: string;
  /** The inspector calls that start it, in order. */
  begin(interval: number | undefined): ReadonlyArray<readonly [method: string, params?: object]>;
  /** The calls that stop it: the first resolves `{ profile }`, then the rest. */
  readonly end: readonly [stop: string, ...rest: string[]];
}

/** The profiles running in this process, by kind (see running.ts). */
const RUNNING = runningProfiles() as Map<ProfileKind['key'], ProfileRun>;

/** Checks a sampling interval: a positive integer, or none. @internal */
export function checkInterval(what: string, name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
    throw DaemonError.config(`${what}: ${name} is a positive integer, got ${String(value)}`, { code: ErrorCode.ConfigInvalidValue });
  }
}

/**
 * One profile, from `start` to its file: its own inspector session, and its
 * place in the registry (held until its file is written, or it is
 * discarded).
 * @internal
 */
export class ProfileRun {
  /** Errors of the calls that started it (seen by the stop that follows them: a session answers in order). */
  readonly #startErrors: unknown[] = [];
  #state: 'running' | 'finishing' | 'done' = 'running';
  #finishing: Promise<string> | undefined;
  /** Where it is being written, absolute. */
  #target: string | undefined;

  private constructor(
    readonly kind: ProfileKind,
    /** Where the file goes when no other path is given. */
    readonly path: string | undefined,
    private readonly session: Session,
  ) {}

  /** Starts a profile of `kind`: `invalid-state` (`ProfileInProgress`) when one of that kind is running or being written. */
  static start(kind: ProfileKind, path: string | undefined, interval: number | undefined): ProfileRun {
    const current = RUNNING.get(kind.key);
    if (current !== undefined) {
      throw DaemonError.invalidState(
        `a ${kind.what} is already ${current.#state === 'running' ? 'running' : 'being written'}: one at a time; stop it first`,
        { code: ErrorCode.ProfileInProgress },
      );
    }
    if (path !== undefined && (typeof path !== 'string' || path === '')) {
      throw DaemonError.config(`${kind.what}: path is a file path, got ${JSON.stringify(path)}`, { code: ErrorCode.ConfigInvalidValue });
    }
    const run = new ProfileRun(kind, path, openSession());
    for (const [method, params] of kind.begin(interval)) {
      run.session.post(method, params ?? {}, (err) => {
        if (err !== null) run.#startErrors.push(err);
      });
    }
    // The answers came at once (they do, for a session of this thread): a failure to start is the caller's now.
    if (run.#startErrors.length > 0) {
      disconnect(run.session);
      throw DaemonError.ioWithSource(`cannot start the ${kind.what}`, run.#startErrors[0], { code: ErrorCode.ProfileWrite });
    }
    RUNNING.set(kind.key, run);
    return run;
  }

  /** Whether it is still recording (not stopped, not being written). */
  get running(): boolean {
    return this.#state === 'running';
  }

  /**
   * Stops it and writes it to `path` (or the path it was started with);
   * resolves the absolute path written. Its place is free once this
   * settles, whether the file was written or not (a write that failed loses
   * the profile: `ProfileWrite`). Called again once it is being written,
   * with no path or the same one: the same promise.
   */
  stopToFile(path: string | undefined): Promise<string> {
    if (this.#finishing !== undefined && (path === undefined || resolve(path) === this.#target)) {
      // Already being written (or written) there: the same outcome.
      return this.#finishing;
    }
    if (this.#state !== 'running') {
      return Promise.reject(DaemonError.invalidState(`this ${this.kind.what} was already stopped: start a new one`));
    }
    const target = path ?? this.path;
    if (target === undefined || typeof target !== 'string' || target === '') {
      // Nothing is lost: the profile keeps running.
      return Promise.reject(
        DaemonError.io(`cannot write the ${this.kind.what}: no path was given, neither to stopToFile() nor to start(); it is still running`, {
          code: ErrorCode.ProfileWrite,
        }),
      );
    }
    return this.#finish(target);
  }

  /** Stops it without writing anything. */
  async stop(): Promise<void> {
    if (this.#state !== 'running') {
      await this.#finishing?.catch(() => undefined);
      return;
    }
    this.#state = 'done';
    disconnect(this.session); // a session that goes stops its profiler
    RUNNING.delete(this.kind.key);
  }

  /** Writes it to its path, or a new file in `dir`; or waits for the write under way. */
  settle(dir: string): Promise<string> {
    return this.#finishing ?? this.#finish(this.path ?? defaultName(dir, this.kind.prefix, this.kind.extension));
  }

  #finish(target: string): Promise<string> {
    this.#state = 'finishing';
    this.#target = resolve(target);
    this.#finishing = this.#take(target).then(
      (written) => this.#release(written),
      (err: unknown) => this.#release(undefined, err),
    );
    return this.#finishing;
  }

  async #take(target: string): Promise<string> {
    let profile: unknown;
    try {
      const [stop, ...rest] = this.kind.end;
      const stopped = post<{ profile: unknown }>(this.session, stop);
      const others = Promise.allSettled(rest.map((method) => post(this.session, method)));
      profile = (await stopped).profile;
      await others;
      if (this.#startErrors.length > 0) throw this.#startErrors[0];
    } catch (err) {
      throw writeFailed(this.kind.what, target, err);
    } finally {
      disconnect(this.session);
    }
    return writeAtomically(this.kind.what, target, () => JSON.stringify(profile));
  }

  #release(written: string | undefined, err?: unknown): string {
    this.#state = 'done';
    if (RUNNING.get(this.kind.key) === this) RUNNING.delete(this.kind.key);
    if (written === undefined) throw err;
    return written;
  }
}

/**
 * Stops every profile running in this process and writes each to the path
 * it was started with, or to a new file in `dir` (default: the working
 * directory) named as Node's `--cpu-prof` would; waits for writes already
 * under way too. Resolves one settled result per profile: the path
 * written, or the `DaemonError` of its failure. For a daemon's shutdown:
 * a profile under way is written, not lost.
 * @internal
 */
export function stopAllToFiles(dir: string = process.cwd()): Promise<Array<PromiseSettledResult<string>>> {
  return Promise.allSettled([...RUNNING.values()].map((run) => run.settle(dir)));
}
