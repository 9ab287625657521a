// View of a recurrent plan: the per-item program (one direction and batch row
// stepping through time) as statements, in the order of the interpreter
// (compiler/eval/interp/recurrent.ts). C runs items in a loop, CUDA one per thread.
import type { RecurrentPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { f32Literal } from '../literals.ts';
import { renderExpr } from '../render_expr.ts';
import { header, type KernelView } from './common.ts';

export function recurrentView(p: RecurrentPlan, name: string, d: Dialect): KernelView {
  const { seq: T, batch: B, inputSize: I, hidden: H } = p;
  const D = p.reverse.length;
  const G = p.cell === 'lstm' ? 4 : p.cell === 'gru' ? 3 : 1;
  const bias = p.b !== undefined;
  const L: string[] = [];
  const at = (depth: number, s: string) => L.push(`${'  '.repeat(depth)}${s}`);
  /** Activation k of the cell applied to `v`, per direction when they differ. */
  const act = (k: number, v: string) => {
    const forms = p.activations.map((a) => renderExpr(a[k], [v]));
    return forms.every((s) => s === forms[0]) ? forms[0] : `(d == 0 ? ${forms[0]} : ${forms[1]})`;
  };
  const clip = (v: string) => (p.clip === undefined ? v : `volta_fminf(volta_fmaxf(${v}, ${f32Literal(-p.clip)}), ${f32Literal(p.clip)})`);
  /** One gate pre-activation: x W then hv R from +0, then the biases named in `biases`. */
  const dot = (depth: number, v: string, gate: number, hv: string | undefined, withX = true, biases: ('w' | 'r')[] = ['w', 'r']) => {
    const row = (g: number) => (g === 0 ? 'j' : `${g * H} + j`);
    at(depth, `float ${v} = 0.0f;`);
    if (withX) at(depth, `for (int64_t k = 0; k < ${I}; k++) ${v} += xt[k] * wd[(${row(gate)}) * ${I} + k];`);
    if (hv) at(depth, `for (int64_t k = 0; k < ${H}; k++) ${v} += ${hv}[k] * rd[(${row(gate)}) * ${H} + k];`);
    if (bias && biases.includes('w')) at(depth, `${v} = ${v} + bd[${row(gate)}];`);
    if (bias && biases.includes('r')) at(depth, `${v} = ${v} + bd[${row(G + gate)}];`);
  };
  const xOff = p.batchFirst ? `(b * ${T} + t) * ${I}` : `(t * ${B} + b) * ${I}`;
  const yOff = p.batchFirst ? `((b * ${T} + t) * ${D} + d) * ${H}` : `((t * ${D} + d) * ${B} + b) * ${H}`;
  const sOff = p.batchFirst ? `(b * ${D} + d) * ${H}` : `(d * ${B} + b) * ${H}`;
  const reverse = p.reverse.every((r) => r === p.reverse[0]) ? (p.reverse[0] ? '1' : '0') : p.reverse[0] ? 'd == 0' : 'd == 1';

  at(0, `const int64_t d = item / ${B};`);
  at(0, `const int64_t b = item % ${B};`);
  at(0, `const float *wd = w + d * ${G * H * I};`);
  at(0, `const float *rd = r + d * ${G * H * H};`);
  if (bias) at(0, `const float *bd = bias + d * ${2 * G * H};`);
  if (p.peephole) at(0, `const float *pd = peep + d * ${3 * H};`);
  at(0, `float h[${H}], hn[${H}];`);
  if (p.cell === 'lstm') at(0, `float c[${H}];`);
  if (p.cell === 'gru' && !p.linearBeforeReset) at(0, `float rh[${H}];`);
  at(0, `for (int64_t j = 0; j < ${H}; j++) {`);
  at(1, `h[j] = ${p.initialH ? `h0[${sOff} + j]` : '0.0f'};`);
  if (p.cell === 'lstm') at(1, `c[j] = ${p.initialC ? `c0[${sOff} + j]` : '0.0f'};`);
  at(0, '}');
  at(0, `for (int64_t s = 0; s < ${T}; s++) {`);
  at(1, `const int64_t t = (${reverse}) ? ${T - 1} - s : s;`);
  at(1, `const float *xt = x + ${xOff};`);
  if (p.cell === 'gru' && !p.linearBeforeReset) {
    at(1, `for (int64_t j = 0; j < ${H}; j++) {`);
    dot(2, 'gr', 1, 'h');
    at(2, `rh[j] = ${act(0, clip('gr'))} * h[j];`);
    at(1, '}');
  }
  at(1, `for (int64_t j = 0; j < ${H}; j++) {`);
  if (p.cell === 'rnn') {
    dot(2, 'ga', 0, 'h');
    at(2, `hn[j] = ${act(0, clip('ga'))};`);
  } else if (p.cell === 'gru') {
    dot(2, 'gz', 0, 'h');
    at(2, `const float z = ${act(0, clip('gz'))};`);
    if (p.linearBeforeReset) {
      dot(2, 'gr', 1, 'h');
      at(2, `const float rg = ${act(0, clip('gr'))};`);
      dot(2, 'xn', 2, undefined, true, ['w']);
      dot(2, 'hr', 2, 'h', false, ['r']);
      at(2, 'const float gn = xn + rg * hr;');
    } else {
      dot(2, 'gn', 2, 'rh');
    }
    at(2, `const float n = ${act(1, clip('gn'))};`);
    at(2, 'hn[j] = (1.0f - z) * n + z * h[j];');
  } else {
    dot(2, 'gi', 0, 'h');
    dot(2, 'go', 1, 'h');
    dot(2, 'gf', 2, 'h');
    dot(2, 'gc', 3, 'h');
    if (p.peephole) {
      at(2, 'gi = gi + pd[j] * c[j];');
      at(2, `gf = gf + pd[${2 * H} + j] * c[j];`);
    }
    at(2, `const float ig = ${act(0, clip('gi'))};`);
    at(2, `const float fg = ${p.inputForget ? '1.0f - ig' : act(0, clip('gf'))};`);
    at(2, `const float cg = ${act(1, clip('gc'))};`);
    at(2, 'const float cn = fg * c[j] + ig * cg;');
    if (p.peephole) at(2, `go = go + pd[${H} + j] * cn;`);
    at(2, `const float og = ${act(0, clip('go'))};`);
    at(2, `hn[j] = og * ${act(2, 'cn')};`);
    at(2, 'c[j] = cn;');
  }
  at(1, '}');
  at(1, `for (int64_t j = 0; j < ${H}; j++) {`);
  at(2, 'h[j] = hn[j];');
  if (p.y) at(2, `y[${yOff} + j] = hn[j];`);
  at(1, '}');
  at(0, '}');
  if (p.yH || p.yC) {
    at(0, `for (int64_t j = 0; j < ${H}; j++) {`);
    if (p.yH) at(1, `yh[${sOff} + j] = h[j];`);
    if (p.yC) at(1, `yc[${sOff} + j] = c[j];`);
    at(0, '}');
  }
  const ptr = (n: string, out = false) => `${out ? '' : 'const '}float *${d.restrict} ${n}`;
  const params = [
    ptr('x'),
    ptr('w'),
    ptr('r'),
    ...(bias ? [ptr('bias')] : []),
    ...(p.initialH ? [ptr('h0')] : []),
    ...(p.initialC ? [ptr('c0')] : []),
    ...(p.peephole ? [ptr('peep')] : []),
    ...(p.y ? [ptr('y', true)] : []),
    ...(p.yH ? [ptr('yh', true)] : []),
    ...(p.yC ? [ptr('yc', true)] : []),
  ];
  const dirs = p.reverse.map((r) => (r ? 'reverse' : 'forward')).join(' + ');
  return {
    kind: 'recurrent',
    name,
    header: header(p, name),
    params: params.join(', '),
    items: p.partition.items,
    dims: `${p.cell.toUpperCase()} ${dirs}: seq ${T}, batch ${B}, input ${I}, hidden ${H}${p.batchFirst ? ', batch-first layout' : ''}`,
    body: L,
  };
}
