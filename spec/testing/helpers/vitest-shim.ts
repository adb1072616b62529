import { expect } from 'vitest';

// What the guide's examples import from 'vitest' when docs-snippets.spec.ts runs them inside
// one of its own tests (where vitest's it() may not be called): each it() or test() is
// collected, then run by runCollected(), in order; describe() runs its body at once.

type Body = () => unknown;

const collected: Array<{ readonly name: string; readonly fn: Body }> = [];

export function it(name: string, fn: Body, _timeout?: number): void {
  collected.push({ name, fn });
}

export const test = it;

export function describe(_name: string, fn: () => void): void {
  fn();
}

/** Runs the tests collected so far, in order; returns their names. */
export async function runCollected(): Promise<string[]> {
  const tests = collected.splice(0);
  for (const t of tests) await t.fn();
  return tests.map((t) => t.name);
}

export { expect };
