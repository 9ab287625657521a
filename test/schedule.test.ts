// Schedule and memory plan invariants, and the identifier supply, as properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { f32Literal } from '../compiler/codegen/literals.ts';
import { comment, isCIdentifier, NameSupply, sanitize } from '../compiler/codegen/names.ts';
import { kernelReads } from '../compiler/kernels/plan.ts';
import { GraphBuilder } from '../compiler/ops/builder.ts';
import { Volta } from '../runtime/index.ts';

const UNARY = ['Relu', 'Exp', 'Tanh', 'Neg', 'Abs', 'Sigmoid'];

/** A random DAG of elementwise ops over [n] tensors, unfused so every value is a buffer. */
const dagArb = fc.array(fc.tuple(fc.constantFrom(...UNARY, 'Add', 'Mul'), fc.nat(), fc.nat()), { minLength: 1, maxLength: 25 });

describe('memory plan', () => {
  it('never overlaps two temps that are live at the same time, and reuses memory along chains', () => {
    fc.assert(
      fc.property(dagArb, fc.integer({ min: 1, max: 300 }), (ops, n) => {
        const b = new GraphBuilder('dag');
        const vals = [b.input('x', 'float32', [n])];
        for (const [op, i, j] of ops) {
          const a = vals[i % vals.length];
          const c = vals[j % vals.length];
          vals.push(UNARY.includes(op) ? b.op(op, [a]) : b.op(op, [a, c]));
        }
        b.output(vals[vals.length - 1]);
        const c = Volta.compileOnly(b.build(), { disablePasses: ['fuse-elementwise'] });
        const temps = c.memory.buffers.filter((x) => x.kind === 'temp');
        for (const p of temps) {
          expect(p.offset % 64).toBe(0);
          for (const q of temps) {
            if (p === q) continue;
            const timeOverlap = p.live![0] <= q.live![1] && q.live![0] <= p.live![1];
            const spaceOverlap = p.offset < q.offset + q.bytes && q.offset < p.offset + p.bytes;
            expect(timeOverlap && spaceOverlap).toBe(false);
          }
        }
        // Every read happens after the write of that storage (topological schedule).
        const written = new Set<string>([...c.graph.inputs, ...c.memory.buffers.filter((x) => x.kind === 'const').map((x) => x.id)]);
        for (const k of c.schedule.kernels) {
          for (const r of kernelReads(k.plan)) expect(written.has(c.memory.bufferOf(r).id)).toBe(true);
          written.add(c.memory.bufferOf(k.plan.out.buf).id);
        }
        expect(c.memory.arenaBytes).toBeLessThanOrEqual(temps.reduce((s, t) => s + Math.ceil(t.bytes / 64) * 64, 0));
      }),
      { numRuns: 60 },
    );
  });

  it('a long chain needs only two temps of arena', () => {
    const b = new GraphBuilder('chain');
    let v = b.input('x', 'float32', [100]);
    for (let i = 0; i < 10; i++) v = b.op('Exp', [v]);
    b.output(v);
    const c = Volta.compileOnly(b.build(), { disablePasses: ['fuse-elementwise'] });
    expect(c.memory.arenaBytes).toBe(2 * 448);
  });
});

describe('names', () => {
  it('sanitised hints give legal, unique C identifiers, whatever the model text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 30 }), (hints) => {
        const s = new NameSupply();
        const names = hints.map((h) => s.fresh('k', h));
        for (const n of names) expect(isCIdentifier(n)).toBe(true);
        expect(new Set(names).size).toBe(names.length);
      }),
    );
  });

  it('sanitize is injective on distinct texts', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => a === b || sanitize(a) !== sanitize(b)));
  });

  it('comment() output cannot start or end a C comment, break a line, or form a trigraph', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (t) => {
        const c = comment(t);
        expect(c).not.toMatch(/\*\/|\/\*|\n|\r|\?\?/);
        expect(c).toMatch(/^[\x20-\x7e]*$/);
      }),
    );
    expect(comment('"; system("x"); //*/')).toBe('"\\"; system(\\"x\\"); //\\*\\/"');
  });
});

describe('float literals', () => {
  it('every float32 prints as a literal that parses back to the same bits', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const lit = f32Literal(x);
        const parsed = Math.fround(Number(lit.replace(/f$/, '')));
        expect(Object.is(parsed, Math.fround(x))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(f32Literal(Number.NaN)).toBe('VOLTA_NAN');
    expect(f32Literal(-0)).toBe('-0.0f');
  });
});
