/**
 * A seeded source of uniform samples from `[0, 1)` (mulberry32): the same
 * seed gives the same sequence, on every machine. Not for cryptography.
 * @internal
 */
export function seededRandom(seed: number): () => number {
  // Any number is a seed: its integer part, folded to 32 bits (NaN and ±Infinity give 0).
  let state = Number.isFinite(seed) ? Math.trunc(seed) >>> 0 : 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
