// Policies as code: every clause of docs/governance/*.md has an id (e.g.
// NUM-07) and names the tests that prove it. `npm run policy:check` (and
// test/policy.test.ts in npm test) fails when a clause names no test, names a
// test file or title that does not exist, when an exception has no rationale,
// or when a test tags itself with an id ("[NUM-07]" in its title) that no
// clause has.
//
// Clause syntax (one list item, continuation lines indented):
//   - **NUM-07** What is promised. Tests: `test/numerics.test.ts` "title fragment"; `test/x.test.ts` "other".
//   - **NUM-X1** (exception) What is not promised. Rationale: why. Tests: `test/x.test.ts` "title".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

export interface TestRef {
  readonly file: string;
  /** A fragment of the test's title as written in the source; absent: the file must tag the clause id. */
  readonly title?: string;
}

export interface Clause {
  readonly id: string;
  readonly doc: string;
  readonly text: string;
  readonly exception: boolean;
  readonly tests: readonly TestRef[];
}

const CLAUSE = /^- \*\*([A-Z]{2,4}-[0-9X]\d)\*\*\s*(.*)$/;

export function parseClauses(doc: string, text: string): Clause[] {
  const out: Clause[] = [];
  let cur: { id: string; lines: string[] } | undefined;
  const flush = () => {
    if (!cur) return;
    const body = cur.lines.join(' ').replace(/\s+/g, ' ').trim();
    const testsAt = body.search(/\bTests:/);
    const tests: TestRef[] = [];
    if (testsAt >= 0) {
      for (const m of body.slice(testsAt).matchAll(/`([^`]+)`(?:\s+"([^"]+)")?/g)) tests.push({ file: m[1], title: m[2] });
    }
    out.push({ id: cur.id, doc, text: testsAt >= 0 ? body.slice(0, testsAt).trim() : body, exception: /^\(exception\)/.test(body), tests });
    cur = undefined;
  };
  for (const line of text.split('\n')) {
    const m = CLAUSE.exec(line);
    if (m) {
      flush();
      cur = { id: m[1], lines: [m[2]] };
    } else if (cur && /^\s+\S/.test(line)) cur.lines.push(line.trim());
    else flush();
  }
  flush();
  return out;
}

function files(dir: string, ext: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'fixtures' ? [] : files(`${dir}/${e.name}`, ext)) : e.name.endsWith(ext) ? [`${dir}/${e.name}`] : [],
  );
}

export function allClauses(): Clause[] {
  return files('docs/governance', '.md')
    .sort()
    .flatMap((d) => parseClauses(d, readFileSync(join(ROOT, d), 'utf8')));
}

const read = (f: string): string | undefined => {
  try {
    return readFileSync(join(ROOT, f), 'utf8');
  } catch {
    return undefined;
  }
};

/** Every problem of the policies; [] when each clause is proved by existing tests. */
export function checkPolicies(clauses: readonly Clause[] = allClauses(), testFiles: readonly string[] = files('test', '.ts')): string[] {
  const problems: string[] = [];
  const ids = new Map<string, Clause>();
  for (const c of clauses) {
    if (ids.has(c.id)) problems.push(`${c.doc}: ${c.id} is defined twice (also in ${ids.get(c.id)!.doc})`);
    ids.set(c.id, c);
    if (c.tests.length === 0) problems.push(`${c.doc}: ${c.id} names no test`);
    if (c.exception && !/Rationale:/i.test(c.text)) problems.push(`${c.doc}: ${c.id} is an exception without a rationale`);
    for (const t of c.tests) {
      const src = read(t.file);
      if (src === undefined) problems.push(`${c.doc}: ${c.id} names ${t.file}, which does not exist`);
      else if (t.title !== undefined && !src.includes(t.title)) problems.push(`${c.doc}: ${c.id} names test "${t.title}", which ${t.file} does not have`);
      else if (t.title === undefined && !src.includes(`[${c.id}]`)) problems.push(`${c.doc}: ${c.id} names ${t.file}, which has no test tagged [${c.id}]`);
    }
  }
  for (const f of testFiles) {
    for (const m of (read(f) ?? '').matchAll(/\[([A-Z]{2,4}-[0-9X]\d)\]/g)) {
      if (!ids.has(m[1])) problems.push(`${f}: tags [${m[1]}], which is no clause in docs/governance/`);
    }
  }
  return [...new Set(problems)];
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const clauses = allClauses();
  const problems = checkPolicies(clauses);
  for (const c of clauses) console.log(`${c.id.padEnd(7)} ${c.exception ? '(exception) ' : ''}${c.tests.length} test(s)  ${c.doc}`);
  for (const p of problems) console.log(`FAIL ${p}`);
  console.log(`${clauses.length - new Set(problems.map((p) => /([A-Z]{2,4}-[0-9X]\d)/.exec(p)?.[1])).size} passed, ${problems.length} failed`);
  process.exitCode = problems.length ? 1 : 0;
}
