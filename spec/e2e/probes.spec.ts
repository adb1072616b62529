import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnFixture } from '../helpers/child.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-e2e-probes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Its exit; a child still alive after 15 s (kept alive by the server: the bug) is killed, so the test fails instead of hanging. */
async function exitOf(child: ReturnType<typeof spawnFixture>) {
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A scraper on one keep-alive connection: `GET /metrics` at once, then every 200 ms, so the server's
 * keep-alive timeout never ends the connection. It holds the connection until the other side closes it.
 */
function holdKeepAlive(port: number): { readonly answered: () => number; readonly closed: Promise<void> } {
  let answers = 0;
  const socket = connect(port, '127.0.0.1');
  const scrape = (): void => {
    if (socket.writable) socket.write('GET /metrics HTTP/1.1\r\nHost: probes\r\nConnection: keep-alive\r\n\r\n');
  };
  socket.on('connect', scrape);
  const timer = setInterval(scrape, 200);
  socket.setEncoding('utf8').on('data', (d: string) => (answers += d.split('HTTP/1.1 200 OK').length - 1));
  socket.on('error', () => {}); // a reset when the process ends is an end like another
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve();
    }),
  );
  return { answered: () => answers, closed };
}

describe('a probe server in a process', () => {
  it('does not keep the process alive for a daemon that never runs', async () => {
    const child = spawnFixture('probes-alone.ts', ['never', join(root, 'unused.pid')]);
    const exit = await exitOf(child);
    expect(child.lines).toEqual(['READYZ 503']);
    expect(exit.code).toBe(0);
  });

  it('does not keep the process alive when run() fails at set-up', async () => {
    const child = spawnFixture('probes-alone.ts', ['held', join(root, 'held.pid')]);
    const exit = await exitOf(child);
    expect(child.lines).toEqual(['READYZ 503', 'REJECTED 5001']);
    expect(exit.code).toBe(1);
  });

  for (const [mode, lines, code] of [
    ['never', ['SCRAPED'], 0],
    ['held', ['SCRAPED', 'REJECTED 5001'], 1],
  ] as const) {
    it(`does not keep the process alive while a client holds a keep-alive connection (${mode === 'never' ? 'run() never called' : 'run() failed at set-up'})`, async () => {
      const child = spawnFixture('probe-keepalive.ts', [mode, join(root, `keepalive-${mode}.pid`)]);
      const port = Number((await child.waitFor(/^LISTENING \d+$/)).split(' ')[1]);
      const client = holdKeepAlive(port);
      await child.waitFor(/^SCRAPED$/);
      const scrapedAt = performance.now();
      const exit = await exitOf(child);
      await client.closed;
      expect(client.answered()).toBeGreaterThanOrEqual(1);
      expect(child.lines.filter((l) => !l.startsWith('LISTENING'))).toEqual(lines);
      expect(exit).toMatchObject({ code, signal: null });
      // Well before the server's 5 s keep-alive timeout could have freed it (the client keeps it busy anyway).
      expect(exit.at - scrapedAt).toBeLessThan(4_000);
    });
  }
});
