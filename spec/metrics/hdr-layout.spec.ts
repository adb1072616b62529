import { fc, test } from '@fast-check/vitest';
import { JsHistogram, build } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import {
  COUNTS_LENGTH,
  MAX_US,
  PERCENTILES,
  highestValueAt,
  indexOf,
  lowestValueAt,
} from '../../lib/metrics/hdr-layout.js';
import { webAssemblyLoads } from '../../lib/metrics/hdr-export.js';
import { HistogramSeries } from '../../lib/metrics/histogram.js';
import { WindowClock } from '../../lib/metrics/window.js';

/** hdr-histogram-js's own JS histogram with the layout of ours (1 µs, 3 digits), covering the whole range. */
function reference(): JsHistogram {
  return build({ useWebAssembly: false, bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: MAX_US, numberOfSignificantValueDigits: 3 }) as JsHistogram;
}

function series(): HistogramSeries {
  return new HistogramSeries('h', '', new WindowClock(() => 0, 0, true));
}

/** Edges of every bucket: 0, 2^k − 1, 2^k, 2^k + 1, and the top of the range. */
const EDGES: number[] = [0, 1, 2, 1023, 1024, 2046, 2047, 2048, 2049, MAX_US - 1, MAX_US];
for (let k = 11; k < 32; k++) for (const d of [-1, 0, 1]) if (2 ** k + d <= MAX_US) EDGES.push(2 ** k + d);

const micros = fc.oneof(fc.integer({ min: 0, max: MAX_US }), fc.integer({ min: 0, max: 5000 }), fc.constantFrom(...EDGES));

describe('HDR layout (JS bucket math = HdrHistogram)', () => {
  const ref = reference();

  it('covers the range in COUNTS_LENGTH entries, as hdr-histogram-js sizes it', () => {
    expect(indexOf(MAX_US)).toBeLessThan(COUNTS_LENGTH);
    expect((ref as unknown as { countsArrayLength: number }).countsArrayLength).toBe(COUNTS_LENGTH);
  });

  it('gives every bucket edge the index hdr-histogram-js gives it', () => {
    for (const us of EDGES) expect(indexOf(us), `value ${us}`).toBe(ref.countsArrayIndex(us));
  });

  test.prop([micros], { numRuns: 2000 })('index, lowest and highest equivalent values match hdr-histogram-js', (us) => {
    const i = indexOf(us);
    expect(i).toBe(ref.countsArrayIndex(us));
    expect(lowestValueAt(i)).toBe(ref.lowestEquivalentValue(us));
    expect(highestValueAt(i)).toBe(ref.highestEquivalentValue(us));
    // The value a flush records for this entry lands in the same entry.
    expect(indexOf(lowestValueAt(i))).toBe(i);
    expect(ref.countsArrayIndex(lowestValueAt(i))).toBe(i);
    expect(lowestValueAt(i)).toBeLessThanOrEqual(us);
    expect(highestValueAt(i)).toBeGreaterThanOrEqual(us);
  });
});

describe('export to hdr-histogram-js (WebAssembly and JS)', () => {
  it('loads the WebAssembly implementation here', () => {
    expect(webAssemblyLoads()).toBe(true);
  });

  for (const useWebAssembly of [true, false]) {
    const impl = useWebAssembly ? 'WebAssembly' : 'JS';

    test.prop([fc.array(fc.oneof(fc.double({ min: 0, max: 3_600_000, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true })), { minLength: 1, maxLength: 300 })], {
      numRuns: 150,
    })(`${impl}: every value lands in the same bucket, and the quantiles are hdr-histogram-js's`, (values) => {
      const h = series();
      const direct = build({ useWebAssembly, bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2048, numberOfSignificantValueDigits: 3 });
      for (const ms of values) {
        h.record(ms);
        direct.recordValue(Math.round(ms * 1000));
      }
      const exported = h.toHdr({ useWebAssembly });
      try {
        expect(exported.constructor.name).toBe(useWebAssembly ? 'WasmHistogram' : 'Float64Histogram');
        expect(exported.totalCount).toBe(values.length);
        const ours = h.valuesAtPercentilesUs();
        PERCENTILES.forEach((p, k) => {
          expect(ours[k], `p${p}`).toBe(exported.getValueAtPercentile(p));
          expect(ours[k], `p${p} (recorded directly)`).toBe(direct.getValueAtPercentile(p));
        });
        for (const p of [0.1, 25, 75, 100]) expect(exported.getValueAtPercentile(p)).toBe(direct.getValueAtPercentile(p));
      } finally {
        exported.destroy();
        direct.destroy();
      }
    });

    it(`${impl}: an empty series exports an empty histogram`, () => {
      const exported = series().toHdr({ useWebAssembly });
      expect(exported.totalCount).toBe(0);
      exported.destroy();
    });
  }
});
