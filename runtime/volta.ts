// Volta.compile: model (path, bytes or IR graph) -> loaded Session. Handles the
// target choice: strict mode never falls back; balanced mode falls back from
// CUDA to C when no device is usable and records it in session.report().
// A model whose graph inputs decide shapes and are not bound gets a session
// that specialises on their values at run time (specialize.ts).
import { dirname, resolve } from 'node:path';
import { type BuildBackend, buildAddon, defaultCacheDir } from '../compiler/build/build.ts';
import { type Compiled, type CompileOptions, compileGraph, compileModel, resolveOptions } from '../compiler/compile.ts';
import { dtypeFromOnnx, onnxDtypeName } from '../compiler/ir/dtype.ts';
import { VoltaError } from '../compiler/ir/errors.ts';
import { Graph } from '../compiler/ir/graph.ts';
import { preflight } from '../compiler/onnx/preflight.ts';
import { decodeModel } from '../compiler/onnx/proto.ts';
import { readRegularFile } from '../compiler/onnx/read_file.ts';
import { shapeInputs } from '../compiler/onnx/shape_inputs.ts';
import { cudaStatus } from './cuda_probe.ts';
import { type Fallback, LoadedModel } from './loaded.ts';
import { Session } from './session.ts';
import { DEFAULT_SPECIALIZATION_CACHE_SIZE, type ShapeInputInfo, Specializer } from './specialize.ts';

export type ModelSource = string | Uint8Array | Graph;

function readModel(model: string, options: CompileOptions): { bytes: Uint8Array; baseDir: string } {
  const path = resolve(model);
  return { bytes: readRegularFile(path, { what: 'model', code: 'VOLTA_E_BAD_MODEL', maxBytes: options.maxFileBytes }), baseDir: dirname(path) };
}

export function compileOnly(model: ModelSource, options: CompileOptions = {}): Compiled {
  if (model instanceof Graph) return compileGraph(model, options);
  if (typeof model === 'string') {
    const { bytes, baseDir } = readModel(model, options);
    return compileModel(bytes, options, baseDir);
  }
  return compileModel(model, options);
}

/** Picks the backend (falling back only in balanced mode), builds through the cache and loads the addon. */
export async function load(compiled: Compiled, options: CompileOptions): Promise<LoadedModel> {
  const o = compiled.options;
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  let backend: BuildBackend = o.target === 'cuda-cpu' ? 'cuda-cpu' : 'c';
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
  return new LoadedModel(compiled, build, backend, fallback, extra);
}

export async function compile(model: ModelSource, options: CompileOptions = {}): Promise<Session> {
  const o = resolveOptions(options);
  if (!(model instanceof Graph)) {
    const { bytes, baseDir } = typeof model === 'string' ? readModel(model, options) : { bytes: model, baseDir: undefined };
    const decoded = decodeModel(bytes);
    const bound = options.bindInputs ?? {};
    const unbound = shapeInputs(decoded).filter((s) => !(s.name in bound));
    if (unbound.length > 0) {
      // Nothing is imported until the first run: refuse now what no run-time value can make compile.
      preflight(decoded);
      const inits = new Set(decoded.graph.initializer.map((t) => t.name));
      const declared = decoded.graph.input.filter((v) => !inits.has(v.name));
      const infos: ShapeInputInfo[] = unbound.map((s) => {
        const vi = declared.find((v) => v.name === s.name)!;
        const dtype = dtypeFromOnnx(vi.elemType);
        if (dtype === undefined)
          throw new VoltaError('VOLTA_E_UNSUPPORTED_DTYPE', { found: `input ${JSON.stringify(s.name)} has dtype ${onnxDtypeName(vi.elemType)}` });
        return { name: s.name, dtype, dims: vi.dims };
      });
      const specializer = new Specializer(infos, o.specializationCacheSize ?? DEFAULT_SPECIALIZATION_CACHE_SIZE, async (values) =>
        load(compileModel(decoded, { ...options, bindInputs: { ...bound, ...values } }, baseDir), options),
      );
      return new Session({
        specializer,
        inputNames: declared.filter((v) => !(v.name in bound)).map((v) => v.name),
        outputNames: decoded.graph.output.map((v) => v.name),
        report: {
          fingerprint: '',
          requestedTarget: o.target,
          backend: o.target,
          mode: o.mode,
          isa: o.isa,
          threads: o.target === 'c' ? o.threads : 1,
          cacheHit: false,
          addonPath: '',
          timings: {},
          notes: [],
          kernels: [],
        },
      });
    }
    return new Session(await load(compileModel(decoded, options, baseDir), options));
  }
  return new Session(await load(compileOnly(model, options), options));
}

export const Volta = { compile, compileOnly };
