// The conformance suite, shared by the ONNX node case sets (test/conformance*.test.ts).
// Every case whose ops the registry claims (and whose dtypes Volta has) must pass
// through the C backend in strict mode, or be listed, with a code and reason, in the
// set's expected-failures file; a case with an unclaimed op must fail with
// VOLTA_E_UNSUPPORTED_OP, one with a dtype Volta lacks with VOLTA_E_UNSUPPORTED_DTYPE.
// A listed gap that starts passing fails the run, as does a listed case that is not a case.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isVoltaError, type VoltaError } from '../../compiler/ir/errors.ts';
import type { TensorData } from '../../compiler/ir/tensor.ts';
import { Tensor, Volta } from '../../runtime/index.ts';
import { type Case, compareOutput, loadTensors } from './cases.ts';

/** code: a VoltaError code the case must fail with, or MISMATCH; oracle: onnxruntime where ORT computes what Volta does (checked). */
export type ExpectedFailures = Record<string, { code: string; reason: string; oracle?: 'onnxruntime' }>;

export function readExpectedFailures(file: URL): ExpectedFailures {
  return (parse(readFileSync(file, 'utf8')) ?? {}) as ExpectedFailures;
}

export function hasCode(e: unknown, code: string): boolean {
  if (!isVoltaError(e)) return false;
  if (e.code === code) return true;
  return (e.details.problems ?? []).some((p: VoltaError) => p.code === code);
}

/** Compiles and runs one case; undefined when every output matches, else what differs. Throws what the compile throws. */
export async function runCase(c: Case, cacheDir: string): Promise<string | undefined> {
  const { outputs, names } = await runVolta(c, cacheDir);
  const expected = loadTensors(c, 'output');
  for (const [i, n] of names.entries()) {
    const diff = compareOutput(outputs[i], expected[i]);
    if (diff) return `output ${n}: ${diff}`;
  }
  return undefined;
}

/** Volta's outputs against onnxruntime's on the case's inputs (onnxruntime as the expected side). */
export async function compareWithOrtOnCase(c: Case, cacheDir: string): Promise<string | undefined> {
  const { outputs, names } = await runVolta(c, cacheDir);
  const s = await ort.InferenceSession.create(join(c.dir, 'model.onnx'));
  const inputs = loadTensors(c, 'input');
  const feeds = Object.fromEntries(c.inputNames.map((n, i) => [n, new ort.Tensor(inputs[i].dtype, inputs[i].data as never, [...inputs[i].shape])]));
  const theirs = await s.run(feeds);
  for (const [i, n] of names.entries()) {
    const t = theirs[n];
    const diff = compareOutput(outputs[i], { dtype: t.type as TensorData['dtype'], shape: [...t.dims], data: t.data as TensorData['data'] });
    if (diff) return `output ${n} vs onnxruntime: ${diff}`;
  }
  return undefined;
}

async function runVolta(c: Case, cacheDir: string): Promise<{ outputs: TensorData[]; names: readonly string[] }> {
  const inputs = loadTensors(c, 'input');
  // Inputs that decide shapes (Reshape's shape, Slice's starts...) are fed like the others: the
  // session specialises on their values at the first run (runtime/specialize.ts).
  const session = await Volta.compile(join(c.dir, 'model.onnx'), { target: 'c', mode: 'strict', cacheDir });
  const feeds: Record<string, Tensor> = {};
  c.inputNames.forEach((n, i) => {
    feeds[n] = new Tensor(inputs[i].dtype, inputs[i].data, inputs[i].shape);
  });
  const out = await session.run(feeds);
  const outputs = session.outputNames.map((n) => ({ dtype: out[n].type, shape: out[n].dims, data: out[n].data }));
  return { outputs, names: session.outputNames };
}

export interface Tally {
  total: number;
  claimed: number;
  passed: number;
  unsupportedOp: number;
  unsupportedDtype: number;
  /** Listed gaps by code (MISMATCH for a wrong result). */
  gaps: Record<string, number>;
  failed: number;
}

export function conformanceSuite(o: { title: string; cases: Case[]; expected: ExpectedFailures; expectedFile: string; cacheDir: string }): Tally {
  const { cases, expected, cacheDir } = o;
  const tally: Tally = { total: cases.length, claimed: 0, passed: 0, unsupportedOp: 0, unsupportedDtype: 0, gaps: {}, failed: 0 };
  const compileError = (c: Case) =>
    Volta.compile(join(c.dir, 'model.onnx'), { target: 'c', mode: 'strict', cacheDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
  describe(o.title, () => {
    it(`every case listed in ${o.expectedFile} is a claimed case of this set`, () => {
      const claimed = new Set(cases.filter((c) => c.claimed && c.unsupportedDtypes.length === 0).map((c) => c.name));
      expect(Object.keys(expected).filter((n) => !claimed.has(n))).toEqual([]);
    });
    for (const c of cases) {
      const known = expected[c.name];
      if (!c.claimed) {
        it(`${c.name} fails with VOLTA_E_UNSUPPORTED_OP (unclaimed: ${c.unclaimedOps.join(', ')})`, async () => {
          const err = await compileError(c);
          expect(hasCode(err, 'VOLTA_E_UNSUPPORTED_OP'), String(err)).toBe(true);
          tally.unsupportedOp++;
        });
        continue;
      }
      if (c.unsupportedDtypes.length > 0) {
        it(`${c.name} fails with VOLTA_E_UNSUPPORTED_DTYPE (no ${c.unsupportedDtypes.join(', ')} in Volta)`, async () => {
          const err = await compileError(c);
          expect(hasCode(err, 'VOLTA_E_UNSUPPORTED_DTYPE'), String(err)).toBe(true);
          tally.unsupportedDtype++;
        });
        continue;
      }
      tally.claimed++;
      if (known !== undefined) {
        it(`${c.name} is a known gap (${known.code}: ${known.reason})`, async () => {
          const err = await runCase(c, cacheDir).then(
            (diff) => diff ?? 'passes',
            (e: unknown) => e,
          );
          expect(err, `a listed gap now passes: remove it from ${o.expectedFile}`).not.toBe('passes');
          if (known.code === 'MISMATCH') expect(typeof err, String(err)).toBe('string');
          else expect(hasCode(err, known.code), String(err)).toBe(true);
          if (known.oracle === 'onnxruntime') expect(await compareWithOrtOnCase(c, cacheDir)).toBeUndefined();
          tally.gaps[known.code] = (tally.gaps[known.code] ?? 0) + 1;
        });
        continue;
      }
      it(`${c.name} passes`, async () => {
        const diff = await runCase(c, cacheDir).catch((e: unknown) => `threw ${String(e)}`);
        if (diff === undefined) tally.passed++;
        else tally.failed++;
        expect(diff).toBeUndefined();
      });
    }
    afterAll(() => {
      const gaps = Object.entries(tally.gaps)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      console.log(
        `${o.title}: ${tally.total} cases; ${tally.claimed} claimed with Volta dtypes: ${tally.passed} passed, ` +
          `${tally.failed} failed, known gaps (${o.expectedFile}): ${gaps || 'none'}; ` +
          `${tally.unsupportedOp} refused VOLTA_E_UNSUPPORTED_OP, ${tally.unsupportedDtype} refused VOLTA_E_UNSUPPORTED_DTYPE`,
      );
    });
  });
  return tally;
}
