import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their sources (the `oxbow:source` export condition). Vite applies
// `resolve.conditions` to the client environment only; tests run in the SSR (node) one.
export default defineConfig({
  resolve: { conditions: ['oxbow:source'] },
  ssr: { resolve: { conditions: ['oxbow:source'] } },
  test: { include: ['test/**/*.test.ts'] },
});
