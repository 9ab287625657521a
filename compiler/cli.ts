// The `volta` command line: compile, run and inspect ONNX models. bin/volta.mjs
// registers tsx and calls main(). User errors (VoltaError) print their message,
// code first, and exit 1; anything else is a bug: "internal error", stack, exit 2.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Volta } from '../runtime/index.ts';
import { readNpy } from '../runtime/npy.ts';
import { Tensor } from '../runtime/tensor.ts';
import { addonSource, buildAddon, compileCudaObject, defaultCacheDir } from './build/build.ts';
import { findTools } from './build/toolchain.ts';
import type { KernelPlan } from './codegen/plan.ts';
import type { Compiled, CompileOptions } from './compile.ts';
import { isVoltaError, VoltaError } from './errors.ts';
import { DTYPES, type DType, dtypeFromOnnx } from './ir/dtype.ts';
import { numel, shapeStr } from './ir/shape.ts';
import { decodeModel, decodeTensor } from './onnx/proto.ts';
import { tensorFromProto } from './onnx/tensor_proto.ts';
import { firstDivergentPass } from './passes/manager.ts';
import { VOLTA_VERSION } from './version.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

// ---- help -------------------------------------------------------------------

const MAIN_HELP = `volta ${VOLTA_VERSION}: a deterministic ahead-of-time compiler from ONNX to C and CUDA

Usage: volta <command> [options]

Commands:
  compile <model.onnx> -o <dir>   write the generated sources, weights and plan, and build the addon
  run <model.onnx>                compile (cached), run once and print the outputs and timings
  inspect <model.onnx>            show ops, passes, kernel plans, memory plan and fingerprint

Run 'volta <command> --help' for a command's options.
`;

const COMMON_OPTS = `  --target c|cuda             backend (default c)
  --mode strict|balanced      strict (default) never falls back or accepts non-finite constants;
                              balanced falls back from cuda to c and accepts them, with a note`;

const HELP: Record<string, string> = {
  compile: `Usage: volta compile <model.onnx> -o <dir> [options]

Writes into <dir>: model.c, model.cu, addon.cc (the addon glue for --target),
weights.bin (the constants blob), plan.json (kernels, memory plan, fingerprint)
and volta.node (the addon, built through the cache and copied). For target c,
model.cu is also compiled with 'nvcc -c' to model_cuda.o when nvcc is on PATH.
Prints the fingerprint and per-stage timings.

Options:
  -o, --out <dir>             output directory (required)
${COMMON_OPTS}
  --dump <dir>                also write one NNN_<pass>.ir snapshot per pass there
  --cache <dir>               addon cache (default $VOLTA_CACHE_DIR or ./.volta-cache)
  -h, --help                  show this help
`,
  run: `Usage: volta run <model.onnx> [options]

Compiles the model (the addon is cached by fingerprint), runs it and prints each
output (name, dtype, dims, values; long tensors are shortened), the fingerprint,
whether the addon came from the cache, per-stage timings and the run time (the
median of --runs timed runs after a first, untimed one).

Inputs: --input name=file for each input; .npy (float32/int64/int32/bool,
little-endian, C order) or .pb (an ONNX TensorProto). An input not given:
  - the first input reads input.pb next to the model if that file exists
    (--example requires it to);
  - any other input is filled deterministically: element i is
    (i mod 10) / 10 for float32, i mod 2 for int32/int64/bool.

Options:
  --input <name=file>         an input tensor (repeatable)
  --example                   use input.pb next to the model for the first input
${COMMON_OPTS}
  --cache <dir>               addon cache (default $VOLTA_CACHE_DIR or ./.volta-cache)
  --runs <n>                  timed runs for the median (default 5)
  -h, --help                  show this help
`,
  inspect: `Usage: volta inspect <model.onnx> [options]

Prints the model's ops and counts, inputs and outputs, every pass with its
snapshot fingerprint and the rewrites it made, the kernel plans, the memory plan
and the fingerprint. Nothing is built.

Options:
  --passes                    also print each pass's IR text
  --compare <other.onnx>      compile both and name the first pass whose IR differs
  --json                      print one JSON object instead of text
${COMMON_OPTS}
  -h, --help                  show this help
`,
};

// ---- argument parsing -------------------------------------------------------

type OptSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

const TARGET_MODE: OptSpec = { target: { type: 'string' }, mode: { type: 'string' } };

const SPECS: Record<string, OptSpec> = {
  compile: { ...TARGET_MODE, out: { type: 'string', short: 'o' }, dump: { type: 'string' }, cache: { type: 'string' } },
  run: { ...TARGET_MODE, input: { type: 'string', multiple: true }, example: { type: 'boolean' }, cache: { type: 'string' }, runs: { type: 'string' } },
  inspect: { ...TARGET_MODE, passes: { type: 'boolean' }, compare: { type: 'string' }, json: { type: 'boolean' } },
};

type Values = Record<string, string | boolean | string[] | undefined>;

function usage(cmd: string, found: string): VoltaError {
  return new VoltaError('VOLTA_E_BAD_OPTION', { found, hint: `see 'volta ${cmd} --help'` });
}

function parse(cmd: string, args: string[]): { values: Values; model?: string } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...SPECS[cmd], help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs reports unknown options and missing values as TypeErrors with ERR_PARSE_ARGS_* codes.
    if ((e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw usage(cmd, (e as Error).message);
    throw e;
  }
  const { values, positionals } = parsed;
  if (values.help) return { values };
  if (positionals.length !== 1) throw usage(cmd, positionals.length === 0 ? 'no model file given' : `several model files given: ${positionals.join(' ')}`);
  return { values, model: positionals[0] };
}

function compileOptions(v: Values): CompileOptions {
  return { target: v.target as CompileOptions['target'], mode: v.mode as CompileOptions['mode'] };
}

// ---- formatting -------------------------------------------------------------

/** A path as the user would type it: relative to cwd when inside it. */
function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

// Sub-millisecond times (a small model's run) keep microseconds.
const ms = (x: number) => `${x.toFixed(x < 1 ? 3 : 2)} ms`;

function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd()).join('\n');
}

function timingsText(t: Readonly<Record<string, number>>): string {
  return table(Object.entries(t).map(([k, v]) => [k, ms(v).padStart(11)]));
}

function formatValue(v: number | bigint, dtype: DType): string {
  if (typeof v === 'bigint' || dtype !== 'float32') return String(v);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** Values of a tensor, flat; tensors over 20 elements show the first 10 and last 4. */
export function formatValues(t: Tensor): string {
  const xs = Array.from(t.data as ArrayLike<number | bigint>);
  const f = (v: number | bigint) => formatValue(v, t.type);
  if (xs.length <= 20) return `[${xs.map(f).join(', ')}]`;
  return `[${xs.slice(0, 10).map(f).join(', ')}, ..., ${xs.slice(-4).map(f).join(', ')}] (${xs.length} values)`;
}

function kernelShape(p: KernelPlan): string {
  switch (p.kind) {
    case 'elementwise':
      return `shape ${shapeStr(p.shape)}`;
    case 'matmul':
      return `${p.batch.length ? `batch ${shapeStr(p.batch)} ` : ''}M ${p.m} N ${p.n} K ${p.k}`;
    case 'softmax':
      return `outer ${p.outer} axis ${p.axis} inner ${p.inner}${p.log ? ' (log)' : ''}`;
    case 'reduce':
      return `${p.combine} kept ${shapeStr(p.kept)} reduced ${shapeStr(p.reduced)}`;
    case 'concat':
      return `outer ${p.outer} axis ${p.sizes.join('+')} inner ${p.inner}`;
    case 'window':
      return `${p.mode} out ${shapeStr([p.n, p.m, ...p.outSpatial])} kernel ${shapeStr(p.kernel)}`;
  }
}

function kernelsOf(c: Compiled) {
  return c.schedule.kernels.map((k) => ({
    kernel: `k${k.index}`,
    name: k.plan.name,
    kind: k.plan.kind,
    ops: [...k.plan.ops],
    nodes: [...k.plan.nodes],
    shape: kernelShape(k.plan),
  }));
}

function memoryOf(c: Compiled) {
  const m = c.memory;
  return {
    arenaBytes: m.arenaBytes,
    weightsBytes: m.weightsBytes,
    buffers: m.buffers.map((b) => ({ id: b.id, kind: b.kind, dtype: b.dtype, bytes: b.bytes, offset: b.offset, ...(b.live ? { live: [...b.live] } : {}) })),
  };
}

function valuesOf(c: Compiled, ids: readonly string[]) {
  return ids.map((id) => {
    const v = c.graph.value(id);
    return { name: v.name, dtype: v.dtype, shape: [...v.shape] };
  });
}

/** Rewrites grouped by rule: "check-node x4 (@n0 @n1 @n2 @n3)". */
function rewritesText(rw: readonly { rule: string; node: string }[]): string {
  if (rw.length === 0) return 'no rewrites';
  const by = new Map<string, string[]>();
  for (const r of rw) by.set(r.rule, [...(by.get(r.rule) ?? []), r.node]);
  return [...by]
    .map(([rule, nodes]) => {
      const list = nodes.slice(0, 8).map((n) => `@${n}`);
      if (nodes.length > 8) list.push(`+${nodes.length - 8} more`);
      return `${rule} x${nodes.length} (${list.join(' ')})`;
    })
    .join(', ');
}

// ---- compile ----------------------------------------------------------------

async function cmdCompile(model: string, v: Values, io: Io): Promise<number> {
  if (typeof v.out !== 'string') throw usage('compile', 'no output directory (-o <dir>)');
  const out = resolve(v.out);
  const o = compileOptions(v);
  const dump = typeof v.dump === 'string' ? resolve(v.dump) : undefined;
  const compiled = Volta.compileOnly(model, { ...o, dumpDir: dump });
  const backend = compiled.options.target;
  const cacheDir = resolve(typeof v.cache === 'string' ? v.cache : defaultCacheDir());
  mkdirSync(out, { recursive: true });
  // Emit both first: emission is timed by the compiler (emit-c, emit-cuda), 'write' is only the files.
  const [c, cu] = [compiled.source('c'), compiled.source('cuda')];
  const t0 = performance.now();
  writeFileSync(join(out, 'model.c'), c);
  writeFileSync(join(out, 'model.cu'), cu);
  writeFileSync(join(out, 'addon.cc'), addonSource(backend));
  writeFileSync(join(out, 'weights.bin'), compiled.weights);
  const plan = {
    volta: VOLTA_VERSION,
    model: basename(model),
    fingerprint: compiled.fingerprint,
    target: backend,
    mode: compiled.options.mode,
    inputs: valuesOf(compiled, compiled.graph.inputs),
    outputs: valuesOf(compiled, compiled.graph.outputs),
    kernels: kernelsOf(compiled),
    memory: memoryOf(compiled),
  };
  writeFileSync(join(out, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  const writeMs = performance.now() - t0;
  const build = await buildAddon(compiled, backend, cacheDir);
  copyFileSync(build.addonPath, join(out, 'volta.node'));
  const timings: Record<string, number> = { ...compiled.timings, write: writeMs };
  for (const [k, t] of Object.entries(build.timings)) timings[`build-${k}`] = t;

  const lines = [
    `model        ${shown(resolve(model))}`,
    `target       ${backend}, mode ${compiled.options.mode}`,
    `fingerprint  ${compiled.fingerprint}`,
    `wrote        ${shown(out)}/{model.c, model.cu, addon.cc, weights.bin, plan.json}`,
    `addon        ${shown(join(out, 'volta.node'))} (cache ${build.cacheHit ? 'hit' : 'miss'}: ${shown(build.addonPath)})`,
  ];
  if (dump !== undefined) lines.push(`dumped       ${compiled.snapshots.length} pass snapshots to ${shown(dump)}`);
  if (backend === 'c') {
    // The CUDA source is checked with nvcc -c even for target c: no GPU is needed for that.
    const tools = await findTools();
    if (tools.nvcc) {
      timings['nvcc-object'] = await compileCudaObject(cu, out);
      lines.push(`nvcc         compiled model.cu -> ${shown(join(out, 'model_cuda.o'))}`);
    } else lines.push('nvcc         not on PATH: model.cu written but not compiled');
  }
  io.out(`${lines.join('\n')}\n\ntimings\n${timingsText(timings)}\n`);
  return 0;
}

// ---- run --------------------------------------------------------------------

interface InputInfo {
  name: string;
  dtype: DType;
  dims: number[];
}

/** The model's run inputs (graph inputs that are not initializers), read from the file. */
function modelInputs(path: string): InputInfo[] {
  const m = decodeModel(readFileSync(path));
  const inits = new Set(m.graph.initializer.map((t) => t.name));
  return m.graph.input
    .filter((vi) => !inits.has(vi.name))
    .map((vi) => ({ name: vi.name, dtype: dtypeFromOnnx(vi.elemType) ?? 'float32', dims: (vi.dims ?? []).map((d) => (typeof d === 'number' ? d : 0)) }));
}

function readInputFile(file: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  }
  if (file.endsWith('.npy')) return readNpy(bytes, file);
  if (file.endsWith('.pb')) {
    const t = tensorFromProto(decodeTensor(bytes), { where: `input file ${file}` });
    return new Tensor(t.dtype, t.data, t.shape);
  }
  throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `input file ${file}`, expected: '.npy or .pb (ONNX TensorProto) files' });
}

/** The documented fill for inputs given no file: (i mod 10) / 10 for float32, i mod 2 otherwise. */
export function fillInput(dtype: DType, dims: readonly number[]): Tensor {
  const n = numel(dims);
  const data = DTYPES[dtype].make(n);
  for (let i = 0; i < n; i++) {
    if (data instanceof BigInt64Array) data[i] = BigInt(i % 2);
    else data[i] = dtype === 'float32' ? (i % 10) / 10 : i % 2;
  }
  return new Tensor(dtype, data, dims);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function cmdRun(model: string, v: Values, io: Io): Promise<number> {
  const runs = v.runs === undefined ? 5 : Number(v.runs);
  if (!Number.isInteger(runs) || runs < 1) throw usage('run', `--runs ${JSON.stringify(v.runs)} is not a positive integer`);
  const given = new Map<string, string>();
  for (const spec of (v.input as string[] | undefined) ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw usage('run', `--input ${JSON.stringify(spec)} is not name=file`);
    given.set(spec.slice(0, eq), spec.slice(eq + 1));
  }
  const cacheDir = resolve(typeof v.cache === 'string' ? v.cache : defaultCacheDir());
  const t0 = performance.now();
  const session = await Volta.compile(model, { ...compileOptions(v), cacheDir });
  const compileMs = performance.now() - t0;

  const example = join(dirname(resolve(model)), 'input.pb');
  const exampleExists = existsSync(example);
  if (v.example && !exampleExists)
    throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `--example: no ${shown(example)}`, hint: 'put an input.pb (an ONNX TensorProto) next to the model' });
  for (const name of [...given.keys()].sort()) {
    if (!session.inputNames.includes(name)) {
      throw new VoltaError('VOLTA_E_BAD_INPUT', {
        found: `--input ${name}: the model has no input ${JSON.stringify(name)}`,
        expected: session.inputNames.join(', '),
      });
    }
  }
  const infos = modelInputs(resolve(model));
  const feeds: Record<string, Tensor> = {};
  const sources: string[][] = [];
  session.inputNames.forEach((name, i) => {
    const file = given.get(name);
    let t: Tensor;
    let from: string;
    if (file !== undefined) {
      t = readInputFile(file);
      from = file;
    } else if (i === 0 && exampleExists) {
      t = readInputFile(example);
      from = shown(example);
    } else {
      const info = infos.find((x) => x.name === name);
      if (info === undefined) throw new VoltaError('VOLTA_E_INTERNAL', { found: `input ${name} not in the model file` });
      t = fillInput(info.dtype, info.dims);
      from = 'deterministic fill';
    }
    feeds[name] = t;
    sources.push([name, `${t.type} ${shapeStr(t.dims)}`, `from ${from}`]);
  });

  const outputs = session.runSync(feeds);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    session.runSync(feeds);
    times.push(performance.now() - s);
  }
  const r = session.report();
  const lines = [
    `model        ${shown(resolve(model))}`,
    `backend      ${r.backend} (target ${r.requestedTarget}, mode ${r.mode})${r.fallback ? `, fell back from cuda: ${r.fallback.reason}` : ''}`,
    `fingerprint  ${r.fingerprint}`,
    `cache        ${r.cacheHit ? 'hit' : 'miss'} (${shown(r.addonPath)})`,
    '',
    'inputs',
    table(sources),
    '',
    'outputs',
  ];
  for (const name of session.outputNames) {
    const t = outputs[name];
    lines.push(`  ${name}  ${t.type} ${shapeStr(t.dims)}`, `    ${formatValues(t)}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push('', 'timings', timingsText({ ...r.timings, 'compile total': compileMs, [`run (median of ${runs})`]: median(times) }));
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

// ---- inspect ----------------------------------------------------------------

function opCounts(path: string): [string, number][] {
  const counts = new Map<string, number>();
  for (const n of decodeModel(readFileSync(path)).graph.node) {
    const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function inspectJson(model: string, c: Compiled, withText: boolean) {
  return {
    model: basename(model),
    graph: c.graph.name,
    opset: c.graph.opset,
    target: c.options.target,
    mode: c.options.mode,
    ops: Object.fromEntries(opCounts(resolve(model))),
    inputs: valuesOf(c, c.graph.inputs),
    outputs: valuesOf(c, c.graph.outputs),
    passes: c.snapshots.map((s) => ({ pass: s.pass, fingerprint: s.fingerprint, rewrites: s.rewrites, ...(withText ? { text: s.text } : {}) })),
    kernels: kernelsOf(c),
    memory: memoryOf(c),
    notes: c.notes,
    fingerprint: c.fingerprint,
  };
}

function inspectText(model: string, c: Compiled, withText: boolean): string {
  const j = inspectJson(model, c, withText);
  const io = (xs: typeof j.inputs) => table(xs.map((x) => [x.name, x.dtype, shapeStr(x.shape)]));
  const out = [
    `model        ${shown(resolve(model))} (graph ${JSON.stringify(j.graph)}, opset ${j.opset})`,
    '',
    'ops',
    table(Object.entries(j.ops).map(([op, n]) => [op, String(n)])),
    '',
    'inputs',
    io(j.inputs),
    '',
    'outputs',
    io(j.outputs),
    '',
    'passes',
  ];
  const width = Math.max(...c.snapshots.map((s) => s.pass.length));
  for (const s of c.snapshots) {
    out.push(`  ${s.pass.padEnd(width)}  ${s.fingerprint.slice(0, 16)}  ${rewritesText(s.rewrites)}`);
    if (withText) out.push(s.text.replace(/^/gm, '      ').trimEnd(), '');
  }
  out.push(
    '',
    'kernels',
    table(j.kernels.map((k) => [k.kernel, k.kind, k.ops.join('+'), k.shape, `nodes ${k.nodes.map((n) => JSON.stringify(n)).join(', ')}`])),
  );
  const temps = j.memory.buffers.filter((b) => b.kind === 'temp').length;
  out.push(
    '',
    'memory',
    `  arena ${j.memory.arenaBytes} bytes (${temps} temp buffers), weights ${j.memory.weightsBytes} bytes, ${j.memory.buffers.length} buffers in all`,
  );
  for (const n of j.notes) out.push(`note: ${n}`);
  out.push('', `fingerprint  ${j.fingerprint} (target ${j.target}, mode ${j.mode})`);
  return `${out.join('\n')}\n`;
}

function compareText(a: string, b: string, ca: Compiled, cb: Compiled, json: boolean): string {
  const d = firstDivergentPass(ca.snapshots, cb.snapshots);
  if (json) {
    const passes = (c: Compiled) => c.snapshots.map((s) => ({ pass: s.pass, fingerprint: s.fingerprint }));
    return `${JSON.stringify({ a: basename(a), b: basename(b), firstDivergentPass: d ?? null, passes: { a: passes(ca), b: passes(cb) }, fingerprints: { a: ca.fingerprint, b: cb.fingerprint } }, null, 2)}\n`;
  }
  const n = Math.max(ca.snapshots.length, cb.snapshots.length);
  const rows = [['pass', 'a', 'b', '']];
  for (let i = 0; i < n; i++) {
    const sa = ca.snapshots[i];
    const sb = cb.snapshots[i];
    const same = sa?.pass === sb?.pass && sa?.fingerprint === sb?.fingerprint;
    rows.push([
      sa?.pass ?? sb!.pass,
      sa?.fingerprint.slice(0, 16) ?? '-',
      sb?.fingerprint.slice(0, 16) ?? '-',
      same ? 'same' : i === d?.index ? 'DIFFERS (first)' : 'differs',
    ]);
  }
  return [
    `a  ${shown(resolve(a))}`,
    `b  ${shown(resolve(b))}`,
    '',
    table(rows),
    '',
    d ? `first divergent pass: ${d.pass} (#${d.index})` : 'no pass diverges: the IR is identical after every pass',
    `fingerprints ${ca.fingerprint === cb.fingerprint ? 'equal' : 'differ'}: ${ca.fingerprint.slice(0, 16)} vs ${cb.fingerprint.slice(0, 16)}`,
    '',
  ].join('\n');
}

async function cmdInspect(model: string, v: Values, io: Io): Promise<number> {
  const o = compileOptions(v);
  const c = Volta.compileOnly(model, o);
  if (typeof v.compare === 'string') {
    io.out(compareText(model, v.compare, c, Volta.compileOnly(v.compare, o), v.json === true));
    return 0;
  }
  io.out(v.json ? `${JSON.stringify(inspectJson(model, c, v.passes === true), null, 2)}\n` : inspectText(model, c, v.passes === true));
  return 0;
}

// ---- main -------------------------------------------------------------------

const COMMANDS: Record<string, (model: string, v: Values, io: Io) => Promise<number>> = { compile: cmdCompile, run: cmdRun, inspect: cmdInspect };

/** Runs one command line; returns the exit status (0 ok, 1 user error, 2 internal error). */
export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      const topic = cmd === 'help' ? rest[0] : undefined;
      io.out(topic !== undefined && topic in HELP ? HELP[topic] : MAIN_HELP);
      return 0;
    }
    if (cmd === '--version' || cmd === '-v') {
      io.out(`${VOLTA_VERSION}\n`);
      return 0;
    }
    const run = COMMANDS[cmd];
    if (run === undefined) {
      throw new VoltaError('VOLTA_E_BAD_OPTION', {
        found: `unknown command ${JSON.stringify(cmd)}`,
        expected: Object.keys(COMMANDS).join(', '),
        hint: "see 'volta --help'",
      });
    }
    const { values, model } = parse(cmd, rest);
    if (model === undefined) {
      io.out(HELP[cmd]);
      return 0;
    }
    return await run(model, values, io);
  } catch (e) {
    if (isVoltaError(e) && e.code !== 'VOLTA_E_INTERNAL') {
      io.err(`${e.message}\n`);
      return 1;
    }
    io.err(`volta: internal error (a bug in Volta; please report it with the command and model)\n${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}
