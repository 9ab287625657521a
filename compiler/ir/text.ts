// Canonical text form of a graph: the snapshot format of the pass manager and
// the input of the graph fingerprint. Same graph => same text, byte for byte.
import { createHash } from 'node:crypto';
import { DTYPES } from './dtype.ts';
import { type AttrValue, type Graph, isTensorAttr } from './graph.ts';
import { type TensorData, tensorBytes } from './tensor.ts';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function tensorDigest(t: TensorData): string {
  return sha256(tensorBytes(t));
}

function num(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function attrText(v: AttrValue): string {
  if (isTensorAttr(v)) return `tensor<${DTYPES[v.dtype].short}[${v.shape.join(',')}] sha256:${tensorDigest(v)}>`;
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'number' ? num(x) : JSON.stringify(x))).join(',')}]`;
  return typeof v === 'number' ? num(v) : JSON.stringify(v);
}

export function graphText(g: Graph): string {
  const ty = (id: string) => {
    const v = g.value(id);
    return `${DTYPES[v.dtype].short}[${v.shape.join(',')}]`;
  };
  const lines = [`graph ${JSON.stringify(g.name)} opset ${g.opset}`];
  for (const id of g.inputs) lines.push(`  in %${id} ${JSON.stringify(g.value(id).name)} ${ty(id)}`);
  for (const v of g.values.values()) {
    if (v.data !== undefined) lines.push(`  const %${v.id} ${JSON.stringify(v.name)} ${ty(v.id)} sha256:${tensorDigest(v.data)}`);
  }
  for (const n of g.nodes) {
    const outs = n.outputs.map((o) => `%${o} ${ty(o)}`).join(', ');
    const ins = n.inputs.map((i) => (i === '' ? '_' : `%${i}`)).join(', ');
    const attrs = Object.entries(n.attrs)
      .map(([k, v]) => `${k}=${attrText(v)}`)
      .join(', ');
    const group = n.group !== undefined ? ` group=${n.group}` : '';
    lines.push(`  ${outs} = ${n.op}(${ins})${attrs ? ` {${attrs}}` : ''} @${n.id} ${JSON.stringify(n.name)}${group}`);
  }
  for (const id of g.outputs) lines.push(`  out %${id} ${JSON.stringify(g.value(id).name)}`);
  return `${lines.join('\n')}\n`;
}
