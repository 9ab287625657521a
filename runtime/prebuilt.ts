// Loading an addon that `volta build` wrote (the "volta/prebuilt" export): no compiler, no
// toolchain, just the addon, its weights and the io recorded in the generated index.js. Used
// by the generated wrappers; load fails with VOLTA_E_ADDON when the addon's fingerprint is
// not the one the wrapper was generated for.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AnyTypedArray } from '../compiler/ir/dtype.ts';
import { VoltaError } from '../compiler/ir/errors.ts';
import { AddonRunner, type IoSpec, loadAddon } from './addon.ts';

export interface PrebuiltSpec {
  readonly fingerprint: string;
  readonly backend: string;
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  readonly arenaBytes: number;
  /** C backend: threads of the model's pool (default $VOLTA_THREADS, else every core) and the work a task needs. */
  readonly threads?: number;
  readonly minParallelWork?: number;
}

export interface PrebuiltModel {
  readonly fingerprint: string;
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  /** One run: typed arrays by input name (each the input's dtype, its element count) -> by output name. */
  run(inputs: Readonly<Record<string, AnyTypedArray>>): Record<string, AnyTypedArray>;
}

/** Loads <dir>/volta.node and <dir>/weights.bin; dir is a path or a file: URL (a trailing slash is optional). */
export async function loadPrebuilt(dir: string | URL, spec: PrebuiltSpec): Promise<PrebuiltModel> {
  const base = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const at = (f: string) => `${base.replace(/\/$/, '')}/${f}`;
  let weights: Uint8Array;
  try {
    weights = readFileSync(at('weights.bin'));
  } catch (e) {
    throw new VoltaError('VOLTA_E_ADDON', { found: `cannot read ${at('weights.bin')}: ${(e as NodeJS.ErrnoException).code}`, hint: 'run volta build again' });
  }
  const addon = loadAddon(at('volta.node'), spec.fingerprint);
  if (spec.backend === 'cuda' && (addon as unknown as { cudaDeviceCount(): number }).cudaDeviceCount() === 0)
    throw new VoltaError('VOLTA_E_NO_CUDA_DEVICE', {
      found: 'no usable CUDA device for the cuda build',
      hint: "load({ target: 'c' }) if the model was also built for c",
    });
  const threads = spec.threads ?? (Number(process.env.VOLTA_THREADS) || availableParallelism());
  const pool = spec.backend === 'c' && spec.minParallelWork !== undefined ? { threads, minParallelWork: spec.minParallelWork } : undefined;
  const runner = new AddonRunner(
    addon,
    { fingerprint: spec.fingerprint, inputs: spec.inputs, outputs: spec.outputs, weights, arenaBytes: spec.arenaBytes },
    pool,
  );
  return {
    fingerprint: spec.fingerprint,
    inputs: spec.inputs,
    outputs: spec.outputs,
    run(inputs) {
      const feeds = Object.fromEntries(
        Object.entries(inputs).map(([name, data]) => {
          const io = spec.inputs.find((x) => x.name === name);
          return [name, { type: io?.dtype ?? 'float32', data, dims: io?.shape ?? [] }];
        }),
      );
      const out = runner.run(feeds);
      return Object.fromEntries(spec.outputs.map((o) => [o.name, out[o.name].data]));
    },
  };
}
