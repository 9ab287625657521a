#!/usr/bin/env node
// `npm test`: type-check, lint, then vitest; ends with the plain
// "N passed, N failed" line CI reads (vitest's own summary is not read).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

let failedChecks = 0;
let passedChecks = 0;
for (const [name, cmd, args] of [
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['lint', bin('biome'), ['check', '.']],
]) {
  console.log(`\n== ${name}`);
  if (run(cmd, args) === 0) passedChecks++;
  else {
    failedChecks++;
    console.log(`${name} FAILED`);
  }
}

const outDir = join(root, 'test-results');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const jsonFile = join(outDir, 'vitest.json');
const extra = process.argv.slice(2);
console.log('\n== vitest');
const status = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...extra]);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(jsonFile, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that failed to load has no tests counted; count it as one failure.
  if (status !== 0 && failed === 0) failed = Math.max(1, r.numFailedTestSuites ?? 0);
} catch {
  failed = 1;
}
passed += passedChecks;
failed += failedChecks;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && status === 0 ? 0 : 1);
