// Writes ONNX models op by op, as an exporter would: real ONNX op types and
// attributes (not Volta's decompositions), initializers, static-shape inputs
// and outputs. Used for benchmark and test models with seeded weights and for
// exporting models Volta trained; the bytes load in onnxruntime as well.
import { DTYPES, type DType } from '../ir/dtype.ts';
import type { TensorData } from '../ir/tensor.ts';
import { ATTR_TYPE, encodeModel, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './proto.ts';
import { tensorToProto } from './tensor_proto.ts';

/** An attribute value; numbers are INT when integral unless wrapped in float(). */
export type WriterAttr = number | string | TensorData | readonly number[] | readonly string[] | { readonly float: number | readonly number[] };

/** Forces a FLOAT (or FLOATS) attribute for an integral number: float(1) is 1.0f. */
export const float = (v: number | readonly number[]): WriterAttr => ({ float: v });

function attribute(name: string, v: WriterAttr): OnnxAttribute {
  const enc = (s: string) => new TextEncoder().encode(s);
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: enc(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: ATTR_TYPE.INT, i: v } : { name, type: ATTR_TYPE.FLOAT, f: v };
  if ('float' in v) return typeof v.float === 'number' ? { name, type: ATTR_TYPE.FLOAT, f: v.float } : { name, type: ATTR_TYPE.FLOATS, floats: [...v.float] };
  if ('dtype' in v) return { name, type: ATTR_TYPE.TENSOR, t: tensorToProto(name, v as TensorData) };
  const xs = v as readonly (number | string)[];
  if (xs.some((x) => typeof x === 'string')) return { name, type: ATTR_TYPE.STRINGS, strings: (xs as string[]).map(enc) };
  const nums = xs as readonly number[];
  return nums.every(Number.isInteger) ? { name, type: ATTR_TYPE.INTS, ints: [...nums] } : { name, type: ATTR_TYPE.FLOATS, floats: [...nums] };
}

export class OnnxWriter {
  private readonly nodes: OnnxNode[] = [];
  private readonly inits: TensorData[] = [];
  private readonly initNames: string[] = [];
  private readonly ins: OnnxValueInfo[] = [];
  private readonly outs: OnnxValueInfo[] = [];
  private count = 0;

  constructor(
    private readonly name: string,
    private readonly opset = 17,
  ) {}

  /** A graph input; dims may be symbolic (a string) or unknown (null). */
  input(name: string, dtype: DType, dims: readonly (number | string | null)[]): string {
    this.ins.push({ name, elemType: DTYPES[dtype].onnx, dims: [...dims] });
    return name;
  }

  initializer(name: string, t: TensorData): string {
    this.inits.push(t);
    this.initNames.push(name);
    return name;
  }

  /** Adds a node; returns its output names (given, or generated from the node name). '' inputs are omitted optionals. */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, WriterAttr>> = {},
    opts: { name?: string; outputs?: number | readonly string[] } = {},
  ): string[] {
    const name = opts.name ?? `${op.toLowerCase()}_${this.count++}`;
    const outs = typeof opts.outputs === 'object' ? [...opts.outputs] : Array.from({ length: opts.outputs ?? 1 }, (_, i) => (i === 0 ? name : `${name}:${i}`));
    this.nodes.push({
      name,
      opType: op,
      domain: '',
      input: [...inputs],
      output: outs,
      attribute: Object.keys(attrs)
        .sort()
        .map((k) => attribute(k, attrs[k])),
    });
    return outs;
  }

  /** node() for single-output ops. */
  op(op: string, inputs: readonly string[], attrs: Readonly<Record<string, WriterAttr>> = {}, name?: string): string {
    return this.node(op, inputs, attrs, { name })[0];
  }

  /** A graph output; elemType 0 and no dims leave its type to inference (as many exporters do). */
  output(name: string, dtype?: DType, dims?: readonly (number | string | null)[]): void {
    this.outs.push({ name, elemType: dtype === undefined ? 0 : DTYPES[dtype].onnx, dims: dims === undefined ? undefined : [...dims] });
  }

  model(): OnnxModel {
    return {
      irVersion: 8,
      opsetImport: [{ domain: '', version: this.opset }],
      producerName: 'volta',
      producerVersion: '0',
      graph: {
        name: this.name,
        node: [...this.nodes],
        initializer: this.inits.map((t, i) => tensorToProto(this.initNames[i], t)),
        input: [...this.ins],
        output: [...this.outs],
        valueInfo: [],
      },
    };
  }

  bytes(): Uint8Array {
    return encodeModel(this.model());
  }
}
