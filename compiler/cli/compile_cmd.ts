// `volta compile`: sources, weights, plan and the built addon in a directory.
import { copyFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Volta } from '../../runtime/index.ts';
import { writeDirAtomically } from '../build/atomic_dir.ts';
import { addonSource, buildAddon, compileCudaObject, defaultCacheDir } from '../build/build.ts';
import { findTools } from '../build/toolchain.ts';
import { VOLTA_VERSION } from '../version.ts';
import { compileOptions, type Io, usage, type Values } from './args.ts';
import { kernelsOf, memoryOf, shown, timingsText, valuesOf } from './format.ts';
// ---- compile ----------------------------------------------------------------

export async function cmdCompile(model: string, v: Values, io: Io): Promise<number> {
  if (typeof v.out !== 'string') throw usage('compile', 'no output directory (-o <dir>)');
  const out = resolve(v.out);
  const o = compileOptions(v, 'compile');
  const dump = typeof v.dump === 'string' ? resolve(v.dump) : undefined;
  const compiled = Volta.compileOnly(model, { ...o, dumpDir: dump });
  const backend = compiled.options.target;
  const cacheDir = resolve(typeof v.cache === 'string' ? v.cache : defaultCacheDir());
  // Every artifact is written into a private directory and renamed into place when complete.
  const checkCuda = backend === 'c' && v['check-cuda'] === true;
  const { lines, timings, build } = await writeDirAtomically(out, 'plan.json', async (dir) => {
    // Emit both first: emission is timed by the compiler (emit-c, emit-cuda), 'write' is only the files.
    const [c, cu] = [compiled.source('c'), compiled.source('cuda')];
    const t0 = performance.now();
    writeFileSync(join(dir, 'model.c'), c);
    writeFileSync(join(dir, 'model.cu'), cu);
    writeFileSync(join(dir, 'addon.cc'), addonSource(backend));
    writeFileSync(join(dir, 'weights.bin'), compiled.weights);
    const plan = {
      volta: VOLTA_VERSION,
      model: basename(model),
      fingerprint: compiled.fingerprint,
      target: backend,
      mode: compiled.options.mode,
      isa: compiled.options.isa,
      inputs: valuesOf(compiled, compiled.graph.inputs),
      outputs: valuesOf(compiled, compiled.graph.outputs),
      kernels: kernelsOf(compiled),
      memory: memoryOf(compiled),
    };
    writeFileSync(join(dir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
    const writeMs = performance.now() - t0;
    const build = await buildAddon(compiled, backend, cacheDir);
    copyFileSync(build.addonPath, join(dir, 'volta.node'));
    const timings: Record<string, number> = { ...compiled.timings, write: writeMs };
    for (const [k, t] of Object.entries(build.timings)) timings[`build-${k}`] = t;

    const lines = [
      `model        ${shown(resolve(model))}`,
      `target       ${backend}, mode ${compiled.options.mode}, isa ${compiled.options.isa}`,
      `fingerprint  ${compiled.fingerprint}`,
      `wrote        ${shown(out)}/{model.c, model.cu, addon.cc, weights.bin, plan.json}`,
      `addon        ${shown(join(out, 'volta.node'))} (cache ${build.cacheHit ? 'hit' : 'miss'}: ${shown(build.addonPath)})`,
    ];
    for (const n of compiled.notes) lines.push(`note: ${n}`);
    if (dump !== undefined) lines.push(`dumped       ${compiled.snapshots.length} pass snapshots to ${shown(dump)}`);
    if (checkCuda) {
      // Asked for: check that model.cu compiles (nvcc -c needs no GPU). Never run unasked: nvcc costs seconds.
      const tools = await findTools();
      if (!tools.nvcc) throw usage('compile', '--check-cuda needs nvcc on PATH');
      timings['nvcc-object'] = await compileCudaObject(cu, dir);
      lines.push(`nvcc         compiled model.cu -> ${shown(join(out, 'model_cuda.o'))}`);
    }
    return { lines, timings, build };
  });
  if (v.json) {
    const files = ['model.c', 'model.cu', 'addon.cc', 'weights.bin', 'plan.json', 'volta.node', ...(checkCuda ? ['model_cuda.o'] : [])];
    const json = {
      model: shown(resolve(model)),
      target: backend,
      mode: compiled.options.mode,
      fingerprint: compiled.fingerprint,
      outDir: shown(out),
      files,
      cacheHit: build.cacheHit,
      addonPath: build.addonPath,
      dumped: dump === undefined ? null : { dir: shown(dump), snapshots: compiled.snapshots.length },
      timings,
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  io.out(`${lines.join('\n')}\n\ntimings\n${timingsText(timings)}\n`);
  return 0;
}
