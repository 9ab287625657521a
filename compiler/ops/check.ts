// Checks one node against its registry entry: attributes (schema, defaults,
// allowed values), input count and dtypes, then runs shape inference. Shared by
// ONNX import and the TS graph builder, so both accept exactly the same graphs.
import { VoltaError } from '../ir/errors.ts';
import type { Attrs, AttrValue, Value } from '../ir/graph.ts';
import { isTensorAttr, sortAttrs } from '../ir/graph.ts';
import { checkShape } from '../ir/shape.ts';
import { type AttrSpec, defaultFor } from './attr.ts';
import type { NodeCtx, OpDef, OutType } from './define.ts';

export interface NodeRef {
  readonly name: string;
  readonly op: string;
}

function attrMatches(spec: AttrSpec, v: AttrValue): boolean {
  switch (spec.kind) {
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'float':
      return typeof v === 'number';
    case 'ints':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x));
    case 'floats':
      return Array.isArray(v) && v.every((x) => typeof x === 'number');
    case 'string':
      return typeof v === 'string';
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'tensor':
      return isTensorAttr(v);
  }
}

function show(v: AttrValue): string {
  if (isTensorAttr(v)) return `tensor ${v.dtype}[${v.shape.join(',')}]`;
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Validates given attributes and fills defaults. Returns every problem found. */
export function resolveAttrs(op: OpDef, node: NodeRef, given: Readonly<Record<string, AttrValue>>, opset: number): { attrs: Attrs; problems: VoltaError[] } {
  const problems: VoltaError[] = [];
  const out: Record<string, AttrValue> = {};
  const err = (found: string, expected: string, code: 'VOLTA_E_UNSUPPORTED_ATTR' | 'VOLTA_E_BAD_MODEL' = 'VOLTA_E_UNSUPPORTED_ATTR') =>
    problems.push(new VoltaError(code, { node: node.name, op: node.op, found, expected }));
  const known = Object.keys(op.attrs).sort();
  for (const name of Object.keys(given).sort()) {
    const spec = op.attrs[name];
    const v = given[name];
    if (spec === undefined) {
      err(`attribute ${name}=${show(v)} is not supported`, known.length ? `attributes ${known.join(', ')}` : 'no attributes');
      continue;
    }
    if (!attrMatches(spec, v)) {
      err(`attribute ${name}=${show(v)} has the wrong type`, `${spec.kind}`);
      continue;
    }
    if (spec.allowed !== undefined && !spec.allowed.includes(v as number | string)) {
      err(`${name}=${show(v)}`, spec.allowed.map((a) => String(a)).join(', '));
      continue;
    }
    const bad = spec.check?.(v);
    if (bad !== undefined) {
      err(`${name}=${show(v)}`, bad);
      continue;
    }
    // Float attributes are float32 in ONNX: round here so built and imported graphs agree (and fingerprint alike).
    out[name] = spec.kind === 'float' ? Math.fround(v as number) : spec.kind === 'floats' ? (v as number[]).map(Math.fround) : v;
  }
  for (const name of known) {
    if (name in out || name in given) continue;
    const spec = op.attrs[name];
    const d = defaultFor(spec, opset);
    if (d !== undefined) out[name] = d;
    else if (!spec.optional) err(`required attribute ${name} is missing`, `${name} (${spec.kind})`, 'VOLTA_E_BAD_MODEL');
  }
  return { attrs: sortAttrs(out), problems };
}

/** Input arity and type constraints. */
export function checkInputs(op: OpDef, node: NodeRef, inputs: readonly (Value | undefined)[]): VoltaError[] {
  const problems: VoltaError[] = [];
  const err = (code: 'VOLTA_E_BAD_MODEL' | 'VOLTA_E_UNSUPPORTED_DTYPE', found: string, expected?: string) =>
    problems.push(new VoltaError(code, { node: node.name, op: node.op, found, expected }));
  const last = op.inputs[op.inputs.length - 1];
  const variadic = last?.variadic === true;
  if (inputs.length > op.inputs.length && !variadic) err('VOLTA_E_BAD_MODEL', `${inputs.length} inputs`, `at most ${op.inputs.length}`);
  const bound = new Map<string, string>();
  const specs = variadic ? [...op.inputs, ...Array(Math.max(0, inputs.length - op.inputs.length)).fill(last)] : op.inputs;
  specs.forEach((spec, i) => {
    const v = inputs[i];
    if (v === undefined) {
      if (!spec.optional) err('VOLTA_E_BAD_MODEL', `required input ${spec.name} (#${i}) is missing`);
      return;
    }
    const allowed = op.types[spec.type] ?? [];
    if (!allowed.includes(v.dtype)) {
      err('VOLTA_E_UNSUPPORTED_DTYPE', `input ${spec.name} has dtype ${v.dtype}`, allowed.join(', '));
      return;
    }
    const prev = bound.get(spec.type);
    if (prev !== undefined && prev !== v.dtype)
      err('VOLTA_E_UNSUPPORTED_DTYPE', `input ${spec.name} is ${v.dtype} but another ${spec.type} input is ${prev}`, 'matching dtypes');
    bound.set(spec.type, v.dtype);
  });
  return problems;
}

/** Full check + inference for a node whose inputs are all known. Throws the first problem. */
export function inferNode(op: OpDef, ctx: NodeCtx): readonly OutType[] {
  const outs = op.infer(ctx);
  outs.forEach((o, i) => checkShape(o.shape, { node: ctx.node.name, op: ctx.node.op, what: `output ${i}` }));
  return outs;
}
