// Optimizers as IR (compiler/train/optimizers.ts), run natively with their state in the
// addon: one step and many steps equal an independent float32 implementation of the
// documented formulas (PyTorch's SGD, Adam, AdamW), bit for bit, and repeat exactly.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../compiler/compile.ts';
import { applyOptimizer, type OptimizerSpec, optimizerSpec } from '../compiler/train/optimizers.ts';
import { GraphBuilder, isVoltaError } from '../runtime/index.ts';
import { load } from '../runtime/volta.ts';
import { randomFloats } from './helpers/models.ts';

const cacheDir = join(tmpdir(), 'volta-optimizer-cache');
const f = Math.fround;
const N = 7;

/** Reference: one step of the documented update on float32 values, rounding after every operation. */
function reference(spec: OptimizerSpec, p: Float32Array, g: Float32Array, lr: number, s: Record<string, Float32Array>, t: number): void {
  const wd = f(spec.weightDecay);
  if (spec.type === 'sgd') {
    const mu = f(spec.momentum);
    for (let i = 0; i < p.length; i++) {
      const g1 = wd !== 0 ? f(g[i] + f(p[i] * wd)) : g[i];
      let d = g1;
      if (mu !== 0) {
        s.buf[i] = f(f(s.buf[i] * mu) + g1);
        d = spec.nesterov ? f(g1 + f(s.buf[i] * mu)) : s.buf[i];
      }
      p[i] = f(p[i] - f(lr * d));
    }
    return;
  }
  const [b1, b2] = [f(spec.beta1), f(spec.beta2)];
  s.b1t[0] = f(s.b1t[0] * b1);
  s.b2t[0] = f(s.b2t[0] * b2);
  const c1 = f(1 - s.b1t[0]);
  const c2 = f(1 - s.b2t[0]);
  expect(t).toBeGreaterThan(0);
  for (let i = 0; i < p.length; i++) {
    const g1 = spec.type === 'adam' && wd !== 0 ? f(g[i] + f(p[i] * wd)) : g[i];
    s.m[i] = f(f(s.m[i] * b1) + f(g1 * f(1 - spec.beta1)));
    s.v[i] = f(f(s.v[i] * b2) + f(f(g1 * g1) * f(1 - spec.beta2)));
    let step = f(f(s.m[i] / c1) / f(Math.fround(Math.sqrt(f(s.v[i] / c2))) + f(spec.eps)));
    if (spec.type === 'adamw' && wd !== 0) step = f(step + f(p[i] * wd));
    p[i] = f(p[i] - f(lr * step));
  }
}

async function native(spec: OptimizerSpec) {
  const b = new GraphBuilder('opt');
  b.input('g', 'float32', [N]);
  b.input('lr', 'float32', []);
  b.input('p', 'float32', [N]);
  const graph = b.build();
  const [gv, lrv, pv] = graph.inputs.map((id) => graph.value(id));
  const u = applyOptimizer(graph, spec, [{ param: pv, grad: gv }], lrv);
  graph.inputs = [gv.id, lrv.id, pv.id, ...u.slots.map((s) => s.input.id)];
  graph.outputs = [u.params[0].id, ...u.slots.map((s) => s.next.id)];
  const m = await load(compileGraph(graph), { cacheDir });
  const st = m.createState(1 + u.slots.length);
  const bank = new Uint8Array(st.bytes);
  new Float32Array(bank.buffer, 0, N).set(randomFloats(N, 5, 1));
  u.slots.forEach((s, i) => bank.set(new Uint8Array(s.init.data.buffer), 64 * (i + 1)));
  st.load(bank);
  return { st, slots: u.slots.map((s) => s.name), initial: new Float32Array(bank.buffer, 0, N).slice() };
}

const specs: OptimizerSpec[] = [
  optimizerSpec({ type: 'sgd', lr: 0.1 }),
  optimizerSpec({ type: 'sgd', lr: 0.05, momentum: 0.9, weight_decay: 0.01 }),
  optimizerSpec({ type: 'sgd', lr: 0.05, momentum: 0.8, nesterov: true, weight_decay: 0.001 }),
  optimizerSpec({ type: 'adam', lr: 0.01, weight_decay: 0.01 }),
  optimizerSpec({ type: 'adamw', lr: 0.003, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.1 }),
];

describe('optimizers: native steps equal the float32 formulas', () => {
  for (const spec of specs) {
    it(JSON.stringify(spec), async () => {
      const { st, slots, initial } = await native(spec);
      const p = initial.slice();
      const s: Record<string, Float32Array> = {
        buf: new Float32Array(N),
        m: new Float32Array(N),
        v: new Float32Array(N),
        b1t: Float32Array.of(1),
        b2t: Float32Array.of(1),
      };
      const lr = new Float32Array(1);
      for (let t = 1; t <= 25; t++) {
        const g = randomFloats(N, 100 + t, t % 3 === 0 ? 5 : 0.5);
        lr[0] = spec.lr * (t % 4 === 0 ? 0.5 : 1);
        st.step([g, lr], []);
        reference(spec, p, g, lr[0], s, t);
        const got = new Float32Array(st.save().buffer, 0, N);
        expect(Array.from(got), `step ${t}`).toEqual(Array.from(p));
      }
      expect(slots.length).toBe(spec.type === 'sgd' ? (spec.momentum ? 1 : 0) : 4);
      // The same steps again from the same start give the same bits.
      const again = await native(spec);
      for (let t = 1; t <= 25; t++) {
        lr[0] = spec.lr * (t % 4 === 0 ? 0.5 : 1);
        again.st.step([randomFloats(N, 100 + t, t % 3 === 0 ? 5 : 0.5), lr], []);
      }
      expect(Buffer.from(again.st.save()).equals(Buffer.from(st.save()))).toBe(true);
    });
  }

  it('bad optimizer settings are VOLTA_E_BAD_OPTION naming the key', () => {
    for (const raw of [
      { type: 'rmsprop' },
      { type: 'sgd', lr: -1 },
      { type: 'adam', momentum: 0.9 },
      { type: 'sgd', nesterov: true },
      { type: 'adam', beta1: 1 },
    ]) {
      let code = '';
      try {
        optimizerSpec(raw);
      } catch (e) {
        code = isVoltaError(e) ? e.code : String(e);
      }
      expect(code, JSON.stringify(raw)).toBe('VOLTA_E_BAD_OPTION');
    }
  });
});
