// Shared pieces of the op-versus-onnxruntime tests (test/ops_*_ort.test.ts): seeded
// feeds with the IEEE special values, and the exact (bit-level) comparison used for ops
// whose result has one right answer (integer arithmetic, logic, data movement, fmod).
import { expect } from 'vitest';
import type { DType } from '../../compiler/ir/dtype.ts';
import { sameBits } from './bits.ts';
import { randomFloats } from './models.ts';
import type { Feed } from './ort_oracle.ts';

/** Zeros of both signs, infinities, NaN, extremes and subnormals, then seeded values in [-scale, scale]. */
export const SPECIALS = [0, -0, Infinity, -Infinity, Number.NaN, 1, -1, 3.4028234663852886e38, -1.1754943508222875e-38, 1e-45, 2.5, -2.5];

export function f32Feed(dims: readonly number[], seed: number, scale = 3, specials = true): Feed {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = randomFloats(n, seed, scale);
  if (specials) SPECIALS.forEach((v, i) => i < n && (data[(i * 7 + seed) % n] = v));
  return { dtype: 'float32', data, dims };
}

export function intFeed(dtype: 'int32' | 'int64', dims: readonly number[], values: readonly number[]): Feed {
  return { dtype, data: dtype === 'int32' ? Int32Array.from(values) : BigInt64Array.from(values.map(BigInt)), dims };
}

export function boolFeed(dims: readonly number[], values: readonly boolean[]): Feed {
  return { dtype: 'bool' as DType, data: Uint8Array.from(values.map(Number)), dims };
}

/** Every output equals onnxruntime's bit for bit (any NaN matches any NaN). */
export function expectExact(ours: Record<string, ArrayLike<number | bigint>>, theirs: Record<string, ArrayLike<number | bigint>>, names: readonly string[]) {
  for (const n of names) {
    const [a, b] = [ours[n], theirs[n]];
    if (a instanceof Float32Array && b instanceof Float32Array) expect(sameBits(a, b), `${n}: bits vs onnxruntime\n${[...a]}\n${[...b]}`).toBe(true);
    else expect(Array.from(a as ArrayLike<number>, Number), n).toEqual(Array.from(b as ArrayLike<number>, Number));
  }
}
