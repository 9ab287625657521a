// `volta build`: every model of a volta.config.yaml into <outDir>/<name>/, incremental by
// fingerprint. Per model: <target>/{model.c|model.cu, addon.cc, weights.bin, volta.node} for
// each target, index.js + index.d.ts (the typed wrapper), package.json (ESM) and
// volta-build.json (what was built: fingerprints, files and their hashes). A model whose
// fingerprints and files match its volta-build.json is a cache hit: nothing is rewritten.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Volta } from '../../../runtime/index.ts';
import { writeDirAtomically } from '../../build/atomic_dir.ts';
import { addonSource, buildAddon, sourceBackend } from '../../build/build.ts';
import type { Compiled, Target } from '../../compile.ts';
import { VoltaError } from '../../ir/errors.ts';
import { sha256 } from '../../ir/text.ts';
import { VOLTA_VERSION } from '../../version.ts';
import type { BuildConfig, ModelConfig } from './config.ts';
import { generateWrapper, type WrapperIo } from './wrapper.ts';

export const MANIFEST = 'volta-build.json';

/** Progress events, in order: stage start/end per model and target, then one result per model. */
export type BuildEvent =
  | { kind: 'start'; model: string; target: string; stage: string }
  | { kind: 'done'; model: string; target: string; stage: string; ms: number }
  | { kind: 'model'; result: ModelResult };

export interface ModelResult {
  readonly name: string;
  readonly dir: string;
  /** true: fingerprints and files matched the last build; nothing was written. */
  readonly cacheHit: boolean;
  readonly targets: readonly { target: string; fingerprint: string; addonCacheHit: boolean }[];
  /** Milliseconds per target and stage (import, passes, codegen, cc, nvcc, link), then wrapper and write. */
  readonly timings: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

interface Manifest {
  volta: string;
  name: string;
  key: string;
  files: Record<string, string>;
}

function manifestOk(dir: string, key: string): boolean {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) return false;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (m.key !== key) return false;
    return Object.entries(m.files).every(([f, h]) => existsSync(join(dir, f)) && sha256(readFileSync(join(dir, f))) === h);
  } catch {
    return false;
  }
}

const ioOf = (c: Compiled, ids: readonly string[]): WrapperIo[] =>
  ids.map((id) => ({ name: c.graph.value(id).name, dtype: c.graph.value(id).dtype, shape: [...c.graph.value(id).shape] }));

async function buildModel(m: ModelConfig, outDir: string, cacheDir: string, emit: (e: BuildEvent) => void): Promise<ModelResult> {
  const dir = join(outDir, m.name);
  const timings: Record<string, Record<string, number>> = {};
  const compiled: { target: Target; c: Compiled }[] = [];
  for (const target of m.targets) {
    emit({ kind: 'start', model: m.name, target, stage: 'compile' });
    const c = Volta.compileOnly(m.path, {
      target,
      mode: m.mode,
      ...(m.inputShapes ? { inputShapes: m.inputShapes } : {}),
      ...(m.threads ? { threads: m.threads } : {}),
    });
    const t = c.timings;
    const stages = { import: t.import ?? 0, passes: (t.passes ?? 0) + (t.schedule ?? 0) + (t.memory ?? 0) + (t.fingerprint ?? 0) };
    timings[target] = { ...stages };
    for (const [stage, ms] of Object.entries(stages)) emit({ kind: 'done', model: m.name, target, stage, ms });
    compiled.push({ target, c });
  }
  const io = { inputs: ioOf(compiled[0].c, compiled[0].c.graph.inputs), outputs: ioOf(compiled[0].c, compiled[0].c.graph.outputs) };
  for (const { c } of compiled.slice(1)) {
    if (JSON.stringify({ inputs: ioOf(c, c.graph.inputs), outputs: ioOf(c, c.graph.outputs) }) !== JSON.stringify(io))
      throw new VoltaError('VOLTA_E_INTERNAL', { found: `model ${m.name}: targets disagree on inputs or outputs`, hint: 'this is a bug in Volta' });
  }
  // Everything the written files depend on: Volta's version, the model's name and io, each target's fingerprint.
  const key = sha256(
    JSON.stringify({
      volta: VOLTA_VERSION,
      name: m.name,
      source: m.source,
      io,
      threads: m.threads ?? null,
      targets: compiled.map((x) => [x.target, x.c.fingerprint]),
    }),
  );
  const summary = compiled.map((x) => ({ target: x.target as string, fingerprint: x.c.fingerprint, addonCacheHit: true }));
  if (manifestOk(dir, key)) {
    const result = { name: m.name, dir, cacheHit: true, targets: summary, timings };
    emit({ kind: 'model', result });
    return result;
  }
  const builds: { target: Target; c: Compiled; b: Awaited<ReturnType<typeof buildAddon>>; source: string }[] = [];
  for (const { target, c } of compiled) {
    // cuda-cpu builds the CUDA source with the host C++ compiler (compiler/build/build.ts).
    const emitted = sourceBackend(target);
    emit({ kind: 'start', model: m.name, target, stage: 'codegen' });
    const source = c.source(emitted);
    timings[target].codegen = c.timings[`emit-${emitted}`] ?? 0;
    emit({ kind: 'done', model: m.name, target, stage: 'codegen', ms: timings[target].codegen });
    const tool = target === 'cuda' ? 'nvcc' : 'cc';
    emit({ kind: 'start', model: m.name, target, stage: tool });
    const b = await buildAddon(c, target, cacheDir);
    const bt = b.timings;
    timings[target][tool] = (bt.cc ?? 0) + (bt.nvcc ?? 0);
    timings[target].link = (bt.cxx ?? 0) + (bt.link ?? 0) + (bt.write ?? 0);
    emit({ kind: 'done', model: m.name, target, stage: tool, ms: timings[target][tool] });
    builds.push({ target, c, b, source });
  }
  emit({ kind: 'start', model: m.name, target: '', stage: 'wrapper' });
  const t0 = performance.now();
  const wrapper = await generateWrapper({
    name: m.name,
    source: m.source,
    ...io,
    targets: builds.map((x) => ({
      target: x.target,
      backend: x.target,
      fingerprint: x.c.fingerprint,
      arenaBytes: x.c.memory.arenaBytes,
      threads: m.threads,
      minParallelWork: x.c.options.minParallelWork,
    })),
  });
  const wrapperMs = performance.now() - t0;
  emit({ kind: 'done', model: m.name, target: '', stage: 'wrapper', ms: wrapperMs });
  const t1 = performance.now();
  await writeDirAtomically(dir, MANIFEST, async (tmp) => {
    const files: Record<string, string> = {};
    const put = (f: string, data: string | Uint8Array) => {
      writeFileSync(join(tmp, f), data);
      files[f] = sha256(data);
    };
    for (const x of builds) {
      mkdirSync(join(tmp, x.target));
      put(`${x.target}/${x.target === 'c' ? 'model.c' : 'model.cu'}`, x.source);
      put(`${x.target}/addon.cc`, addonSource(x.target));
      put(`${x.target}/weights.bin`, x.c.weights);
      put(`${x.target}/volta.node`, readFileSync(x.b.addonPath));
    }
    put('index.js', wrapper.js);
    put('index.d.ts', wrapper.dts);
    put('package.json', `${JSON.stringify({ name: m.name, private: true, type: 'module', main: './index.js', types: './index.d.ts' }, null, 2)}\n`);
    writeFileSync(join(tmp, MANIFEST), `${JSON.stringify({ volta: VOLTA_VERSION, name: m.name, key, files } satisfies Manifest, null, 2)}\n`);
  });
  timings[''] = { wrapper: wrapperMs, write: performance.now() - t1 };
  const result = {
    name: m.name,
    dir,
    cacheHit: false,
    targets: builds.map((x) => ({ target: x.target as string, fingerprint: x.c.fingerprint, addonCacheHit: x.b.cacheHit })),
    timings,
  };
  emit({ kind: 'model', result });
  return result;
}

/** Builds the config's models in order (the native builds of one model run in parallel inside buildAddon). */
export async function buildProject(config: BuildConfig, cacheDir: string, emit: (e: BuildEvent) => void = () => {}): Promise<ModelResult[]> {
  const results: ModelResult[] = [];
  for (const m of config.models) results.push(await buildModel(m, config.outDir, cacheDir, emit));
  return results;
}
