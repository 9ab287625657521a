// `npm run bench:gate [-- --baseline <name>] [--threshold 0.25] [suite options]`: measures the
// entries of bench/baselines/<name>.json and exits 1 only when one of them falls below its
// accepted ORT/Volta ratio by more than the threshold in two consecutive passes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSuiteArgs, runCli, SUITE_HELP } from './args.ts';
import { ROOT } from './compile_times.ts';
import { type Pass, readBaseline, runGate, verdictText } from './gate.ts';
import { entryKey, runSuite } from './suite.ts';

await runCli(async () => {
  const args = parseSuiteArgs(process.argv.slice(2), { baseline: { type: 'string' }, threshold: { type: 'string' } });
  if (args.values.help) {
    console.log(`npm run bench:gate -- [--baseline main] [--threshold <fraction>] [options]\n\n${SUITE_HELP}`);
  } else {
    const name = typeof args.values.baseline === 'string' ? args.values.baseline : 'main';
    const baseline = readBaseline(join(ROOT, 'bench', 'baselines', `${name}.json`));
    const threshold = typeof args.values.threshold === 'string' ? Number(args.values.threshold) : baseline.threshold;
    if (!(threshold > 0 && threshold < 1))
      throw new Error(`--threshold must be a fraction between 0 and 1 (0.25 = 25 % below the baseline), not ${args.values.threshold}`);
    const threads = [...new Set(Object.keys(baseline.entries).map((e) => Number(e.split('/t')[1])))].sort((a, b) => a - b);
    // One cache for both passes: the second re-measures without rebuilding.
    const cacheDir = mkdtempSync(join(tmpdir(), 'volta-bench-gate-'));
    const measure = async (entries: readonly string[]): Promise<Pass> => {
      process.stderr.write(`bench gate: measuring ${entries.length} entr(y/ies)\n`);
      const res = await runSuite({ ...args.suite, threads, only: undefined, entries, peak: false, compileTimes: false, cacheDir });
      return Object.fromEntries(res.rows.map((r) => [entryKey(r.key, r.threads), r.ratio]));
    };
    try {
      const verdict = await runGate(baseline, measure, threshold);
      console.log(verdictText(verdict, threshold));
      process.exitCode = verdict.regressed ? 1 : 0;
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
});
