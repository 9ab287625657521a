// `npm run fuzz -- --count N [--start S] [--chunk C]`: the long fuzz lane. Cases
// run in child processes of C cases each under a watchdog, so a hang is found
// (and named by its case index) instead of stalling the lane; prints the tally
// by kind and outcome, every finding, and exits 1 if there is any.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fuzzCase } from '../test/fuzz/cases.ts';
import { fuzzRoot, type Outcome, runCase, tally } from '../test/fuzz/harness.ts';

const { values } = parseArgs({ options: { count: { type: 'string' }, start: { type: 'string' }, chunk: { type: 'string' }, child: { type: 'boolean' } } });
const start = Number(values.start ?? 0);
const count = Number(values.count ?? 10_000);

if (values.child) {
  // One chunk: a line per case, so the parent knows the last case that finished.
  const root = fuzzRoot(mkdtempSync(join(tmpdir(), 'volta-fuzz-')));
  for (let i = start; i < start + count; i++) process.stdout.write(`${JSON.stringify(runCase(fuzzCase(i), root))}\n`);
} else {
  const chunk = Number(values.chunk ?? 1000);
  const outcomes: Outcome[] = [];
  const hangs: number[] = [];
  const t0 = performance.now();
  for (let s = start; s < start + count; ) {
    const n = Math.min(chunk, start + count - s);
    const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', '--start', String(s), '--count', String(n)], {
      encoding: 'utf8',
      timeout: 30_000 + n * 200,
      maxBuffer: 1 << 28,
    });
    const done = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Outcome);
    outcomes.push(...done);
    if (done.length < n) {
      // The child died or was stopped by the watchdog: the next case is the culprit; go on after it.
      const culprit = s + done.length;
      hangs.push(culprit);
      outcomes.push({
        index: culprit,
        kind: fuzzCase(culprit).kind,
        result: r.signal ? `killed (${r.signal}): hang or crash` : `crashed (exit ${r.status})`,
        ms: 0,
        finding: r.stderr.slice(-2000),
      });
      s = culprit + 1;
    } else s += n;
    process.stderr.write(`fuzz: ${outcomes.length}/${count} cases\r`);
  }
  const findings = outcomes.filter((o) => o.finding !== undefined);
  const slowest = [...outcomes].sort((a, b) => b.ms - a.ms)[0];
  console.log(
    `\nfuzz lane: ${outcomes.length} cases (${start}..${start + count - 1}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; slowest case ${slowest?.index} (${slowest?.ms.toFixed(0)} ms)`,
  );
  console.log(tally(outcomes));
  for (const f of findings) console.log(`FINDING case ${f.index} (${f.kind}): ${f.result}: ${f.finding}`);
  console.log(`${outcomes.length - findings.length} passed, ${findings.length} failed`);
  process.exitCode = findings.length > 0 || hangs.length > 0 ? 1 : 0;
}
