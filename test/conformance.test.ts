// ONNX backend node conformance over the cases copied under test/fixtures/onnx-node/
// (a 2026 ONNX commit; test/conformance/suite.ts says what each case must do).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCases } from './conformance/cases.ts';
import { conformanceSuite, readExpectedFailures } from './conformance/suite.ts';

conformanceSuite({
  title: 'ONNX node conformance (C backend)',
  cases: loadCases(),
  expected: readExpectedFailures(new URL('./conformance/expected_failures.yaml', import.meta.url)),
  expectedFile: 'test/conformance/expected_failures.yaml',
  cacheDir: join(tmpdir(), 'volta-conformance-cache'),
});
