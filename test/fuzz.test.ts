// The short fuzz lane (the long one is `npm run fuzz -- --count N`): generated
// and mutated models through the whole compile; each compiles or fails with a
// typed VOLTA_E_* error, with no file written outside its own directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VoltaError } from '../runtime/index.ts';
import { fuzzCase } from './fuzz/cases.ts';
import { fuzzRoot, runCase } from './fuzz/harness.ts';

const COUNT = 600;

describe('fuzz lane (short)', () => {
  it(`${COUNT} generated and mutated models: compiled or a typed error, nothing written outside`, () => {
    const root = fuzzRoot(mkdtempSync(join(tmpdir(), 'volta-fuzz-short-')));
    const outcomes = Array.from({ length: COUNT }, (_, i) => runCase(fuzzCase(i), root));
    expect(outcomes.filter((o) => o.finding).map((o) => `${o.index} ${o.kind}: ${o.finding}`)).toEqual([]);
    // The lane exercises every kind of case and both outcomes.
    const kinds = new Set(outcomes.map((o) => o.kind));
    expect([...kinds].sort()).toEqual(['byte-mutation', 'external-data', 'generated', 'generated-chain', 'model-mutation']);
    expect(outcomes.some((o) => o.result === 'compiled')).toBe(true);
    expect(outcomes.some((o) => o.result === 'VOLTA_E_EXTERNAL_DATA')).toBe(true);
  });

  // Findings of the long lane, kept as regressions: each index with the outcome it must have now.
  const FOUND: Record<number, string> = {
    // LayerNormalization with X [3, 1] and Scale/B [3, 4]: the decomposition broadcast Y to [3, 4]
    // (VOLTA_E_INTERNAL); Scale and B must broadcast to X one way (npm run fuzz, 100 000 cases, 2026-12-06).
    45066: 'VOLTA_E_SHAPE',
  };
  it('findings of the long lane stay fixed', () => {
    const root = fuzzRoot(mkdtempSync(join(tmpdir(), 'volta-fuzz-found-')));
    for (const [i, want] of Object.entries(FOUND)) {
      const o = runCase(fuzzCase(Number(i)), root);
      expect({ index: o.index, finding: o.finding, result: o.result }).toEqual({ index: Number(i), finding: undefined, result: want });
    }
  });

  it('the same index gives the same case', () => {
    for (const i of [0, 3, 7, 9, 123]) expect(Buffer.from(fuzzCase(i).bytes).equals(Buffer.from(fuzzCase(i).bytes))).toBe(true);
  });

  it('the harness reports what it must: untyped throws, internal errors, files written outside', () => {
    const root = fuzzRoot(mkdtempSync(join(tmpdir(), 'volta-fuzz-meta-')));
    const c = fuzzCase(1);
    const untyped = runCase(c, root, () => {
      throw new TypeError('boom');
    });
    expect(untyped.finding).toMatch(/^untyped throw: TypeError: boom/);
    const internal = runCase(c, root, () => {
      throw new VoltaError('VOLTA_E_INTERNAL', { found: 'x' });
    });
    expect(internal.finding).toMatch(/^internal error/);
    const escaped = runCase(c, root, () => {
      writeFileSync(join(root, 'outside', 'pwned'), 'x');
      throw new VoltaError('VOLTA_E_BAD_MODEL');
    });
    expect(escaped.finding).toBe('a file outside the case directory changed');
  });
});
