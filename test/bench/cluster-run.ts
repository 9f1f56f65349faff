/** `npm run bench:cluster` in test/: only the 3-node cluster section of the bench (cluster-bench.ts). */
import { measureCluster } from './cluster-bench.js';
import { clusterRows } from './cluster-rows.js';
import { runSection } from './section-run.js';

await runSection('Cluster benchmark', measureCluster, clusterRows);
