/** Warnings and errors a cluster node logged, summarized for the report (cluster-bench.ts). */

export interface NodeLogSummary {
  readonly node: number;
  readonly warnings: number;
  readonly errors: number;
  /** The most frequent messages at warn level or above, with counts. */
  readonly top: readonly string[];
}

/** Counts pino lines at warn (40) and above in a node's output. */
export function summarizeLog(node: number, output: string): NodeLogSummary {
  let warnings = 0;
  let errors = 0;
  const counts = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: unknown; msg?: unknown; why?: unknown };
    try {
      entry = JSON.parse(line) as { level?: unknown; msg?: unknown; why?: unknown };
    } catch {
      continue;
    }
    if (typeof entry.level !== 'number' || entry.level < 40) continue;
    if (entry.level >= 50) errors++;
    else warnings++;
    const msg = `${typeof entry.msg === 'string' ? entry.msg : '?'}${typeof entry.why === 'string' ? ` (${entry.why})` : ''}`.slice(0, 160);
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([m, n]) => `"${m}" ×${n}`);
  return { node, warnings, errors, top };
}
