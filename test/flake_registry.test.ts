// No test is skipped or quarantined without an entry in test/flake_registry.yaml
// (file, test, owner, status, and an issue for quarantined or skipped ones), and
// every entry names a test that exists. `.only` never lands.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = new URL('..', import.meta.url).pathname;

interface Entry {
  file: string;
  test: string;
  owner: string;
  status: 'conditional' | 'quarantined' | 'skipped';
  condition?: string;
  issue?: string;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'fixtures' ? [] : sources(`${dir}/${e.name}`)) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  );
}

/** Skips in a source: [kind, title] for each it/test/describe .skip, .skipIf(..), .runIf(..), .todo. */
export function skipsIn(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of text.matchAll(/\b(?:it|test|describe)\.(skip|todo|skipIf|runIf)\b(?:\([^()]*(?:\([^()]*\)[^()]*)*\))?\(\s*(['"`])((?:\\.|(?!\2).)*)\2/g))
    out.push([m[1], m[3]]);
  return out;
}

const registry = parse(readFileSync(join(ROOT, 'test/flake_registry.yaml'), 'utf8')) as Entry[];
// This file's own examples (in strings) are not tests.
const found = sources('test')
  .filter((f) => f !== 'test/flake_registry.test.ts')
  .flatMap((file) => skipsIn(readFileSync(join(ROOT, file), 'utf8')).map(([kind, title]) => ({ file, kind, title })));

describe('flake registry', () => {
  it('every skip, conditional or todo test has an entry', () => {
    const missing = found
      .filter((f) => !registry.some((e) => e.file === f.file && f.title.startsWith(e.test)))
      .map((f) => `${f.file}: ${f.kind} ${JSON.stringify(f.title)}`);
    expect(missing).toEqual([]);
  });

  it('every entry names an existing test, and is complete', () => {
    for (const e of registry) {
      expect(
        found.some((f) => f.file === e.file && f.title.startsWith(e.test)),
        `${e.file}: ${e.test}`,
      ).toBe(true);
      expect(e.owner, `${e.test}: owner`).toBeTruthy();
      expect(['conditional', 'quarantined', 'skipped']).toContain(e.status);
      if (e.status === 'conditional') expect(e.condition, `${e.test}: condition`).toBeTruthy();
      else expect(e.issue, `${e.test}: an issue for a ${e.status} test`).toBeTruthy();
    }
  });

  it('no .only anywhere', () => {
    const only = sources('test').filter((f) => /\b(?:it|test|describe)\.only\b/.test(readFileSync(join(ROOT, f), 'utf8').replace(/\/\/.*$/gm, '')));
    expect(only.filter((f) => f !== 'test/flake_registry.test.ts')).toEqual([]);
  });

  it('sees the forms it must judge', () => {
    expect(skipsIn("it.skipIf(cuda.devices > 0)('strict: x', async () => {")).toEqual([['skipIf', 'strict: x']]);
    expect(skipsIn('it.skip(\'a\', () => {}); describe.skip(`b ${x}`, f); test.todo("c")')).toEqual([
      ['skip', 'a'],
      ['skip', 'b ${x}'],
      ['todo', 'c'],
    ]);
    expect(skipsIn("it.runIf(f(a, b))('r', g)")).toEqual([['runIf', 'r']]);
  });
});
