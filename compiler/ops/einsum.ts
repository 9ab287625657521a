// Einsum over one or two operands, rewritten into ReduceSum, Transpose, Reshape and
// MatMul: letters only in one operand and not in the output are summed first; shared
// letters in the output are batch dims, shared letters not in it are contracted by one
// MatMul (k increasing over the contracted letters in the first operand's order).
// Ellipsis, repeated letters within an operand (diagonals, traces) and more than two
// operands are refused by name.
import type { Value } from '../ir/graph.ts';
import { attr } from './attr.ts';
import { defineOp, type Emitter, fail, input, type NodeCtx } from './define.ts';
import { FLOAT, MAX_KNOWN_OPSET } from './elementwise.ts';
import { GradBuilder } from './grad.ts';
import { permute, view } from './views.ts';

interface Plan {
  readonly ins: readonly string[];
  readonly out: string;
  readonly size: ReadonlyMap<string, number>;
}

function plan(ctx: NodeCtx): Plan {
  const eq = String(ctx.attrs.equation).replace(/\s+/g, '');
  const refuse = (why: string): never =>
    fail(
      ctx,
      'VOLTA_E_UNSUPPORTED_ATTR',
      `equation "${eq}": ${why}`,
      'one or two operands of distinct letters, no ellipsis, no repeated letter within an operand',
    );
  if (eq.includes('.')) refuse('ellipsis (...) is not supported');
  const [lhs, rhs] = eq.split('->');
  const ins = lhs.split(',');
  if (!/^[a-zA-Z,]*(->[a-zA-Z]*)?$/.test(eq)) refuse('not a list of letter terms');
  if (ins.length !== ctx.inputs.length) refuse(`${ins.length} terms for ${ctx.inputs.length} inputs`);
  if (ins.length > 2) refuse(`${ins.length} operands`);
  const size = new Map<string, number>();
  ins.forEach((t, k) => {
    const x = input(ctx, k);
    if (new Set(t).size !== t.length) refuse(`term "${t}" repeats a letter (diagonal or trace)`);
    if (t.length !== x.shape.length) refuse(`term "${t}" for an input of rank ${x.shape.length}`);
    [...t].forEach((c, i) => {
      const d = size.get(c);
      if (d !== undefined && d !== x.shape[i]) refuse(`letter ${c} is ${d} and ${x.shape[i]} (no broadcasting without ellipsis)`);
      size.set(c, x.shape[i]);
    });
  });
  // Implicit output: the letters that occur once, in alphabetical order.
  const once = [...size.keys()].filter((c) => ins.join('').split(c).length === 2).sort();
  const out = rhs ?? once.join('');
  if (new Set(out).size !== out.length || [...out].some((c) => !size.has(c))) refuse(`output "${out}" repeats a letter or names one no input has`);
  return { ins, out, size };
}

const positions = (term: string, letters: string) => [...letters].map((c) => term.indexOf(c));

/** Sums x (letters `term`) over the letters that `keep` lacks; returns the value and its remaining letters. */
function sumOut(e: Emitter, b: GradBuilder, x: Value, term: string, keep: (c: string) => boolean): [Value, string] {
  const axes = [...term].flatMap((c, i) => (keep(c) ? [] : [i]));
  const rest = [...term].filter(keep).join('');
  // Without keepdims the sum already has the remaining letters' sizes, in their order.
  return axes.length === 0 ? [x, term] : [b.reduceSum(x, axes, false), rest];
}

function build(ctx: NodeCtx, e: Emitter): Value {
  const { ins, out, size } = plan(ctx);
  const b = new GradBuilder(e, ctx.opset);
  const dims = (letters: string) => [...letters].map((c) => size.get(c) as number);
  const prod = (letters: string) => dims(letters).reduce((p, d) => p * d, 1);
  if (ins.length === 1) {
    const [x, t] = sumOut(e, b, input(ctx, 0), ins[0], (c) => out.includes(c));
    const y = permute(e, x, positions(t, out));
    return y === input(ctx, 0) ? e.op('Identity', [y]) : y;
  }
  const [ta, tb] = ins;
  const [a, sa] = sumOut(e, b, input(ctx, 0), ta, (c) => out.includes(c) || tb.includes(c));
  const [bv, sb] = sumOut(e, b, input(ctx, 1), tb, (c) => out.includes(c) || ta.includes(c));
  const batch = [...out].filter((c) => sa.includes(c) && sb.includes(c)).join('');
  const contract = [...sa].filter((c) => sb.includes(c) && !out.includes(c)).join('');
  const keepA = [...out].filter((c) => sa.includes(c) && !sb.includes(c)).join('');
  const keepB = [...out].filter((c) => sb.includes(c) && !sa.includes(c)).join('');
  const lead = batch.length > 0 ? [prod(batch)] : [];
  const am = view(e, permute(e, a, positions(sa, batch + keepA + contract)), [...lead, prod(keepA), prod(contract)]);
  const bm = view(e, permute(e, bv, positions(sb, batch + contract + keepB)), [...lead, prod(contract), prod(keepB)]);
  const got = batch + keepA + keepB;
  const c = view(e, e.op('MatMul', [am, bm]), dims(got));
  return permute(e, c, positions(got, out));
}

export const Einsum = defineOp({
  name: 'Einsum',
  onnx: { opType: 'Einsum', domain: '', opsets: [12, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'Inputs', type: 'T', variadic: true }],
  outputs: ['Output'],
  types: { T: FLOAT },
  attrs: { equation: attr.string() },
  infer: (ctx) => {
    const { out, size } = plan(ctx);
    return [{ dtype: input(ctx, 0).dtype, shape: [...out].map((c) => size.get(c) as number) }];
  },
  lowering: { kind: 'decompose', build: (ctx, e) => [build(ctx, e)] },
  coverage:
    'one or two operands (matmul, batched matmul, transpose, sums over axes, outer and dot products, bilinear forms): ReduceSum, Transpose, Reshape and one MatMul; ellipsis, repeated letters within an operand and three or more operands are refused (VOLTA_E_UNSUPPORTED_ATTR)',
});
