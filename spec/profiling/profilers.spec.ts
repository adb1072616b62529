import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { stopAllToFiles } from '../../lib/profiling/profile-run.js';
import { CpuProfiler, HeapProfiler, writeHeapSnapshot } from '../../lib/profiling/profilers.js';

const root = mkdtempSync(join(tmpdir(), 'pd-prof-'));
const trash = join(root, 'trash');
mkdirSync(trash);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dir: string;
let n = 0;
beforeEach(() => {
  dir = join(root, `t${++n}`);
  mkdirSync(dir);
});
// Whatever a test left running is stopped (and written out of the way).
afterEach(async () => {
  await stopAllToFiles(trash);
});

/** Keeps the CPU busy for `ms` (so that the profile has samples): not a measure of anything. */
function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i * x + 1);
  return x;
}

/** Allocates objects that stay reachable until `release()`. */
const kept: unknown[] = [];
function allocate(count: number): void {
  for (let i = 0; i < count; i++) kept.push({ i, text: `item ${i}`, list: [i, i + 1] });
}

async function rejection(promise: Promise<unknown>): Promise<DaemonError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DaemonError);
  return err as DaemonError;
}

function thrown(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DaemonError);
    return err as DaemonError;
  }
  throw new Error('did not throw');
}

function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

describe('CpuProfiler', () => {
  it('writes a .cpuprofile that DevTools opens: nodes, samples, start and end times', async () => {
    const profile = CpuProfiler.start();
    expect(profile.running).toBe(true);
    burn(50);
    const file = join(dir, 'a.cpuprofile');
    expect(await profile.stopToFile(file)).toBe(file);
    expect(profile.running).toBe(false);
    const data = json(file);
    expect(Array.isArray(data['nodes'])).toBe(true);
    expect((data['nodes'] as unknown[]).length).toBeGreaterThan(0);
    expect(Array.isArray(data['samples'])).toBe(true);
    expect(Array.isArray(data['timeDeltas'])).toBe(true);
    expect(typeof data['startTime']).toBe('number');
    expect(data['endTime'] as number).toBeGreaterThan(data['startTime'] as number);
    const node = (data['nodes'] as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    expect(node).toHaveProperty('callFrame');
    expect(node).toHaveProperty('id');
    // Written whole, private, and nothing else beside it.
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(readdirSync(dir)).toEqual(['a.cpuprofile']);
  });

  it('runs one at a time: a second start is ProfileInProgress; after a stop a new one starts', async () => {
    const first = CpuProfiler.start();
    const err = thrown(() => CpuProfiler.start());
    expect(err.kind).toBe('invalid-state');
    expect(err.code).toBe(ErrorCode.ProfileInProgress);
    // The other kind is independent.
    const heap = HeapProfiler.start();
    await heap.stop();
    await first.stopToFile(join(dir, 'first.cpuprofile'));
    const second = CpuProfiler.start();
    await second.stop();
    expect(second.running).toBe(false);
    const third = CpuProfiler.start();
    await third.stopToFile(join(dir, 'third.cpuprofile'));
    expect(readdirSync(dir).sort()).toEqual(['first.cpuprofile', 'third.cpuprofile']);
  });

  it('is in progress while its file is being written', async () => {
    const profile = CpuProfiler.start();
    const writing = profile.stopToFile(join(dir, 'a.cpuprofile'));
    expect(thrown(() => CpuProfiler.start()).code).toBe(ErrorCode.ProfileInProgress);
    await writing;
    await CpuProfiler.start().stop();
  });

  it('fails with ProfileWrite naming the path when the folder is missing; the profile is over and a new one may start', async () => {
    const profile = CpuProfiler.start();
    const file = join(dir, 'missing', 'a.cpuprofile');
    const err = await rejection(profile.stopToFile(file));
    expect(err.kind).toBe('io');
    expect(err.code).toBe(ErrorCode.ProfileWrite);
    expect(err.message).toContain(file);
    expect(err.message).toContain('does not exist');
    expect(profile.running).toBe(false);
    expect((await rejection(profile.stopToFile(join(dir, 'b.cpuprofile')))).kind).toBe('invalid-state');
    await CpuProfiler.start().stop();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with ProfileWrite when a folder is at the path, leaving no temporary file', async () => {
    const profile = CpuProfiler.start();
    mkdirSync(join(dir, 'taken'));
    const err = await rejection(profile.stopToFile(join(dir, 'taken')));
    expect(err.code).toBe(ErrorCode.ProfileWrite);
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('writes to the path given at start, and keeps running when no path is given anywhere', async () => {
    const noPath = CpuProfiler.start();
    const err = await rejection(noPath.stopToFile());
    expect(err.code).toBe(ErrorCode.ProfileWrite);
    expect(noPath.running).toBe(true);
    await noPath.stopToFile(join(dir, 'late.cpuprofile'));

    const file = join(dir, 'given.cpuprofile');
    const profile = CpuProfiler.start({ path: file, intervalMicros: 100 });
    expect(profile.path).toBe(file);
    burn(20);
    expect(await profile.stopToFile()).toBe(file);
    expect(json(file)).toHaveProperty('nodes');
  });

  it('is written at the end of an `await using` scope when started with a path, discarded without one', async () => {
    const file = join(dir, 'scoped.cpuprofile');
    {
      await using _profile = CpuProfiler.start({ path: file });
      burn(10);
    }
    expect(json(file)).toHaveProperty('samples');
    {
      await using _profile = CpuProfiler.start();
    }
    await CpuProfiler.start().stop();
    expect(readdirSync(dir)).toEqual(['scoped.cpuprofile']);
  });

  it('refuses an interval that is not a positive integer', () => {
    for (const intervalMicros of [0, -5, 1.5]) {
      expect(thrown(() => CpuProfiler.start({ intervalMicros })).code).toBe(ErrorCode.ConfigInvalidValue);
    }
  });
});

describe('HeapProfiler', () => {
  it('writes a .heapprofile that DevTools opens: head and samples', async () => {
    const profile = HeapProfiler.start({ intervalBytes: 1024 });
    allocate(20_000);
    const file = join(dir, 'a.heapprofile');
    expect(await profile.stopToFile(file)).toBe(file);
    kept.length = 0;
    const data = json(file);
    expect(data['head']).toHaveProperty('callFrame');
    expect(data['head']).toHaveProperty('children');
    expect(Array.isArray(data['samples'])).toBe(true);
    expect((data['samples'] as unknown[]).length).toBeGreaterThan(0);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  it('runs one at a time, and fails with ProfileWrite on a missing folder', async () => {
    const profile = HeapProfiler.start();
    expect(thrown(() => HeapProfiler.start()).code).toBe(ErrorCode.ProfileInProgress);
    const file = join(dir, 'nope', 'a.heapprofile');
    const err = await rejection(profile.stopToFile(file));
    expect(err.code).toBe(ErrorCode.ProfileWrite);
    expect(err.message).toContain(file);
    await HeapProfiler.start().stop();
  });
});

describe('writeHeapSnapshot()', () => {
  it('writes a .heapsnapshot that DevTools opens: snapshot, nodes, strings', async () => {
    const file = join(dir, 'a.heapsnapshot');
    expect(await writeHeapSnapshot(file)).toBe(file);
    const st = statSync(file);
    expect((st.mode & 0o777).toString(8)).toBe('600');
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    closeSync(fd);
    expect(head.toString()).toMatch(/^\{"snapshot":\{"meta":/);
    if (st.size < 100 * 1024 * 1024) {
      const data = json(file);
      expect(data).toHaveProperty('snapshot');
      expect((data['nodes'] as unknown[]).length).toBeGreaterThan(0);
      expect((data['strings'] as unknown[]).length).toBeGreaterThan(0);
    }
    expect(readdirSync(dir)).toEqual(['a.heapsnapshot']);
  });

  it('fails with ProfileWrite naming the path when the folder is missing', async () => {
    const file = join(dir, 'missing', 'a.heapsnapshot');
    const err = await rejection(writeHeapSnapshot(file));
    expect(err.code).toBe(ErrorCode.ProfileWrite);
    expect(err.message).toContain(file);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

describe('stopAllToFiles() (a daemon stopping)', () => {
  it('writes every profile in progress: to its own path, or to a new file in the folder', async () => {
    const cpuFile = join(dir, 'given.cpuprofile');
    CpuProfiler.start({ path: cpuFile });
    HeapProfiler.start();
    burn(10);
    const results = await stopAllToFiles(dir);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const written = results.map((r) => (r as PromiseFulfilledResult<string>).value);
    expect(written).toContain(cpuFile);
    const heapFile = written.find((p) => p !== cpuFile) as string;
    expect(heapFile).toMatch(new RegExp(`^${dir}/Heap\\.\\d{8}\\.\\d{6}\\.${process.pid}\\.\\d+\\.\\d{3}\\.heapprofile$`));
    expect(json(cpuFile)).toHaveProperty('nodes');
    expect(json(heapFile)).toHaveProperty('head');
    // Nothing runs any more.
    expect(await stopAllToFiles(dir)).toEqual([]);
    await CpuProfiler.start().stop();
  });

  it('waits for a write already under way', async () => {
    const file = join(dir, 'a.cpuprofile');
    const writing = CpuProfiler.start().stopToFile(file);
    const results = await stopAllToFiles(dir);
    expect(results).toEqual([{ status: 'fulfilled', value: file }]);
    expect(await writing).toBe(file);
  });

  it('and a stopToFile() of the same path, before or after, share one write', async () => {
    const file = join(dir, 'shared.cpuprofile');
    const profile = CpuProfiler.start({ path: file });
    const [result] = await stopAllToFiles(dir);
    expect(result).toEqual({ status: 'fulfilled', value: file });
    expect(await profile.stopToFile(file)).toBe(file);
    expect(await profile.stopToFile()).toBe(file);
    expect((await rejection(profile.stopToFile(join(dir, 'other.cpuprofile')))).kind).toBe('invalid-state');

    const second = CpuProfiler.start({ path: file });
    const writing = second.stopToFile();
    expect(await stopAllToFiles(dir)).toEqual([{ status: 'fulfilled', value: file }]);
    expect(await writing).toBe(file);
    expect(readdirSync(dir)).toEqual(['shared.cpuprofile']);
  });

  it('reports a write that fails, and still frees the slot', async () => {
    CpuProfiler.start({ path: join(dir, 'missing', 'a.cpuprofile') });
    const [result] = await stopAllToFiles(dir);
    expect(result?.status).toBe('rejected');
    expect(((result as PromiseRejectedResult).reason as DaemonError).code).toBe(ErrorCode.ProfileWrite);
    await CpuProfiler.start().stop();
  });
});

describe('node:inspector', () => {
  it('is loaded by the first profile, not by importing the module', () => {
    const entry = fileURLToPath(new URL('../../lib/profiling/index.ts', import.meta.url));
    const script = [
      `const loaded = () => process.moduleLoadList.includes('NativeModule inspector');`,
      `const m = await import(${JSON.stringify(entry)});`,
      `const before = loaded();`,
      `await m.CpuProfiler.start().stop();`,
      `console.log(JSON.stringify({ before, after: loaded() }));`,
    ].join('\n');
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout.trim())).toEqual({ before: false, after: true });
  });
});
