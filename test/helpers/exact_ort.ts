// Exact-equality checks against onnxruntime for index ops (ArgMax, TopK, Gather*, Scatter*,
// CumSum, OneHot, Hardmax): one model holds many cases; the C addon must equal the TS
// reference bit for bit (compareWithOrt) and every output must equal onnxruntime's exactly.
import { expect } from 'vitest';
import { randomFloats } from './models.ts';
import { compareWithOrt, type Feed } from './ort_oracle.ts';

/** float32 values with many ties (integers in [-3, 3]) and NaN at the given flat positions. */
export function tiedFloats(dims: readonly number[], seed: number, nanAt: readonly number[] = []): Feed {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from(randomFloats(n, seed, 3.5), Math.round);
  for (const i of nanAt) if (i < n) data[i] = Number.NaN;
  return { dtype: 'float32', data, dims };
}

export function floats(dims: readonly number[], seed: number): Feed {
  return {
    dtype: 'float32',
    data: randomFloats(
      dims.reduce((a, b) => a * b, 1),
      seed,
      2,
    ),
    dims,
  };
}

export function ints64(dims: readonly number[], values: readonly number[]): Feed {
  return { dtype: 'int64', data: BigInt64Array.from(values, BigInt), dims };
}

/** Positions where two outputs differ (NaN equals NaN; -0 equals +0, as onnxruntime does not promise signed zeros). */
function mismatches(a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>): string[] {
  const out: string[] = [];
  if (a.length !== b.length) return [`length ${a.length} vs ${b.length}`];
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    if (x === y || (typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y))) continue;
    out.push(`[${i}] volta ${x} onnxruntime ${y}`);
  }
  return out;
}

/** Compiles and runs once; asserts C == TS reference bit for bit and exact equality with onnxruntime for every output. */
export async function expectExact(label: string, bytes: Uint8Array, feeds: Record<string, Feed>, cacheDir: string): Promise<void> {
  // compareWithOrt checks C == TS reference and the shapes; only the comparison is exact here.
  const { session, ours, theirs } = await compareWithOrt(bytes, feeds, { cacheDir });
  const bad: string[] = [];
  for (const n of session.outputNames) {
    const m = mismatches(ours[n], theirs[n]);
    if (m.length > 0) bad.push(`${n}: ${m.length} differ, first ${m.slice(0, 4).join('; ')}`);
  }
  console.log(`[${label}] ${session.outputNames.length} outputs; ${bad.length} differ from onnxruntime`);
  expect(bad, `${label}: every output equals onnxruntime exactly`).toEqual([]);
}

export type { Feed };
