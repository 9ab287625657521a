// Volta.compile: model (path, bytes or IR graph) -> loaded Session. Handles the
// target choice: strict mode never falls back; balanced mode falls back from
// CUDA to C when no device is usable and records it in session.report().
import { dirname, resolve } from 'node:path';
import { buildAddon, defaultCacheDir } from '../compiler/build/build.ts';
import { type Compiled, type CompileOptions, compileGraph, compileModel, resolveOptions } from '../compiler/compile.ts';
import { VoltaError } from '../compiler/ir/errors.ts';
import { Graph } from '../compiler/ir/graph.ts';
import { readRegularFile } from '../compiler/onnx/read_file.ts';
import { cudaStatus } from './cuda_probe.ts';
import { type Fallback, Session } from './session.ts';

export type ModelSource = string | Uint8Array | Graph;

export function compileOnly(model: ModelSource, options: CompileOptions = {}): Compiled {
  if (model instanceof Graph) return compileGraph(model, options);
  if (typeof model === 'string') {
    const path = resolve(model);
    const bytes = readRegularFile(path, { what: 'model', code: 'VOLTA_E_BAD_MODEL', maxBytes: options.maxFileBytes });
    return compileModel(bytes, options, dirname(path));
  }
  return compileModel(model, options);
}

export async function compile(model: ModelSource, options: CompileOptions = {}): Promise<Session> {
  const o = resolveOptions(options);
  const compiled = compileOnly(model, options);
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  let backend: 'c' | 'cuda' = 'c';
  let fallback: Fallback | undefined;
  const extra: Record<string, number> = {};
  if (o.target === 'cuda') {
    const t0 = performance.now();
    const cuda = await cudaStatus(cacheDir);
    extra['cuda-probe'] = performance.now() - t0;
    if (cuda.devices > 0) backend = 'cuda';
    else if (o.mode === 'strict') {
      throw new VoltaError('VOLTA_E_NO_CUDA_DEVICE', {
        found: cuda.reason,
        hint: "run on a machine with a CUDA GPU, use target: 'c', or mode: 'balanced' to fall back to C (reported in session.report())",
      });
    } else fallback = { from: 'cuda', to: 'c', reason: cuda.reason };
  }
  const build = await buildAddon(compiled, backend, cacheDir);
  return new Session(compiled, build, backend, fallback, extra);
}

export const Volta = { compile, compileOnly };
