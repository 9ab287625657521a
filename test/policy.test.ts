// Policies as code (docs/governance/): every clause names tests that exist,
// exceptions have a rationale, and every clause id a test carries is a clause.
import { describe, expect, it } from 'vitest';
import { allClauses, checkPolicies, parseClauses } from '../scripts/policy.ts';

describe('policies', () => {
  it('every clause of docs/governance/ is proved by tests that exist', () => {
    const clauses = allClauses();
    expect(clauses.length).toBeGreaterThan(30);
    for (const doc of ['QUALITY_POLICY.md', 'determinism-scope.md', 'numerics.md', 'strict-vs-balanced.md', 'cuda-training-determinism.md']) {
      expect(
        clauses.some((c) => c.doc === `docs/governance/${doc}`),
        doc,
      ).toBe(true);
    }
    expect(checkPolicies(clauses)).toEqual([]);
  });

  it('the checker catches a clause without tests, a missing test, an exception without rationale, a stray tag', () => {
    const clauses = parseClauses(
      'p.md',
      [
        '- **ABC-01** no tests here',
        '- **ABC-02** a missing file. Tests: `test/nope.test.ts` "x"',
        '- **ABC-03** a missing title. Tests: `test/changelog.test.ts` "no such title anywhere"',
        '- **ABC-X1** (exception) no reason. Tests: `test/policy.test.ts` "policies"',
        '- **ABC-04** fine, and continued',
        '  on a second line. Tests: `test/policy.test.ts` "policies"',
      ].join('\n'),
    );
    expect(clauses.map((c) => [c.id, c.tests.length])).toEqual([
      ['ABC-01', 0],
      ['ABC-02', 1],
      ['ABC-03', 1],
      ['ABC-X1', 1],
      ['ABC-04', 1],
    ]);
    const problems = checkPolicies(clauses, ['test/numerics.test.ts']);
    expect(problems).toEqual(
      expect.arrayContaining([
        'p.md: ABC-01 names no test',
        'p.md: ABC-02 names test/nope.test.ts, which does not exist',
        'p.md: ABC-03 names test "no such title anywhere", which test/changelog.test.ts does not have',
        'p.md: ABC-X1 is an exception without a rationale',
      ]),
    );
    // numerics.test.ts tags NUM-01 etc., which are no clauses of this p.md.
    expect(problems.some((p) => p.startsWith('test/numerics.test.ts: tags [NUM-01]'))).toBe(true);
    expect(problems.some((p) => p.includes('ABC-04'))).toBe(false);
  });
});
