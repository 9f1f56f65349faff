// The Parquet worker threads' ES module, loaded by parquet-worker.cjs (see there why). Oxbow runs
// from TypeScript sources: a worker thread inherits the parent's `--import tsx
// --conditions=oxbow:source` under the CLI, but not under vitest (whose transforms live in its own
// loader). So this plain module makes sure both hold, then loads worker.ts: workspace packages
// resolve to src/ through the `oxbow:source` condition, and tsx's namespaced tsImport compiles the
// TypeScript whether or not tsx is already registered.
import { register } from 'node:module';
import { tsImport } from 'tsx/esm/api';

if (!process.execArgv.some((arg) => arg.includes('oxbow:source'))) {
  const hook = `export async function resolve(specifier, context, next) {
    return next(specifier, { ...context, conditions: [...context.conditions, 'oxbow:source'] });
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

const worker = await tsImport('./worker.ts', import.meta.url);
export default worker.default;
