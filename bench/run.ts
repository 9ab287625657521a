// `npm run bench [-- options]`: the benchmark suite (see bench/README.md). Prints the
// table and writes the results as JSON (bench/out/latest.json unless --json says otherwise).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseSuiteArgs, runCli, SUITE_HELP } from './args.ts';
import { runSuite } from './suite.ts';
import { report } from './table.ts';

await runCli(async () => {
  const args = parseSuiteArgs(process.argv.slice(2));
  if (args.values.help) {
    console.log(`npm run bench -- [options]\n\n${SUITE_HELP}`);
  } else {
    const res = await runSuite(args.suite);
    const file = resolve(args.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(res, null, 2)}\n`);
    console.log(`\n${report(res)}\nresults written to ${file}`);
  }
});
