// `npm run coverage:docs`: regenerates docs/ONNX_COVERAGE.md from the registry.
import { writeFileSync } from 'node:fs';
import { renderCoverageDoc } from './coverage_doc.ts';

const out = new URL('../docs/ONNX_COVERAGE.md', import.meta.url);
writeFileSync(out, renderCoverageDoc());
console.log(`wrote ${out.pathname}`);
