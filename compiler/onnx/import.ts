// ONNX -> Volta IR. Validates the whole model against the op registry first and
// reports every problem in one error (each unsupported node with op, attribute
// and reason) instead of stopping at the first.

import { foldNode, isFoldable } from '../eval/fold.ts';
import { DTYPES, dtypeFromOnnx, onnxDtypeName } from '../ir/dtype.ts';
import { VoltaError } from '../ir/errors.ts';
import { type AttrValue, Graph, type Value } from '../ir/graph.ts';
import { checkShape, numel, sameShape, shapeStr } from '../ir/shape.ts';
import type { TensorData } from '../ir/tensor.ts';
import { checkInputs, inferNode, resolveAttrs } from '../ops/check.ts';
import { MAX_KNOWN_OPSET } from '../ops/elementwise.ts';
import { expandNode } from '../ops/expand.ts';
import { onnxOp } from '../ops/registry.ts';
import { checkModel } from './checker.ts';
import { unclaimedOpProblems } from './preflight.ts';
import { ATTR_TYPE, decodeModel, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './proto.ts';
import { type ShapeInput, shapeInputs } from './shape_inputs.ts';
import { tensorFromProto } from './tensor_proto.ts';

export interface ImportOptions {
  /** Directory of the model file (enables external data). */
  readonly baseDir?: string;
  /** Fixes symbolic or unknown input dims: input name -> full static shape. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Graph inputs frozen to compile-time values (they are no longer run inputs). */
  readonly bindInputs?: Readonly<Record<string, TensorData>>;
  /** Collects non-fatal notes (NaN constants, ...) for session.report() and inspect. */
  readonly notes?: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function attrValue(a: OnnxAttribute, node: { name: string; op: string }, opts: ImportOptions): AttrValue {
  switch (a.type) {
    case ATTR_TYPE.FLOAT:
      return Math.fround(a.f ?? 0);
    case ATTR_TYPE.INT:
      return a.i ?? 0;
    case ATTR_TYPE.STRING:
      return utf8.decode(a.s ?? new Uint8Array());
    case ATTR_TYPE.FLOATS:
      return (a.floats ?? []).map(Math.fround);
    case ATTR_TYPE.INTS:
      return a.ints ?? [];
    case ATTR_TYPE.STRINGS:
      return (a.strings ?? []).map((s) => utf8.decode(s));
    case ATTR_TYPE.TENSOR:
      if (a.t === undefined) throw new VoltaError('VOLTA_E_BAD_MODEL', { ...nodeRef(node), found: `attribute ${a.name} has no tensor` });
      return tensorFromProto(a.t, { baseDir: opts.baseDir, where: `attribute ${a.name} of ${node.op} ${JSON.stringify(node.name)}` });
    default:
      throw new VoltaError('VOLTA_E_UNSUPPORTED_ATTR', {
        ...nodeRef(node),
        found: `attribute ${a.name} has type ${Object.entries(ATTR_TYPE).find(([, v]) => v === a.type)?.[0] ?? a.type}`,
        expected: 'FLOAT, INT, STRING, FLOATS, INTS, STRINGS or TENSOR attributes',
      });
  }
}

function nodeRef(n: { name: string; op: string }) {
  return { node: n.name, op: n.op };
}

function valueShape(vi: OnnxValueInfo, override: readonly number[] | undefined): number[] {
  if (override !== undefined) return [...override];
  if (vi.dims === undefined) {
    throw new VoltaError('VOLTA_E_DYNAMIC_SHAPE', { found: `input ${JSON.stringify(vi.name)} has unknown rank`, hint: 'pass inputShapes for it' });
  }
  return vi.dims.map((d) => {
    if (typeof d !== 'number') {
      throw new VoltaError('VOLTA_E_DYNAMIC_SHAPE', {
        found: `input ${JSON.stringify(vi.name)} has dim ${d === null ? '?' : JSON.stringify(d)}`,
        hint: `pass inputShapes: { ${JSON.stringify(vi.name)}: [...] } to fix it`,
      });
    }
    return d;
  });
}

/**
 * IEEE special values in constants are data (clip bounds of +inf, -inf attention
 * masks, the identity of a max): accepted in both modes. NaN is accepted too (its
 * propagation is defined by the numerics policy) but noted, since it is more often
 * a broken export than intended.
 */
function noteNaN(name: string, data: Float32Array, opts: ImportOptions): void {
  // Plain loops, not findIndex/reduce callbacks: this runs once per constant on cold code (a fresh process's first compile).
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== data[i]) {
      first = i;
      break;
    }
  }
  if (first < 0) return;
  let count = 0;
  for (let i = first; i < data.length; i++) if (data[i] !== data[i]) count++;
  opts.notes?.push(`constant ${JSON.stringify(name)} holds NaN (${count} of ${data.length} elements, first at element ${first})`);
}

/** A graph input that decides shapes was given no value: name it and say how to give one. */
export function unboundShapeInput(s: ShapeInput): VoltaError {
  const n = JSON.stringify(s.name);
  return new VoltaError('VOLTA_E_DYNAMIC_SHAPE', {
    input: s.name,
    found: `input ${n} decides shapes (it is the ${s.use.position} of ${s.use.op} ${JSON.stringify(s.use.node)}), so its value must be known at compile time`,
    hint: `bind it: bindInputs: { ${n}: tensor } in the API or --bind ${s.name}=file.npy on the command line; Volta.compile without a binding specialises the session on the values seen at run time`,
  });
}

/** Node order: ONNX requires topological order, but do not trust it; stable Kahn over file order. */
function topoOrder(nodes: readonly OnnxNode[], available: ReadonlySet<string>): { order: OnnxNode[]; stuck: OnnxNode[] } {
  const have = new Set(available);
  const order: OnnxNode[] = [];
  let rest = [...nodes];
  for (;;) {
    const next: OnnxNode[] = [];
    let progressed = false;
    for (const n of rest) {
      if (n.input.every((i) => i === '' || have.has(i))) {
        order.push(n);
        for (const o of n.output) if (o !== '') have.add(o);
        progressed = true;
      } else next.push(n);
    }
    rest = next;
    if (!progressed || rest.length === 0) return { order, stuck: rest };
  }
}

export function importModel(bytes: Uint8Array, opts: ImportOptions = {}): Graph {
  return importDecoded(decodeModel(bytes), opts);
}

export function importDecoded(model: OnnxModel, opts: ImportOptions = {}): Graph {
  // What the ONNX checker rejects is refused before anything is built from it.
  const malformed = checkModel(model);
  if (malformed.length === 1) throw malformed[0];
  if (malformed.length > 1) {
    throw new VoltaError(
      'VOLTA_E_IMPORT',
      { problems: malformed, found: `${malformed.length} problems` },
      `the model is malformed: ${malformed.length} problems`,
    );
  }
  const problems: VoltaError[] = [];
  const report = (e: unknown) => {
    if (e instanceof VoltaError) problems.push(e);
    else throw e;
  };
  const onnxImport = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (onnxImport === undefined) {
    // A graph of other domains' ops only (ai.onnx.preview.training's Adam...): those ops are what Volta lacks.
    const foreign = model.graph.node.every((n) => n.domain !== '' && n.domain !== 'ai.onnx');
    const unclaimed = foreign ? unclaimedOpProblems(model.graph.node) : [];
    if (unclaimed.length === 1) throw unclaimed[0];
    if (unclaimed.length > 1) throw new VoltaError('VOLTA_E_IMPORT', { problems: unclaimed, found: `${unclaimed.length} problems` });
    throw new VoltaError('VOLTA_E_BAD_MODEL', { found: 'no opset_import for the default ONNX domain' });
  }
  const opset = onnxImport.version;
  if (opset > MAX_KNOWN_OPSET || opset < 1) {
    throw new VoltaError('VOLTA_E_UNSUPPORTED_OPSET', {
      found: `opset ${opset}`,
      expected: `ONNX opsets 1..${MAX_KNOWN_OPSET}`,
      hint: 'convert the model to a supported opset',
    });
  }
  const gp = model.graph;
  const g = new Graph(gp.name || 'model', opset);
  const byName = new Map<string, Value>();
  const define = (v: Omit<Value, 'id'>) => {
    if (byName.has(v.name)) throw new VoltaError('VOLTA_E_BAD_MODEL', { found: `value ${JSON.stringify(v.name)} is defined twice` });
    const full = g.addValue(v);
    byName.set(v.name, full);
    return full;
  };
  const initNames = new Set(gp.initializer.map((t) => t.name));
  // Values whose definition failed: their consumers are skipped quietly (the cause is already reported).
  const failedValues = new Set<string>();
  for (const name of Object.keys(opts.bindInputs ?? {}).sort()) {
    if (!gp.input.some((vi) => vi.name === name && !initNames.has(name))) {
      problems.push(
        new VoltaError('VOLTA_E_BAD_OPTION', {
          found: `bindInputs names ${JSON.stringify(name)}, which is not a graph input`,
          expected: gp.input.map((v) => JSON.stringify(v.name)).join(', '),
        }),
      );
    }
  }
  const decidesShapes = new Map(shapeInputs(model).map((s) => [s.name, s]));
  for (const vi of gp.input) {
    if (initNames.has(vi.name)) continue; // an initializer with a default: Volta treats it as a constant
    try {
      const bound = opts.bindInputs?.[vi.name];
      const shapeInput = decidesShapes.get(vi.name);
      if (bound === undefined && shapeInput !== undefined) throw unboundShapeInput(shapeInput);
      if (bound !== undefined) {
        const declared = dtypeFromOnnx(vi.elemType);
        const dims = vi.dims;
        if (
          declared === undefined ||
          declared !== bound.dtype ||
          (dims !== undefined && (dims.length !== bound.shape.length || dims.some((d, k) => typeof d === 'number' && d !== bound.shape[k])))
        ) {
          throw new VoltaError('VOLTA_E_BAD_OPTION', {
            found: `bindInputs.${vi.name} is ${bound.dtype}${shapeStr(bound.shape)}`,
            expected: `${onnxDtypeName(vi.elemType)}[${(dims ?? []).map((d) => d ?? '?').join(',')}]`,
          });
        }
        const want = (DTYPES[bound.dtype]?.make(0) ?? new Float32Array(0)).constructor;
        if (bound.data.constructor !== want || bound.data.length !== numel(bound.shape)) {
          throw new VoltaError('VOLTA_E_BAD_OPTION', {
            found: `bindInputs.${vi.name} data is ${bound.data.constructor.name}[${bound.data.length}]`,
            expected: `${want.name}[${numel(bound.shape)}]`,
          });
        }
        define({ name: vi.name, dtype: bound.dtype, shape: checkShape(bound.shape, { what: `bound input ${JSON.stringify(vi.name)}` }), data: bound });
        continue;
      }
      const dtype = dtypeFromOnnx(vi.elemType);
      if (dtype === undefined) {
        throw new VoltaError('VOLTA_E_UNSUPPORTED_DTYPE', {
          found: `input ${JSON.stringify(vi.name)} has dtype ${onnxDtypeName(vi.elemType)}`,
          expected: 'float32, int64, int32, bool',
        });
      }
      const shape = checkShape(valueShape(vi, opts.inputShapes?.[vi.name]), { what: `input ${JSON.stringify(vi.name)}` });
      g.inputs.push(define({ name: vi.name, dtype, shape }).id);
    } catch (e) {
      report(e);
      failedValues.add(vi.name);
    }
  }
  for (const t of gp.initializer) {
    try {
      const data = tensorFromProto(t, { baseDir: opts.baseDir, where: 'initializer' });
      if (data.dtype === 'float32') noteNaN(t.name, data.data as Float32Array, opts);
      define({ name: t.name, dtype: data.dtype, shape: data.shape, data });
    } catch (e) {
      report(e);
      failedValues.add(t.name);
    }
  }
  const { order, stuck } = topoOrder(gp.node, new Set([...byName.keys(), ...failedValues]));
  // Names something reads: node inputs and graph outputs (see OpDef.unreadOutputsOmitted).
  const readNames = new Set([...gp.node.flatMap((m) => m.input), ...gp.output.map((vi) => vi.name)]);
  order.forEach((node0, i) => {
    let n = node0;
    const node = { name: n.name || `${n.opType}#${i}`, op: n.opType };
    const fail = () => n.output.forEach((o) => failedValues.add(o));
    const def = onnxOp(n.domain, n.opType);
    if (def === undefined) {
      report(
        new VoltaError('VOLTA_E_UNSUPPORTED_OP', {
          ...nodeRef(node),
          found: `op ${n.domain ? `${n.domain}.` : ''}${n.opType} is not supported`,
          hint: 'see docs/ONNX_COVERAGE.md for the supported ops',
        }),
      );
      return fail();
    }
    if (opset < def.onnx.opsets[0]) {
      report(
        new VoltaError('VOLTA_E_UNSUPPORTED_OPSET', {
          ...nodeRef(node),
          found: `opset ${opset}`,
          expected: `opsets ${def.onnx.opsets[0]}..${def.onnx.opsets[1]}`,
        }),
      );
      return fail();
    }
    const given: Record<string, AttrValue> = {};
    let ok = true;
    for (const a of n.attribute) {
      try {
        if (a.name in given) throw new VoltaError('VOLTA_E_BAD_MODEL', { ...nodeRef(node), found: `attribute ${a.name} is given twice` });
        given[a.name] = attrValue(a, node, opts);
      } catch (e) {
        report(e);
        ok = false;
      }
    }
    const r = resolveAttrs(def, node, given, opset);
    problems.push(...r.problems);
    if (r.problems.length > 0) ok = false;
    if (def.unreadOutputsOmitted) {
      let k = n.output.length;
      while (k > 1 && !readNames.has(n.output[k - 1])) k--;
      if (k < n.output.length) n = { ...n, output: n.output.slice(0, k) };
    }
    if (n.output.length > def.outputs.length && !def.variadicOutput) {
      report(
        new VoltaError('VOLTA_E_UNSUPPORTED_OP', {
          ...nodeRef(node),
          found: `${n.output.length} outputs`,
          expected: `${def.outputs.length} (${def.outputs.join(', ')})`,
        }),
      );
      ok = false;
    }
    // Trailing empty names are omitted optional inputs.
    const inputs = n.input.map((name) => (name === '' ? undefined : byName.get(name)));
    if (n.input.some((name) => name !== '' && failedValues.has(name))) return fail();
    problems.push(...checkInputs(def, node, inputs));
    if (!ok || problems.some((p) => p.details.node === node.name)) return fail();
    try {
      const ctx = { node, inputs, attrs: r.attrs, opset, outputCount: n.output.length };
      if (def.lowering.kind === 'constant') {
        const data = def.lowering.value(ctx);
        if (data.dtype === 'float32') noteNaN(n.output[0], data.data as Float32Array, opts);
        define({ name: n.output[0], dtype: data.dtype, shape: data.shape, data });
        return;
      }
      const outs = inferNode(def, ctx);
      if (def.lowering.kind === 'decompose') {
        const names = n.output.filter((o) => o !== '');
        for (const o of names) if (byName.has(o)) throw new VoltaError('VOLTA_E_BAD_MODEL', { found: `value ${JSON.stringify(o)} is defined twice` });
        const values = expandNode(
          g,
          def,
          ctx,
          n.output.map((o, k) => o || `${node.name}:${k}`),
        );
        n.output.forEach((o, k) => {
          if (o !== '') byName.set(o, values[k]);
        });
        return;
      }
      // An omitted optional output in the middle ('') still gets a value: the kernel writes it, nothing reads it.
      const values = n.output.map((o, k) =>
        o === ''
          ? g.addValue({ name: `${node.name}:${k}`, dtype: outs[k].dtype, shape: outs[k].shape })
          : define({ name: o, dtype: outs[k].dtype, shape: outs[k].shape }),
      );
      const added = g.addNode({
        name: node.name,
        op: def.name,
        inputs: inputs.map((v) => v?.id ?? ''),
        outputs: values.map((v) => v?.id ?? ''),
        attrs: r.attrs,
      });
      // Constant propagation while importing: shape computations (Shape -> Slice -> Concat -> Reshape)
      // must be known before the ops that need compile-time inputs are checked.
      if (isFoldable(g, added)) {
        foldNode(g, added);
        g.nodes.pop();
        const v = g.value(added.outputs[0]);
        byName.set(v.name, v);
      }
    } catch (e) {
      report(e);
      fail();
    }
  });
  for (const n of stuck) {
    const missing = n.input.filter((i) => i !== '' && !byName.has(i) && !failedValues.has(i));
    problems.push(
      new VoltaError('VOLTA_E_BAD_MODEL', {
        node: n.name,
        op: n.opType,
        found: `inputs ${missing.map((m) => JSON.stringify(m)).join(', ')} are never defined (or form a cycle)`,
      }),
    );
  }
  for (const vi of gp.output) {
    const v = byName.get(vi.name);
    if (v === undefined) {
      if (!failedValues.has(vi.name)) problems.push(new VoltaError('VOLTA_E_BAD_MODEL', { found: `graph output ${JSON.stringify(vi.name)} is never defined` }));
      continue;
    }
    const declared = dtypeFromOnnx(vi.elemType);
    if (vi.elemType !== 0 && declared !== v.dtype) {
      problems.push(
        new VoltaError('VOLTA_E_SHAPE', { found: `output ${JSON.stringify(vi.name)} is declared ${onnxDtypeName(vi.elemType)} but computes ${v.dtype}` }),
      );
    }
    const dims = vi.dims;
    if (dims?.every((d) => typeof d === 'number') && !sameShape(dims as number[], v.shape)) {
      problems.push(
        new VoltaError('VOLTA_E_SHAPE', {
          found: `output ${JSON.stringify(vi.name)} is declared ${shapeStr(dims as number[])} but computes ${shapeStr(v.shape)}`,
        }),
      );
    }
    g.outputs.push(v.id);
  }
  if (g.outputs.length === 0 && problems.length === 0) problems.push(new VoltaError('VOLTA_E_BAD_MODEL', { found: 'the graph has no outputs' }));
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw new VoltaError('VOLTA_E_IMPORT', { problems, found: `${problems.length} problems` }, `the model cannot be compiled: ${problems.length} problems`);
  }
  return g;
}
