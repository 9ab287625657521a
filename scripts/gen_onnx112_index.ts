// `npm run conformance:index`: rewrites test/conformance/onnx112_cases.tsv (the index of the ONNX 1.12
// node cases that docs/ONNX_COVERAGE.md counts) from Debian's libonnx-testdata where it is installed.
import { existsSync, writeFileSync } from 'node:fs';
import { ONNX112_INDEX, onnx112Dir, renderIndex } from '../test/conformance/cases.ts';

const dir = onnx112Dir();
if (!existsSync(dir)) {
  console.error(`no ONNX 1.12 node cases at ${dir}: apt-get install libonnx-testdata, or set VOLTA_ONNX_TESTDATA`);
  process.exit(1);
}
writeFileSync(ONNX112_INDEX, renderIndex(dir));
console.log(`wrote ${ONNX112_INDEX.pathname}`);
