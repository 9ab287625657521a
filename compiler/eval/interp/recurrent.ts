// Interprets a recurrent plan (RNN, GRU, LSTM) in the order of RecurrentCompute,
// mirrored statement by statement by compiler/codegen/views/recurrent.ts.
import type { RecurrentPlan } from '../../kernels/plan.ts';
import { evalBody } from '../scalar.ts';
import * as vm from '../volta_math.ts';
import { type Buffers, get } from './walk.ts';

const f = Math.fround;

export function recurrentInterp(p: RecurrentPlan, bufs: Buffers): void {
  const F = (o?: { buf: string }) => (o ? (get(bufs, o.buf) as Float32Array) : undefined);
  const [x, w, r] = [F(p.x)!, F(p.w)!, F(p.r)!];
  const [bias, h0, c0, peep] = [F(p.b), F(p.initialH), F(p.initialC), F(p.peephole)];
  const [y, yH, yC] = [F(p.y), F(p.yH), F(p.yC)];
  const { seq: T, batch: B, inputSize: I, hidden: H } = p;
  const D = p.reverse.length;
  const G = p.cell === 'lstm' ? 4 : p.cell === 'gru' ? 3 : 1;
  const xOff = (t: number, b: number) => (p.batchFirst ? (b * T + t) * I : (t * B + b) * I);
  const yOff = (t: number, d: number, b: number) => (p.batchFirst ? ((b * T + t) * D + d) * H : ((t * D + d) * B + b) * H);
  const sOff = (d: number, b: number) => (p.batchFirst ? (b * D + d) * H : (d * B + b) * H);
  const clip = (v: number) => (p.clip === undefined ? v : vm.fminf(vm.fmaxf(v, -p.clip), p.clip));
  for (let d = 0; d < D; d++) {
    const act = p.activations[d].map((e) => (v: number) => evalBody([e], [v]) as number);
    const wd = d * G * H * I;
    const rd = d * G * H * H;
    const bd = d * 2 * G * H;
    for (let b = 0; b < B; b++) {
      const h = new Float32Array(H);
      const hn = new Float32Array(H);
      const c = new Float32Array(H);
      const rh = new Float32Array(H);
      for (let j = 0; j < H; j++) {
        h[j] = h0 ? h0[sOff(d, b) + j] : 0;
        c[j] = c0 ? c0[sOff(d, b) + j] : 0;
      }
      /** x_t W[gate, j] + hv R[gate, j] (+ Wb + Rb): one sum from +0. */
      const dot = (xt: number, gate: number, j: number, hv: Float32Array | undefined, withBias: 'both' | 'w' | 'r' | 'none' = 'both') => {
        let acc = 0;
        if (xt >= 0) for (let k = 0; k < I; k++) acc = f(acc + f(x[xt + k] * w[wd + (gate * H + j) * I + k]));
        if (hv) for (let k = 0; k < H; k++) acc = f(acc + f(hv[k] * r[rd + (gate * H + j) * H + k]));
        if (bias && (withBias === 'both' || withBias === 'w')) acc = f(acc + bias[bd + gate * H + j]);
        if (bias && (withBias === 'both' || withBias === 'r')) acc = f(acc + bias[bd + (G + gate) * H + j]);
        return acc;
      };
      for (let s = 0; s < T; s++) {
        const t = p.reverse[d] ? T - 1 - s : s;
        const xt = xOff(t, b);
        if (p.cell === 'gru' && !p.linearBeforeReset) for (let j = 0; j < H; j++) rh[j] = f(act[0](clip(dot(xt, 1, j, h))) * h[j]);
        for (let j = 0; j < H; j++) {
          if (p.cell === 'rnn') {
            hn[j] = act[0](clip(dot(xt, 0, j, h)));
          } else if (p.cell === 'gru') {
            const z = act[0](clip(dot(xt, 0, j, h)));
            let n: number;
            if (p.linearBeforeReset) {
              const rg = act[0](clip(dot(xt, 1, j, h)));
              const xn = dot(xt, 2, j, undefined, 'w');
              const hr = dot(-1, 2, j, h, 'r');
              n = act[1](clip(f(xn + f(rg * hr))));
            } else {
              n = act[1](clip(dot(xt, 2, j, rh)));
            }
            hn[j] = f(f(f(1 - z) * n) + f(z * h[j]));
          } else {
            let gi = dot(xt, 0, j, h);
            let go = dot(xt, 1, j, h);
            let gf = dot(xt, 2, j, h);
            const gc = dot(xt, 3, j, h);
            if (peep) {
              gi = f(gi + f(peep[d * 3 * H + j] * c[j]));
              gf = f(gf + f(peep[d * 3 * H + 2 * H + j] * c[j]));
            }
            const ig = act[0](clip(gi));
            const fg = p.inputForget ? f(1 - ig) : act[0](clip(gf));
            const cg = act[1](clip(gc));
            const cn = f(f(fg * c[j]) + f(ig * cg));
            if (peep) go = f(go + f(peep[d * 3 * H + H + j] * cn));
            const og = act[0](clip(go));
            hn[j] = f(og * act[2](cn));
            c[j] = cn;
          }
        }
        for (let j = 0; j < H; j++) {
          h[j] = hn[j];
          if (y) y[yOff(t, d, b) + j] = hn[j];
        }
      }
      for (let j = 0; j < H; j++) {
        if (yH) yH[sOff(d, b) + j] = h[j];
        if (yC) yC[sOff(d, b) + j] = c[j];
      }
    }
  }
}
