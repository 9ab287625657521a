// `npm run bench:baseline -- --reason "<why>" [--name main] [--from <results.json>] [--threshold 0.25] [suite options]`:
// accepts new figures as bench/baselines/<name>.json, from a results file or from a fresh run.
// The reason is required and stored; the previous reason moves to the baseline's history.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSuiteArgs, runCli, SUITE_HELP } from './args.ts';
import { ROOT } from './compile_times.ts';
import { readBaseline, updatedBaseline, writeBaseline } from './gate.ts';
import { entryKey, type Results, runSuite } from './suite.ts';

await runCli(async () => {
  const args = parseSuiteArgs(process.argv.slice(2), {
    reason: { type: 'string' },
    name: { type: 'string' },
    from: { type: 'string' },
    threshold: { type: 'string' },
  });
  if (args.values.help) {
    console.log(`npm run bench:baseline -- --reason "<why>" [--name main] [--from results.json] [--threshold <fraction>] [options]\n\n${SUITE_HELP}`);
  } else {
    const reason = typeof args.values.reason === 'string' ? args.values.reason : '';
    if (reason.trim() === '') throw new Error('a baseline update needs a reason: npm run bench:baseline -- --reason "<why these figures are accepted>"');
    const threshold = typeof args.values.threshold === 'string' ? Number(args.values.threshold) : undefined;
    if (threshold !== undefined && !(threshold > 0 && threshold < 1))
      throw new Error(`--threshold must be a fraction between 0 and 1, not ${args.values.threshold}`);
    const name = typeof args.values.name === 'string' ? args.values.name : 'main';
    const file = join(ROOT, 'bench', 'baselines', `${name}.json`);
    const res: Results =
      typeof args.values.from === 'string'
        ? (JSON.parse(readFileSync(resolve(args.values.from), 'utf8')) as Results)
        : await runSuite({ ...args.suite, peak: false, compileTimes: false });
    const b = updatedBaseline(existsSync(file) ? readBaseline(file) : undefined, {
      name,
      reason,
      date: res.date,
      machine: `${res.machine.cpu}, ${res.machine.cores} cores, load ${res.machine.loadStart.join(' ')}`,
      git: res.volta.git,
      threshold,
      entries: Object.fromEntries(
        res.rows.map((r) => [
          entryKey(r.key, r.threads),
          { ratio: Number(r.ratio.toPrecision(4)), voltaUs: Number(r.voltaUs.toPrecision(4)), ortUs: Number(r.ortUs.toPrecision(4)) },
        ]),
      ),
    });
    writeBaseline(file, b);
    console.log(`wrote ${file}: ${Object.keys(b.entries).length} entries, reason: ${b.reason}`);
  }
});
