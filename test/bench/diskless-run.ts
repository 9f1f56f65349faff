/**
 * `npm run bench:diskless` in test/: only the diskless section of the bench (diskless-bench.ts),
 * printed as a Markdown table. Progress goes to stderr; it exits non-zero only when the section
 * could not be measured at all (measurements that failed are NOT MEASURED rows).
 */
import { benchConfig } from './config.js';
import { disklessRows, measureDiskless } from './diskless-bench.js';
import { machineInfo, type Row } from './report.js';

const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
};

function table(rows: readonly Row[]): string {
  const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    '| measurement | value | unit | context | goal | result |',
    '|---|---:|---|---|---|---|',
    ...rows.map((r) => `| ${[r.measurement, r.value, r.unit, r.context, r.goal, r.result].map(cell).join(' | ')} |`),
  ].join('\n');
}

const config = benchConfig();
log(`config ${JSON.stringify(config)}`);
const results = await measureDiskless(config, log);
const machine = machineInfo();
process.stdout.write(
  [
    '# Diskless benchmark',
    '',
    `${machine.date as string} · ${machine.cores as number} cores · Node ${machine.node as string} · ${machine.loadGenerator as string} · load average at end ${machine.loadAverageAtEnd as string} · ${Math.round((performance.now() - started) / 1000)} s`,
    '',
    table(disklessRows(results)),
    '',
  ].join('\n'),
);
