// The ONNX checker's well-formedness rules (onnx/checker.cc), applied to a
// decoded model before import: a model onnx.checker.check_model rejects is
// refused here too, each problem with a typed error naming where it is.
import { VoltaError } from '../ir/errors.ts';
import { ATTR_TYPE, DATA_LOCATION_EXTERNAL, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxTensor } from './proto.ts';

/** The newest ONNX IR version Volta knows (IR 13, 2026); a newer model may use what Volta cannot read. */
export const MAX_KNOWN_IR_VERSION = 13;

/** Value field (decoder's name) -> the attribute type it belongs to. */
const ATTR_FIELD_TYPE: Readonly<Record<string, number>> = {
  f: ATTR_TYPE.FLOAT,
  i: ATTR_TYPE.INT,
  s: ATTR_TYPE.STRING,
  t: ATTR_TYPE.TENSOR,
  g: ATTR_TYPE.GRAPH,
  sparseTensor: ATTR_TYPE.SPARSE_TENSOR,
  tp: ATTR_TYPE.TYPE_PROTO,
  floats: ATTR_TYPE.FLOATS,
  ints: ATTR_TYPE.INTS,
  strings: ATTR_TYPE.STRINGS,
  tensors: ATTR_TYPE.TENSORS,
  graphs: ATTR_TYPE.GRAPHS,
  sparseTensors: ATTR_TYPE.SPARSE_TENSORS,
  typeProtos: ATTR_TYPE.TYPE_PROTOS,
};

/** The typed field each element type stores its values in when raw_data is not used. */
const TYPED_FIELD: Readonly<Record<number, string>> = {
  1: 'float_data', // FLOAT
  14: 'float_data', // COMPLEX64
  11: 'double_data', // DOUBLE
  15: 'double_data', // COMPLEX128
  2: 'int32_data', // UINT8
  3: 'int32_data', // INT8
  4: 'int32_data', // UINT16
  5: 'int32_data', // INT16
  6: 'int32_data', // INT32
  9: 'int32_data', // BOOL
  10: 'int32_data', // FLOAT16
  16: 'int32_data', // BFLOAT16
  7: 'int64_data', // INT64
  12: 'uint64_data', // UINT32
  13: 'uint64_data', // UINT64
  8: 'string_data', // STRING
};

function attrTypeName(t: number): string {
  return Object.entries(ATTR_TYPE).find(([, v]) => v === t)?.[0] ?? `type ${t}`;
}

/** Value fields of a tensor: as the decoder saw them, or (for models built in TS) from what is set. */
function tensorFields(t: OnnxTensor): readonly string[] {
  if (t.present !== undefined) return t.present;
  const f: string[] = [];
  if (t.floatData?.length) f.push('float_data');
  if (t.int32Data?.length) f.push('int32_data');
  if (t.int64Data?.length) f.push('int64_data');
  if (t.rawData?.length) f.push('raw_data');
  if (t.doubleData?.length) f.push('double_data');
  return f;
}

function attrFields(a: OnnxAttribute): readonly string[] {
  if (a.present !== undefined) return a.present;
  return Object.keys(ATTR_FIELD_TYPE).filter((k) => {
    const v = (a as unknown as Record<string, unknown>)[k];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
}

export function checkTensor(t: OnnxTensor, where: string): VoltaError[] {
  const bad = (found: string) =>
    new VoltaError('VOLTA_E_BAD_MODEL', {
      found: `${where} ${JSON.stringify(t.name)}: ${found}`,
      hint: 'the ONNX checker rejects this tensor; re-export the model',
    });
  if (t.dataType === 0) return [bad('data_type is UNDEFINED')];
  const fields = tensorFields(t);
  if (t.dataLocation === DATA_LOCATION_EXTERNAL) {
    if (fields.length > 0) return [bad(`is stored externally but also has ${fields.join(', ')}`)];
    return [];
  }
  if (t.externalData !== undefined && t.externalData.length > 0 && fields.length > 0) {
    return [bad(`has external_data entries and ${fields.join(', ')} (data_location is not EXTERNAL)`)];
  }
  const n = t.dims.reduce((a, d) => a * d, 1);
  if (n === 0) return fields.length > 0 ? [bad(`has 0 elements but holds data in ${fields.join(', ')}`)] : [];
  if (fields.length !== 1) return [bad(fields.length === 0 ? 'holds no data' : `holds data in several fields (${fields.join(', ')}); exactly one is allowed`)];
  const want = TYPED_FIELD[t.dataType];
  if (fields[0] === 'raw_data') return t.dataType === 8 ? [bad('STRING data in raw_data')] : [];
  if (want !== undefined && fields[0] !== want) return [bad(`values of its type belong in ${want}, not ${fields[0]}`)];
  return [];
}

function checkAttribute(a: OnnxAttribute, where: string, irVersion: number): VoltaError[] {
  const bad = (found: string) =>
    new VoltaError('VOLTA_E_BAD_MODEL', { found: `${where}: ${found}`, hint: 'the ONNX checker rejects this attribute; re-export the model' });
  if (a.name === '') return [bad('an attribute has no name')];
  const at = `attribute ${a.name}`;
  const out: VoltaError[] = [];
  if (a.refAttrName !== undefined) out.push(bad(`${at} has ref_attr_name ${JSON.stringify(a.refAttrName)}, which only a function body may use`));
  if (irVersion >= 2 && a.type === ATTR_TYPE.UNDEFINED) out.push(bad(`${at} has no type`));
  const fields = attrFields(a);
  if (fields.length > 1) out.push(bad(`${at} sets several value fields (${fields.join(', ')})`));
  for (const f of fields) {
    if (a.type !== ATTR_TYPE.UNDEFINED && ATTR_FIELD_TYPE[f] !== a.type) out.push(bad(`${at} is declared ${attrTypeName(a.type)} but sets ${f}`));
  }
  if (a.t !== undefined) out.push(...checkTensor(a.t, `${where}, ${at}: tensor`));
  for (const t of a.tensors ?? []) out.push(...checkTensor(t, `${where}, ${at}: tensor`));
  return out;
}

export function checkGraph(g: OnnxGraph, irVersion: number): VoltaError[] {
  const out: VoltaError[] = [];
  for (const t of g.initializer) out.push(...checkTensor(t, 'initializer'));
  g.node.forEach((n, i) => {
    const where = `${n.opType || 'node'} ${JSON.stringify(n.name || `#${i}`)}`;
    if (n.opType === '') out.push(new VoltaError('VOLTA_E_BAD_MODEL', { found: `node #${i} has no op_type` }));
    for (const a of n.attribute) out.push(...checkAttribute(a, where, irVersion));
  });
  return out;
}

/** Every checker problem of the model (empty when it is well formed). */
export function checkModel(m: OnnxModel): VoltaError[] {
  if (m.irVersion <= 0) {
    return [
      new VoltaError('VOLTA_E_BAD_MODEL', {
        found: 'the model has no ir_version',
        hint: 'the ONNX checker requires it; re-export the model (onnx.save sets it)',
      }),
    ];
  }
  if (m.irVersion > MAX_KNOWN_IR_VERSION) {
    return [
      new VoltaError('VOLTA_E_UNSUPPORTED_OPSET', {
        found: `ir_version ${m.irVersion}`,
        expected: `ONNX IR versions 1..${MAX_KNOWN_IR_VERSION}`,
        hint: 'convert the model to an older IR version, or update Volta',
      }),
    ];
  }
  return checkGraph(m.graph, m.irVersion);
}
