/*
 * The export of a histogram series to hdr-histogram-js. The package is
 * loaded on first use, synchronously, not on import: the core creates a
 * `MetricsCollector` for `daemon.metrics`, and importing the core must not
 * load hdr-histogram-js.
 */
import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';
import { lowestValueAt } from './hdr-layout.js';

type HdrModule = typeof import('hdr-histogram-js');

let hdrModule: HdrModule | undefined;
let wasmState: boolean | undefined;

/** hdr-histogram-js, loaded on first call. */
function hdr(): HdrModule {
  hdrModule ??= createRequire(import.meta.url)('hdr-histogram-js') as HdrModule;
  return hdrModule;
}

/** Whether hdr-histogram-js's WebAssembly implementation loads here (tried once, synchronously). @internal */
export function webAssemblyLoads(): boolean {
  if (wasmState === undefined) {
    try {
      hdr().initWebAssemblySync();
      wasmState = true;
    } catch {
      wasmState = false;
    }
  }
  return wasmState;
}

/**
 * A new hdr-histogram-js histogram (µs, lowest discernible value 1, 3
 * significant digits, 64-bit counts) holding `counts` (entries of the
 * layout of `hdr-layout.ts`): each entry is recorded once, with its count,
 * at the lowest value of its bucket, which lands in the same bucket.
 * @internal
 */
export function toHdrHistogram(counts: Float64Array, useWebAssembly: boolean): Histogram {
  const histogram = hdr().build({
    useWebAssembly: useWebAssembly && webAssemblyLoads(),
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2048,
    numberOfSignificantValueDigits: 3,
  });
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] as number;
    if (n > 0) histogram.recordValueWithCount(lowestValueAt(i), n);
  }
  return histogram;
}
