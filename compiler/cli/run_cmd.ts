// `volta run`: compile (cached), run, print outputs, fingerprint, cache and timings.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Session, Volta } from '../../runtime/index.ts';
import { Tensor } from '../../runtime/tensor.ts';
import { defaultCacheDir } from '../build/build.ts';
import { DTYPES, type DType, dtypeFromOnnx } from '../ir/dtype.ts';
import { VoltaError } from '../ir/errors.ts';
import { numel, shapeStr } from '../ir/shape.ts';
import { decodeModel } from '../onnx/proto.ts';
import { readRegularFile } from '../onnx/read_file.ts';
import { compileOptions, type Io, usage, type Values } from './args.ts';
import { formatValues, ms, shown, table, timingsText } from './format.ts';
import { namedFiles, readInputFile } from './tensor_files.ts';
// ---- run --------------------------------------------------------------------

export interface InputInfo {
  name: string;
  dtype: DType;
  dims: number[];
}

/** The model's run inputs (graph inputs that are not initializers), read from the file. */
export function modelInputs(path: string): InputInfo[] {
  const m = decodeModel(readRegularFile(path, { what: 'model', code: 'VOLTA_E_BAD_MODEL' }));
  const inits = new Set(m.graph.initializer.map((t) => t.name));
  return m.graph.input
    .filter((vi) => !inits.has(vi.name))
    .map((vi) => ({ name: vi.name, dtype: dtypeFromOnnx(vi.elemType) ?? 'float32', dims: (vi.dims ?? []).map((d) => (typeof d === 'number' ? d : 0)) }));
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

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** JSON for a tensor's values: numbers, int64 as decimal strings (exact beyond 2^53). */
export function jsonValues(t: Tensor): (number | string)[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x.toString() : x));
}

export async function cmdRun(model: string, v: Values, io: Io): Promise<number> {
  const runs = v.runs === undefined ? 5 : Number(v.runs);
  if (!Number.isInteger(runs) || runs < 1) throw usage('run', `--runs ${JSON.stringify(v.runs)} is not a positive integer`);
  const given = namedFiles('input', v.input as string[] | undefined, (found) => usage('run', found));
  const profile = v.profile === true;
  const options = compileOptions(v);
  if (profile && options.target !== undefined && options.target !== 'c') throw usage('run', '--profile times kernels of the C backend only; use --target c');
  const cacheDir = resolve(typeof v.cache === 'string' ? v.cache : defaultCacheDir());
  const t0 = performance.now();
  const session = await Volta.compile(model, { ...options, cacheDir, ...(profile ? { profile: true } : {}) });
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
  // The compiled shapes (the model's own, or what --input-shape fixed); from the file for a specialising session.
  const infos = session.inputs?.map((x) => ({ name: x.name, dtype: x.dtype, dims: [...x.shape] })) ?? modelInputs(resolve(model));
  const feeds: Record<string, Tensor> = {};
  const sources: { name: string; dtype: string; shape: number[]; from: string }[] = [];
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
    sources.push({ name, dtype: t.type, shape: [...t.dims], from });
  });

  // The first run is async: a model whose inputs decide shapes compiles its variant here.
  const outputs = await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    session.runSync(feeds);
    times.push(performance.now() - s);
  }
  const kernels = profile ? profileKernels(session, feeds, runs) : undefined;
  const r = session.report();
  const timings = { ...r.timings, 'compile total': compileMs };
  if (v.json) {
    const json = {
      model: shown(resolve(model)),
      backend: r.backend,
      requestedTarget: r.requestedTarget,
      mode: r.mode,
      fallback: r.fallback ?? null,
      fingerprint: r.fingerprint,
      cacheHit: r.cacheHit,
      addonPath: r.addonPath,
      inputs: sources,
      outputs: session.outputNames.map((name) => ({ name, dtype: outputs[name].type, shape: [...outputs[name].dims], data: jsonValues(outputs[name]) })),
      notes: r.notes,
      timings,
      run: { runs, medianMs: median(times) },
      ...(r.specialization ? { specialization: r.specialization } : {}),
      ...(kernels ? { profile: kernels } : {}),
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `model        ${shown(resolve(model))}`,
    `backend      ${r.backend} (target ${r.requestedTarget}, mode ${r.mode}, isa ${r.isa}, ${r.threads} thread${r.threads === 1 ? '' : 's'})${r.fallback ? `, fell back from cuda: ${r.fallback.reason}` : ''}`,
    `fingerprint  ${r.fingerprint}${profile ? ' (profiled build)' : ''}`,
    `cache        ${r.cacheHit ? 'hit' : 'miss'} (${shown(r.addonPath)})`,
    ...(r.specialization
      ? [
          `specialised  on ${Object.entries(r.specialization.variants.at(-1)?.values ?? {})
            .map(([k, xs]) => `${k}=[${xs.join(',')}]`)
            .join(' ')} (inputs that decide shapes)`,
        ]
      : []),
    '',
    'inputs',
    table(sources.map((x) => [x.name, `${x.dtype} ${shapeStr(x.shape)}`, `from ${x.from}`])),
    '',
    'outputs',
  ];
  for (const name of session.outputNames) {
    const t = outputs[name];
    lines.push(`  ${name}  ${t.type} ${shapeStr(t.dims)}`, `    ${formatValues(t)}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push('', 'timings', timingsText({ ...timings, [`run (median of ${runs})`]: median(times) }));
  if (kernels) {
    const total = kernels.reduce((s, k) => s + k.medianNs, 0);
    lines.push(
      '',
      `profile (median of ${runs} profiled runs per kernel, schedule order)`,
      table([
        ['kernel', 'time', 'share'],
        ...kernels.map((k) => [k.kernel, ms(k.medianNs / 1e6).padStart(11), `${k.share.toFixed(1).padStart(5)} %`]),
        ['total', ms(total / 1e6).padStart(11), ''],
      ]),
    );
  }
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

/** Each kernel's median time over `runs` profiled runs and its share of their sum. */
function profileKernels(session: Session, feeds: Record<string, Tensor>, runs: number) {
  const per = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    for (const k of session.runProfiled(feeds).kernels) per.set(k.kernel, [...(per.get(k.kernel) ?? []), k.ns]);
  }
  const medians = [...per].map(([kernel, ns]) => ({ kernel, medianNs: median(ns) }));
  const total = medians.reduce((s, k) => s + k.medianNs, 0);
  return medians.map((k) => ({ ...k, share: total > 0 ? (100 * k.medianNs) / total : 0 }));
}
