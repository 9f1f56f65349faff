/**
 * Runs one section of the bench on its own (`npm run bench:cluster`, `npm run bench:diskless`):
 * progress to stderr, the section's rows as a Markdown table on stdout. It exits non-zero only when
 * the section could not be measured at all (measurements that failed are rows of their own).
 */
import { benchConfig, type BenchConfig } from './config.js';
import { machineInfo, type Row } from './report.js';

function table(rows: readonly Row[]): string {
  const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    '| measurement | value | unit | context | goal | result |',
    '|---|---:|---|---|---|---|',
    ...rows.map((r) => `| ${[r.measurement, r.value, r.unit, r.context, r.goal, r.result].map(cell).join(' | ')} |`),
  ].join('\n');
}

export async function runSection<R>(title: string, measure: (config: BenchConfig, log: (line: string) => void) => Promise<R>, rows: (results: R) => Row[]): Promise<void> {
  const started = performance.now();
  const log = (line: string): void => {
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
  };
  const config = benchConfig();
  log(`config ${JSON.stringify(config)}`);
  const results = await measure(config, log);
  const machine = machineInfo();
  process.stdout.write(
    [
      `# ${title}`,
      '',
      `${machine.date as string} · ${machine.cores as number} cores · Node ${machine.node as string} · ${machine.loadGenerator as string} · load average at end ${machine.loadAverageAtEnd as string} · ${Math.round((performance.now() - started) / 1000)} s`,
      '',
      table(rows(results)),
      '',
    ].join('\n'),
  );
}
