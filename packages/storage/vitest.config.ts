import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their sources (the `oxbow:source` export condition). Vite applies
// `resolve.conditions` to the client environment only; tests run in the SSR (node) one.
export default defineConfig({
  resolve: { conditions: ['oxbow:source'] },
  ssr: { resolve: { conditions: ['oxbow:source'] } },
  // Worker threads compile TypeScript on first use; beside the whole suite on 2 cores that takes seconds.
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
