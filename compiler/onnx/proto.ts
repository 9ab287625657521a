// ONNX protobuf decode/encode. The schema (onnx.proto, next to this file) is
// parsed once with protobufjs; everything exported is a plain TS shape, so no
// protobufjs type (Message, Long) leaks into the rest of the compiler.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';
import { VoltaError } from '../ir/errors.ts';

export interface OnnxModel {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
}

export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

/** AttributeProto.AttributeType values. */
export const ATTR_TYPE = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** Only the value fields present in the file (or implied by `type`) are set. */
export interface OnnxAttribute {
  name: string;
  /** AttributeType enum value (see ATTR_TYPE). */
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  /** An OnnxGraph when decoded here; typed loosely since Volta takes no subgraphs. */
  g?: unknown;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: OnnxTensor[];
  /** OnnxGraph[] when decoded here. */
  graphs?: unknown[];
  /** Set by the decoder: the value fields present in the file (f, i, ..., sparse_tensor, tp, ...). */
  present?: readonly string[];
  /** ref_attr_name: a reference to an attribute of an enclosing function (meaningless in a model's graph). */
  refAttrName?: string;
}

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType of a tensor-typed value; 0 when the type is absent or not a tensor. */
  elemType: number;
  /** undefined = unknown rank. number = dim_value, string = dim_param, null = neither. */
  dims?: (number | string | null)[];
}

export interface OnnxTensor {
  name: string;
  dataType: number;
  /** May hold values that are not safe integers (huge or negative): validate with checkShape. */
  dims: number[];
  /** A view into the decoded bytes (not a copy): copy before viewing as a wider typed array. */
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: bigint[];
  doubleData?: number[];
  externalData?: { key: string; value: string }[];
  /** TensorProto.DataLocation: 0 = DEFAULT, 1 = EXTERNAL. */
  dataLocation: number;
  /** Set by the decoder: the value fields present in the file (raw_data, float_data, ..., also those Volta does not read). */
  present?: readonly string[];
}

export const DATA_LOCATION_EXTERNAL = 1;

// ---- schema -----------------------------------------------------------------

interface Schema {
  model: protobuf.Type;
  tensor: protobuf.Type;
}

let schema: Schema | undefined;

function loadSchema(): Schema {
  if (schema === undefined) {
    const text = readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8');
    // Loaded on the first decode or encode, not with this module: `volta --help` never pays for it.
    const pb = createRequire(import.meta.url)('protobufjs') as typeof protobuf;
    const root = pb.parse(text).root;
    schema = { model: root.lookupType('onnx.ModelProto'), tensor: root.lookupType('onnx.TensorProto') };
  }
  return schema;
}

// ---- int64 ------------------------------------------------------------------

/** protobufjs yields int64 as a Long (long.js present) or a JS number (absent). */
type LongLike = { low: number; high: number; unsigned?: boolean } | number;

function longToBigInt(v: LongLike): bigint {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : 0n;
  const b = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned === true ? b : BigInt.asIntN(64, b);
}

/**
 * int64 -> number. Exact inside the safe-integer range; outside it the result
 * rounds to a magnitude >= 2^53, so Number.isSafeInteger fails downstream
 * instead of the value wrapping to something plausible.
 */
function longToNumber(v: LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  // Fast paths: values that fit in a signed 32-bit int.
  if (v.high === 0 && v.low >= 0) return v.low;
  if (v.high === -1 && v.low < 0 && v.unsigned !== true) return v.low;
  return Number(longToBigInt(v));
}

/** bigint -> the {low, high} shape protobufjs' writer accepts for int64. */
function bigIntToLong(b: bigint): { low: number; high: number } {
  const u = BigInt.asUintN(64, b);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0 };
}

// ---- decoded (protobufjs) shapes; defaults come from the prototype ----------

interface PbEntry {
  key: string;
  value: string;
}
interface PbTensor {
  name: string;
  dataType: number;
  dims: LongLike[];
  rawData: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: LongLike[];
  doubleData: number[];
  stringData: Uint8Array[];
  uint64Data: LongLike[];
  externalData: PbEntry[];
  dataLocation: number;
}
interface PbDim {
  dimValue?: LongLike | null;
  dimParam?: string | null;
  value?: string;
}
interface PbValueInfo {
  name: string;
  type?: { tensorType?: { elemType: number; shape?: { dim: PbDim[] } | null } | null } | null;
}
interface PbAttribute {
  name: string;
  type: number;
  f: number;
  i: LongLike;
  s: Uint8Array;
  t?: PbTensor | null;
  g?: PbGraph | null;
  floats: number[];
  ints: LongLike[];
  strings: Uint8Array[];
  tensors: PbTensor[];
  graphs: PbGraph[];
  refAttrName: string;
  sparseTensor: Uint8Array;
  sparseTensors: Uint8Array[];
  tp: Uint8Array;
  typeProtos: Uint8Array[];
}
interface PbNode {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: PbAttribute[];
}
interface PbGraph {
  name: string;
  node: PbNode[];
  initializer: PbTensor[];
  input: PbValueInfo[];
  output: PbValueInfo[];
  valueInfo: PbValueInfo[];
}
interface PbModel {
  irVersion: LongLike;
  opsetImport: { domain: string; version: LongLike }[];
  producerName: string;
  producerVersion: string;
  graph?: PbGraph | null;
}

const has = (o: object, k: string): boolean => Object.hasOwn(o, k);

/**
 * A Buffer from protobufjs becomes a plain Uint8Array view over the same bytes;
 * an absent bytes field defaults to a frozen empty Array (not a Uint8Array).
 */
function plainBytes(b: Uint8Array | readonly number[]): Uint8Array {
  if (!ArrayBuffer.isView(b)) return Uint8Array.from(b);
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

// ---- protobufjs -> plain ----------------------------------------------------

function tensorFromPb(p: PbTensor): OnnxTensor {
  const t: OnnxTensor = {
    name: p.name,
    dataType: p.dataType,
    dims: p.dims.map(longToNumber),
    dataLocation: p.dataLocation,
  };
  if (p.rawData.length > 0) t.rawData = plainBytes(p.rawData);
  if (p.floatData.length > 0) t.floatData = Array.from(p.floatData);
  if (p.int32Data.length > 0) t.int32Data = Array.from(p.int32Data);
  if (p.int64Data.length > 0) t.int64Data = p.int64Data.map(longToBigInt);
  if (p.doubleData.length > 0) t.doubleData = Array.from(p.doubleData);
  if (p.externalData.length > 0) t.externalData = p.externalData.map((e) => ({ key: e.key, value: e.value }));
  const fields: [string, ArrayLike<unknown>][] = [
    ['float_data', p.floatData],
    ['int32_data', p.int32Data],
    ['string_data', p.stringData],
    ['int64_data', p.int64Data],
    ['raw_data', p.rawData],
    ['double_data', p.doubleData],
    ['uint64_data', p.uint64Data],
  ];
  t.present = fields.filter(([, v]) => v.length > 0).map(([k]) => k);
  return t;
}

function valueInfoFromPb(p: PbValueInfo): OnnxValueInfo {
  const tt = p.type?.tensorType;
  const v: OnnxValueInfo = { name: p.name, elemType: tt?.elemType ?? 0 };
  if (tt?.shape) {
    v.dims = tt.shape.dim.map((d) => {
      // Unset oneof members still read as their type default (0, ''), so ask the
      // oneof which member is set; it keeps the last one on the wire.
      if (d.value === 'dimValue') return longToNumber(d.dimValue);
      if (d.value === 'dimParam') return d.dimParam ?? '';
      return null;
    });
  }
  return v;
}

function attributeFromPb(p: PbAttribute): OnnxAttribute {
  const a: OnnxAttribute = { name: p.name, type: p.type };
  const T = ATTR_TYPE;
  // proto3 drops zero scalars on the wire, so `type` also implies presence.
  if (has(p, 'f') || p.type === T.FLOAT) a.f = p.f;
  if (has(p, 'i') || p.type === T.INT) a.i = longToNumber(p.i);
  if (has(p, 's') || p.type === T.STRING) a.s = plainBytes(p.s);
  if (p.t) a.t = tensorFromPb(p.t);
  if (p.g) a.g = graphFromPb(p.g);
  if (p.floats.length > 0 || p.type === T.FLOATS) a.floats = Array.from(p.floats);
  if (p.ints.length > 0 || p.type === T.INTS) a.ints = p.ints.map(longToNumber);
  if (p.strings.length > 0 || p.type === T.STRINGS) a.strings = p.strings.map(plainBytes);
  if (p.tensors.length > 0 || p.type === T.TENSORS) a.tensors = p.tensors.map(tensorFromPb);
  if (p.graphs.length > 0 || p.type === T.GRAPHS) a.graphs = p.graphs.map(graphFromPb);
  // What the file sets, for the checker: a field counts when it is on the wire.
  const singular = (['f', 'i', 's', 't', 'g', 'sparseTensor', 'tp'] as const).filter((k) => has(p, k) && (k !== 't' && k !== 'g' ? true : p[k] != null));
  const repeated = (['floats', 'ints', 'strings', 'tensors', 'graphs', 'sparseTensors', 'typeProtos'] as const).filter((k) => p[k].length > 0);
  a.present = [...singular, ...repeated];
  if (p.refAttrName) a.refAttrName = p.refAttrName;
  return a;
}

function nodeFromPb(p: PbNode): OnnxNode {
  return {
    name: p.name,
    opType: p.opType,
    domain: p.domain,
    input: [...p.input],
    output: [...p.output],
    attribute: p.attribute.map(attributeFromPb),
  };
}

function graphFromPb(p: PbGraph): OnnxGraph {
  return {
    name: p.name,
    node: p.node.map(nodeFromPb),
    initializer: p.initializer.map(tensorFromPb),
    input: p.input.map(valueInfoFromPb),
    output: p.output.map(valueInfoFromPb),
    valueInfo: p.valueInfo.map(valueInfoFromPb),
  };
}

// ---- plain -> protobufjs-encodable objects -----------------------------------
// protobufjs writes every own property that is not null, so only set what to emit.

function tensorToPb(t: OnnxTensor): object {
  const p: Record<string, unknown> = { name: t.name, dataType: t.dataType, dims: t.dims, dataLocation: t.dataLocation };
  if (t.rawData !== undefined) p.rawData = t.rawData;
  if (t.floatData !== undefined) p.floatData = t.floatData;
  if (t.int32Data !== undefined) p.int32Data = t.int32Data;
  if (t.int64Data !== undefined) p.int64Data = t.int64Data.map(bigIntToLong);
  if (t.doubleData !== undefined) p.doubleData = t.doubleData;
  if (t.externalData !== undefined) p.externalData = t.externalData;
  return p;
}

function valueInfoToPb(v: OnnxValueInfo): object {
  const tensorType: Record<string, unknown> = { elemType: v.elemType };
  if (v.dims !== undefined) {
    tensorType.shape = {
      dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
    };
  }
  return { name: v.name, type: { tensorType } };
}

function attributeToPb(a: OnnxAttribute): object {
  const p: Record<string, unknown> = { name: a.name, type: a.type };
  if (a.f !== undefined) p.f = a.f;
  if (a.i !== undefined) p.i = a.i;
  if (a.s !== undefined) p.s = a.s;
  if (a.t !== undefined) p.t = tensorToPb(a.t);
  if (a.g !== undefined) p.g = graphToPb(a.g as OnnxGraph);
  if (a.floats !== undefined) p.floats = a.floats;
  if (a.ints !== undefined) p.ints = a.ints;
  if (a.strings !== undefined) p.strings = a.strings;
  if (a.tensors !== undefined) p.tensors = a.tensors.map(tensorToPb);
  if (a.graphs !== undefined) p.graphs = a.graphs.map((g) => graphToPb(g as OnnxGraph));
  if (a.refAttrName !== undefined) p.refAttrName = a.refAttrName;
  return p;
}

function graphToPb(g: OnnxGraph): object {
  return {
    name: g.name,
    node: g.node.map((n) => ({
      name: n.name,
      opType: n.opType,
      domain: n.domain,
      input: n.input,
      output: n.output,
      attribute: n.attribute.map(attributeToPb),
    })),
    initializer: g.initializer.map(tensorToPb),
    input: g.input.map(valueInfoToPb),
    output: g.output.map(valueInfoToPb),
    valueInfo: g.valueInfo.map(valueInfoToPb),
  };
}

// ---- public API ---------------------------------------------------------------

function badModel(what: string, e: unknown): VoltaError {
  const msg = e instanceof Error ? e.message : String(e);
  return new VoltaError('VOLTA_E_BAD_MODEL', {
    found: `${what} is not valid ONNX protobuf (${msg})`,
    hint: 'check the file is a complete, uncorrupted ONNX file (not truncated, not a text or LFS pointer file)',
  });
}

export function decodeModel(bytes: Uint8Array): OnnxModel {
  const s = loadSchema();
  try {
    const p = s.model.decode(bytes) as unknown as PbModel;
    if (!p.graph) {
      throw new VoltaError('VOLTA_E_BAD_MODEL', {
        found: bytes.length === 0 ? 'the model is empty (0 bytes)' : 'the model has no graph',
        hint: 'pass an ONNX ModelProto file (.onnx); a TensorProto (.pb) or other protobuf will not do',
      });
    }
    return {
      irVersion: longToNumber(p.irVersion),
      opsetImport: p.opsetImport.map((o) => ({ domain: o.domain, version: longToNumber(o.version) })),
      producerName: p.producerName,
      producerVersion: p.producerVersion,
      graph: graphFromPb(p.graph),
    };
  } catch (e) {
    // Everything protobufjs throws (truncation, bad wire type, bad UTF-8, depth limit) becomes typed.
    if (e instanceof VoltaError) throw e;
    throw badModel('the model', e);
  }
}

export function encodeModel(m: OnnxModel): Uint8Array {
  const s = loadSchema();
  return s.model
    .encode({
      irVersion: m.irVersion,
      opsetImport: m.opsetImport.map((o) => ({ domain: o.domain, version: o.version })),
      producerName: m.producerName,
      producerVersion: m.producerVersion,
      graph: graphToPb(m.graph),
    })
    .finish();
}

export function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const s = loadSchema();
  try {
    return tensorFromPb(s.tensor.decode(bytes) as unknown as PbTensor);
  } catch (e) {
    throw badModel('the tensor', e);
  }
}

export function encodeTensor(t: OnnxTensor): Uint8Array {
  return loadSchema().tensor.encode(tensorToPb(t)).finish();
}
