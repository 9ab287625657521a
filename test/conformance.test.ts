// ONNX backend node conformance. Every case whose ops the registry claims must
// pass through the C backend (or be listed, with a code and reason, in
// expected_failures.yaml); every case with an unclaimed op must fail with
// VOLTA_E_UNSUPPORTED_OP. A listed gap that starts passing fails the run.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isVoltaError, type VoltaError } from '../compiler/ir/errors.ts';
import { Tensor, Volta } from '../runtime/index.ts';
import { type Case, compareOutput, loadCases, loadTensors } from './conformance/cases.ts';

const cases = loadCases();
const expectedFailures = parse(readFileSync(new URL('./conformance/expected_failures.yaml', import.meta.url), 'utf8')) as Record<
  string,
  { code: string; reason: string }
>;
const cacheDir = join(tmpdir(), 'volta-conformance-cache');
const tally = { passed: 0, failed: 0, unsupported: 0, knownGaps: 0 };

function hasCode(e: unknown, code: string): boolean {
  if (!isVoltaError(e)) return false;
  if (e.code === code) return true;
  return (e.details.problems ?? []).some((p: VoltaError) => p.code === code);
}

async function runCase(c: Case): Promise<string | undefined> {
  const inputs = loadTensors(c, 'input');
  // Inputs that decide shapes (Reshape's shape, Slice's starts...) are fed like the others: the
  // session specialises on their values at the first run (runtime/specialize.ts).
  const session = await Volta.compile(join(c.dir, 'model.onnx'), { target: 'c', mode: 'strict', cacheDir });
  const feeds: Record<string, Tensor> = {};
  c.inputNames.forEach((n, i) => {
    feeds[n] = new Tensor(inputs[i].dtype, inputs[i].data, inputs[i].shape);
  });
  const out = await session.run(feeds);
  const expected = loadTensors(c, 'output');
  for (const [i, n] of session.outputNames.entries()) {
    const t = out[n];
    const diff = compareOutput({ dtype: t.type, shape: t.dims, data: t.data }, expected[i]);
    if (diff) return `output ${n}: ${diff}`;
  }
  return undefined;
}

describe('ONNX node conformance (C backend)', () => {
  for (const c of cases) {
    const known = expectedFailures[c.name];
    if (!c.claimed) {
      it(`${c.name} fails with VOLTA_E_UNSUPPORTED_OP (unclaimed: ${c.unclaimedOps.join(', ')})`, async () => {
        tally.unsupported++;
        const err = await Volta.compile(join(c.dir, 'model.onnx'), { cacheDir }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(hasCode(err, 'VOLTA_E_UNSUPPORTED_OP'), String(err)).toBe(true);
      });
      continue;
    }
    if (known !== undefined) {
      it(`${c.name} is a known gap (${known.code}: ${known.reason})`, async () => {
        const err = await runCase(c).then(
          (diff) => diff ?? 'passes',
          (e: unknown) => e,
        );
        expect(err, 'a listed gap now passes: remove it from expected_failures.yaml').not.toBe('passes');
        if (known.code === 'MISMATCH') expect(typeof err).toBe('string');
        else expect(hasCode(err, known.code), String(err)).toBe(true);
        tally.failed++;
        tally.knownGaps++;
      });
      continue;
    }
    it(`${c.name} passes`, async () => {
      const diff = await runCase(c).catch((e: unknown) => `threw ${String(e)}`);
      if (diff === undefined) tally.passed++;
      else tally.failed++;
      expect(diff).toBeUndefined();
    });
  }
  afterAll(() => {
    console.log(`conformance: ${tally.passed} passed, ${tally.failed} failed, ${tally.unsupported} unsupported`);
    console.log(`  (failed includes ${tally.knownGaps} known gaps listed in test/conformance/expected_failures.yaml)`);
  });
});
