import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderCoverageDoc } from '../scripts/coverage_doc.ts';

it('docs/ONNX_COVERAGE.md is what the registry renders (run `npm run coverage:docs` after changing ops)', () => {
  const checkedIn = readFileSync(new URL('../docs/ONNX_COVERAGE.md', import.meta.url), 'utf8');
  expect(checkedIn).toBe(renderCoverageDoc());
});
