import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type Lease, ObjectPool } from '../../lib/pool/index.js';

type Step = { readonly kind: 'acquire' } | { readonly kind: 'release' | 'releaseAgain'; readonly pick: number } | { readonly kind: 'clear' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'acquire' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('releaseAgain' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('ObjectPool (model)', () => {
  it('matches a model of counters: objects are created only when none is idle, at most max are kept, every release counted once', () => {
    fc.assert(
      fc.property(fc.nat(6), fc.array(step, { maxLength: 80 }), (max, steps) => {
        let made = 0;
        const pool = new ObjectPool({ create: () => ({ id: made++ }), max });
        // the model
        let idle = 0;
        let created = 0;
        let acquired = 0;
        let released = 0;
        let dropped = 0;
        const out: Array<Lease<{ id: number }>> = [];
        const done: Array<Lease<{ id: number }>> = [];
        const ids = new Set<number>();
        for (const s of steps) {
          if (s.kind === 'acquire') {
            const lease = pool.acquire();
            if (idle > 0) idle--;
            else created++;
            acquired++;
            expect(ids.has(lease.value.id)).toBe(false); // never leased twice at once
            ids.add(lease.value.id);
            out.push(lease);
          } else if (s.kind === 'release' && out.length > 0) {
            const [lease] = out.splice(s.pick % out.length, 1) as [Lease<{ id: number }>];
            ids.delete(lease.value.id);
            lease.release();
            released++;
            if (idle < max) idle++;
            else dropped++;
            done.push(lease);
          } else if (s.kind === 'releaseAgain' && done.length > 0) {
            const lease = done[s.pick % done.length] as Lease<{ id: number }>;
            let error: unknown;
            try {
              lease.release();
            } catch (err) {
              error = err;
            }
            expect(error).toBeInstanceOf(DaemonError);
            expect((error as DaemonError).code).toBe(ErrorCode.LeaseReleased);
          } else if (s.kind === 'clear') {
            pool.clear();
            dropped += idle;
            idle = 0;
          }
          expect(pool.stats()).toEqual({ created, idle, inUse: out.length, acquired, released, dropped, max });
          expect(made).toBe(created);
        }
      }),
      { numRuns: 500 },
    );
  });
});
