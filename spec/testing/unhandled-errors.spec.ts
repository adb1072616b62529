import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('an error a task of a virtual daemon leaves unhandled', () => {
  it('reaches the process handlers of the test runner, and the daemon goes on to a clean stop', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/unhandled-in-task.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], { timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual({
      seen: ['unhandledRejection: nobody awaits me', 'uncaughtException: thrown in a timer'],
      exitCode: 0,
      reason: 'signal',
      processExitCode: null,
    });
  });
});
