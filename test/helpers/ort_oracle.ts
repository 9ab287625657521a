// onnxruntime-node as a test oracle for single-op models written with OnnxWriter:
// one model holds a whole attribute matrix (one node and output per case), so it
// costs one native build. Volta's C addon must equal its TS reference bit for bit
// and agree with onnxruntime within a stated tolerance.
import ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { DType } from '../../compiler/ir/dtype.ts';
import { referenceRun } from '../../compiler/reference.ts';
import { type CompileOptions, type Session, Tensor, Volta } from '../../runtime/index.ts';
import { sameBits } from './bits.ts';

export interface Feed {
  readonly dtype: DType;
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  readonly dims: readonly number[];
}

/**
 * Relative error of v against the oracle o: max over elements of
 * |v - o| / max(|o|, 1e-3 * max|o|) (NaN where exactly one side is NaN).
 */
export function relError(v: ArrayLike<number>, o: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < o.length; i++) if (Number.isFinite(o[i])) peak = Math.max(peak, Math.abs(o[i]));
  let worst = 0;
  for (let i = 0; i < o.length; i++) {
    if (Number.isNaN(v[i]) && Number.isNaN(o[i])) continue;
    if (v[i] === o[i]) continue;
    const e = Math.abs(v[i] - o[i]) / Math.max(Math.abs(o[i]), 1e-3 * peak, 1e-30);
    worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.max(worst, e);
  }
  return worst;
}

export interface OracleResult {
  /** Per output name: relative error against onnxruntime. */
  readonly errors: Record<string, number>;
  readonly session: Session;
  /** Per output name: Volta's values and onnxruntime's (for exact comparisons). */
  readonly ours: Record<string, ArrayLike<number | bigint>>;
  readonly theirs: Record<string, ArrayLike<number | bigint>>;
}

/**
 * Runs the model in Volta (C backend) and onnxruntime on the same feeds. Checks the
 * addon against referenceRun bit for bit and every output's shape against onnxruntime;
 * returns the relative errors (the caller states the tolerance).
 */
export async function compareWithOrt(
  bytes: Uint8Array,
  feeds: Record<string, Feed>,
  opts: { cacheDir: string; session?: Session; compile?: CompileOptions },
): Promise<OracleResult> {
  const session = opts.session ?? (await Volta.compile(bytes, { ...opts.compile, cacheDir: opts.cacheDir }));
  const compiled = Volta.compileOnly(bytes, opts.compile);
  const g = compiled.graph;
  const ours = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new Tensor(f.dtype, f.data, f.dims)])));
  const ref = referenceRun(
    compiled,
    g.inputs.map((id) => {
      const f = feeds[g.value(id).name];
      return { dtype: f.dtype, shape: [...f.dims], data: f.data };
    }),
  );
  session.outputNames.forEach((n, i) => {
    expect(sameBits(ours[n].data, ref[i].data), `${n}: C addon == TS reference`).toBe(true);
  });
  const ortSession = await ort.InferenceSession.create(bytes);
  const theirs = await ortSession.run(
    Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(f.dtype === 'bool' ? 'bool' : f.dtype, f.data, f.dims)])),
  );
  const errors: Record<string, number> = {};
  const mine: Record<string, ArrayLike<number | bigint>> = {};
  const oracle: Record<string, ArrayLike<number | bigint>> = {};
  for (const n of session.outputNames) {
    expect([...ours[n].dims], `${n}: shape vs onnxruntime`).toEqual(theirs[n].dims.map(Number));
    const o = theirs[n].data as ArrayLike<number>;
    mine[n] = ours[n].data as ArrayLike<number>;
    oracle[n] = o;
    errors[n] =
      typeof o[0] === 'bigint' ? (sameBits(ours[n].data, theirs[n].data as BigInt64Array) ? 0 : Infinity) : relError(ours[n].data as ArrayLike<number>, o);
  }
  return { errors, session, ours: mine, theirs: oracle };
}

/** The worst error and which output has it, for one summary line per op. */
export function worst(errors: Record<string, number>): { name: string; error: number } {
  let name = '';
  let error = -1;
  for (const [n, e] of Object.entries(errors)) if (e > error) [name, error] = [n, e];
  return { name, error };
}
