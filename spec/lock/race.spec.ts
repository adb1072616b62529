import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForChildren } from '../helpers/bundle.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';

const ROUNDS = 20;
const CONTENDERS = 20;
const FIXTURE = fileURLToPath(new URL('./fixtures/race-child.mjs', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-race-'));
const bundle = join(root, 'instance-lock.mjs');
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The contenders run lib/lock/instance-lock.ts compiled once by esbuild (what tsx does per process, at
// about 0.3 s of CPU each: 400 of them would not fit in a minute on 2 cores; plain node starts in 0.05 s).
beforeAll(() => bundleForChildren(fileURLToPath(new URL('../../lib/lock/instance-lock.ts', import.meta.url)), bundle));

/** The PID of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

interface Contender {
  readonly proc: ChildProcessWithoutNullStreams;
  /** Resolves with each line printed, in order: "ready", then the outcome. */
  next(): Promise<string>;
  readonly exited: Promise<unknown>;
}

function contender(path: string): Contender {
  const proc = spawn(process.execPath, [FIXTURE, bundle, path], { stdio: 'pipe' });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffer = '';
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  proc.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const w = waiting.shift();
      if (w === undefined) lines.push(line);
      else w(line);
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  return {
    proc,
    exited,
    next: () =>
      lines.length > 0
        ? Promise.resolve(lines.shift() as string)
        : new Promise<string>((resolve, reject) => {
            waiting.push(resolve);
            void exited.then(() => setTimeout(() => reject(new Error(`contender ${proc.pid} exited; stderr: ${stderr}`)), 100));
          }),
  };
}

/**
 * One round: `CONTENDERS` processes go at once on one path (after `prepare` put a file there, or not);
 * returns their outcomes after checking that exactly one won, that every other was refused as held,
 * naming the winner's PID, that nothing but the lock file is left beside it, and that the winner's
 * release removed it.
 */
async function round(label: string, prepare: (path: string) => Promise<void>): Promise<string[]> {
  const dir = mkdtempSync(join(root, `${label}-`));
  const path = join(dir, 'daemon.pid');
  await prepare(path);
  const all = Array.from({ length: CONTENDERS }, () => contender(path));
  let results: string[];
  try {
    // The start line: everyone is loaded and waiting, then everyone goes.
    expect(await Promise.all(all.map((c) => c.next()))).toEqual(all.map(() => 'ready'));
    for (const c of all) c.proc.stdin.write('g');
    results = await Promise.all(all.map((c) => c.next()));
    const winners = all.filter((_, i) => results[i] === 'won');
    expect(winners, `${label}: ${results.join(', ')}`).toHaveLength(1);
    const winner = (winners[0] as Contender).proc.pid;
    expect(results.filter((r) => r !== 'won'), label).toEqual(Array(CONTENDERS - 1).fill(`lost ${ErrorCode.PidFileHeld} ${winner}`));
    expect(readdirSync(dir), label).toEqual(['daemon.pid']); // no temp file, no claim left behind
  } finally {
    for (const c of all) c.proc.stdin.end();
    await Promise.all(all.map((c) => c.exited));
  }
  expect(existsSync(path), `${label}: the winner released the lock`).toBe(false);
  return results;
}

describe('InstanceLock race', () => {
  it(`${ROUNDS} rounds of ${CONTENDERS} processes at once on one path with a stale file: exactly one winner each round`, async () => {
    const outcomes: string[][] = [];
    for (let r = 0; r < ROUNDS; r++) {
      outcomes.push(await round(`stale-${r}`, async (path) => writeFileSync(path, `${await deadPid()}\n`)));
    }
    expect(outcomes.flat()).toHaveLength(ROUNDS * CONTENDERS);
    expect(outcomes.map((r) => r.filter((o) => o === 'won').length)).toEqual(Array(ROUNDS).fill(1));
  }, 120_000);

  it(`${CONTENDERS} processes at once on a path with no file, or garbage in it: exactly one winner`, async () => {
    const outcomes: string[][] = [];
    for (let r = 0; r < 3; r++) outcomes.push(await round(`empty-${r}`, async () => {}));
    for (const garbage of ['', 'garbage\n', '-5\n']) {
      outcomes.push(await round('garbage', async (path) => writeFileSync(path, garbage)));
    }
    expect(outcomes.map((r) => r.filter((o) => o === 'won').length)).toEqual([1, 1, 1, 1, 1, 1]);
  }, 60_000);
});
