#!/usr/bin/env node
// Prints the test files of a vitest lane (scripts/ci/lanes.json), one per line:
// the files the lane claims, or for `unit` every test file no other lane claims.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
export const LANES = JSON.parse(readFileSync(join(root, 'scripts/ci/lanes.json'), 'utf8')).lanes;

export function testFiles(dir = 'test') {
  return readdirSync(join(root, dir), { withFileTypes: true })
    .flatMap((e) => {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(p);
      return e.name.endsWith('.test.ts') ? [p] : [];
    })
    .sort();
}

export function laneOf(file) {
  const claims = Object.entries(LANES).filter(([, l]) => (l.tests ?? []).some((prefix) => file.startsWith(prefix)));
  if (claims.length > 1) throw new Error(`${file} is claimed by several lanes: ${claims.map(([n]) => n).join(', ')}`);
  return claims.length === 1 ? claims[0][0] : 'unit';
}

export function filesOf(lane) {
  if (LANES[lane]?.tests === undefined) throw new Error(`lane ${lane} runs no vitest files`);
  return testFiles().filter((f) => laneOf(f) === lane);
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(filesOf(process.argv[2]).join('\n'));
