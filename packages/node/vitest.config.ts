import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['oxbow:source'] },
  test: { include: ['test/**/*.test.ts'] },
});
