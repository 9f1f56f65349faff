/** `npm run bench:diskless` in test/: only the diskless section of the bench (diskless-bench.ts). */
import { disklessRows, measureDiskless } from './diskless-bench.js';
import { runSection } from './section-run.js';

await runSection('Diskless benchmark', measureDiskless, disklessRows);
