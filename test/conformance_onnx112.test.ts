// ONNX backend node conformance over the ONNX 1.12.0 cases of Debian's libonnx-testdata
// (932 cases, read where the package installs them or from $VOLTA_ONNX_TESTDATA; never
// copied into the repository). test/conformance/suite.ts says what each case must do.
// Without the package, or where the installed cases are another ONNX version's (their names are not
// those of the committed index), the suite is skipped, saying so.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseNames, indexCases, loadCases, ONNX112_INDEX, onnx112Dir, renderIndex } from './conformance/cases.ts';
import { conformanceSuite, readExpectedFailures } from './conformance/suite.ts';

const dir = onnx112Dir();
const title = 'ONNX 1.12 node conformance, libonnx-testdata (C backend)';
const indexed = indexCases().map((c) => c.name);
const installed = existsSync(dir) ? caseNames(dir) : undefined;
const isOnnx112 = installed !== undefined && installed.join('\n') === indexed.join('\n');
if (isOnnx112) {
  describe('ONNX 1.12 case index', () => {
    it('test/conformance/onnx112_cases.tsv (counted by docs/ONNX_COVERAGE.md) lists the installed cases (npm run conformance:index)', () => {
      expect(readFileSync(ONNX112_INDEX, 'utf8')).toBe(renderIndex(dir));
    });
  });
  conformanceSuite({
    title,
    cases: loadCases(dir),
    expected: readExpectedFailures(new URL('./conformance/expected_failures_onnx112.yaml', import.meta.url)),
    expectedFile: 'test/conformance/expected_failures_onnx112.yaml',
    cacheDir: join(tmpdir(), 'volta-conformance-cache'),
  });
} else {
  const found = installed === undefined ? 'no ONNX node cases' : `${installed.length} cases that are not ONNX 1.12.0's ${indexed.length}`;
  const why = `skipped: ${found} at ${dir} (apt-get install libonnx-testdata 1.12.0, Debian 12, or set VOLTA_ONNX_TESTDATA)`;
  console.warn(`${title}: ${why}`);
  describe(title, () => it.skip(why, () => {}));
}
