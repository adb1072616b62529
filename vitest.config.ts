import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Both cores: vitest's default leaves one idle (cores - 1), and much of the suite waits on child processes.
    maxWorkers: 2,
  },
});
