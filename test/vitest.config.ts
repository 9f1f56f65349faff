import { defineConfig } from 'vitest/config';

// Real processes, real clients: run files one at a time (2 cores) with generous timeouts.
export default defineConfig({
  resolve: { conditions: ['oxbow:source'] },
  // Vite applies resolve.conditions to the client environment only; tests run in the SSR one.
  ssr: { resolve: { conditions: ['oxbow:source'] } },
  test: {
    include: ['e2e/**/*.test.ts', 'chaos/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
