// CI lanes stay consistent: one script per lane in scripts/ci/, every lane run
// by some workflow, every script a workflow, doc or npm script names exists,
// every test file in exactly one lane, and npm test (.ci/run) is exactly the
// PR lanes.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain .mjs module without types
import { LANES, laneOf, testFiles } from '../scripts/ci/lane_tests.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
type Lane = { tier: 'pr' | 'release' | 'nightly'; tests?: string[] };
const lanes = LANES as Record<string, Lane>;
const WORKFLOWS = ['pr-gates', 'release-gates', 'nightly-quality'];
/** Scripts in scripts/ci/ that set a machine up rather than run a lane. */
const HELPERS = ['system_deps'];
const workflowText = (w: string) => readFileSync(join(ROOT, `.github/workflows/${w}.yml`), 'utf8');

/** Lanes a workflow runs: its matrix lanes (run as scripts/ci/<lane>.sh) and scripts it calls directly. */
function lanesRunBy(w: string): string[] {
  const y = parse(workflowText(w));
  const out = new Set<string>();
  for (const job of Object.values(y.jobs) as { strategy?: { matrix?: { lane?: string[] } }; steps: { run?: string }[] }[]) {
    const matrixRun = job.steps.some((s) => s.run?.includes('scripts/ci/${{ matrix.lane }}.sh'));
    if (matrixRun) for (const l of job.strategy?.matrix?.lane ?? []) out.add(l);
    for (const s of job.steps) for (const m of (s.run ?? '').matchAll(/scripts\/ci\/([\w]+)\.sh/g)) if (!HELPERS.includes(m[1])) out.add(m[1]);
  }
  return [...out].sort();
}

function docs(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? docs(`${dir}/${e.name}`) : e.name.endsWith('.md') ? [`${dir}/${e.name}`] : [],
  );
}

describe('CI lanes', () => {
  it('every lane has an executable script in scripts/ci/', () => {
    for (const lane of Object.keys(lanes)) {
      const p = join(ROOT, 'scripts/ci', `${lane}.sh`);
      expect(existsSync(p), p).toBe(true);
      expect(statSync(p).mode & 0o111, `${p} is executable`).not.toBe(0);
    }
  });

  it('every lane is run by some workflow; workflows run only lanes; the PR workflow runs exactly the PR lanes', () => {
    const run = new Set(WORKFLOWS.flatMap(lanesRunBy));
    expect(Object.keys(lanes).filter((l) => !run.has(l))).toEqual([]);
    expect([...run].filter((l) => !(l in lanes))).toEqual([]);
    const tier = (t: string) => Object.keys(lanes).filter((l) => lanes[l].tier === t);
    expect(lanesRunBy('pr-gates')).toEqual(tier('pr').sort());
    expect(lanesRunBy('release-gates')).toEqual([...tier('pr'), ...tier('release')].sort());
    expect(lanesRunBy('nightly-quality')).toEqual(expect.arrayContaining(tier('nightly')));
  });

  it('every script named by a workflow, .ci/run, package.json or a doc exists', () => {
    const texts = [
      ...WORKFLOWS.map((w) => [`.github/workflows/${w}.yml`, workflowText(w)]),
      ['.ci/run', readFileSync(join(ROOT, '.ci/run'), 'utf8')],
      ['package.json', readFileSync(join(ROOT, 'package.json'), 'utf8')],
      ...['README.md', ...docs('docs')].map((d) => [d, readFileSync(join(ROOT, d), 'utf8')]),
    ];
    const missing: string[] = [];
    for (const [where, text] of texts) {
      for (const m of text.matchAll(/\b(scripts\/[\w./-]+\.(?:sh|ts|mjs))\b/g)) if (!existsSync(join(ROOT, m[1]))) missing.push(`${where}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  it('every test file is in exactly one lane, every claim matches a file, and npm test runs exactly the PR lanes', () => {
    const files = testFiles() as string[];
    const byLane = new Map<string, string[]>();
    for (const f of files) byLane.set(laneOf(f), [...(byLane.get(laneOf(f)) ?? []), f]);
    for (const [lane, l] of Object.entries(lanes))
      for (const claim of l.tests ?? [])
        expect(
          files.some((f) => f.startsWith(claim)),
          `${lane} claims ${claim}`,
        ).toBe(true);
    // npm test = typecheck + lint + vitest over every test file: so every lane that owns test files is a PR lane.
    for (const lane of byLane.keys()) expect(lanes[lane].tier, lane).toBe('pr');
    const testMjs = readFileSync(join(ROOT, 'scripts/test.mjs'), 'utf8');
    expect(testMjs).toMatch(/tsc/);
    expect(testMjs).toMatch(/biome/);
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
