// Each pass on small graphs: structural assertions, plus the readable IR after
// the pass, kept in test/passes/<pass>/<case>.after.ir (reviewed like code).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVoltaError } from '../../compiler/ir/errors.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { makeTensor } from '../../compiler/ir/tensor.ts';
import { graphText } from '../../compiler/ir/text.ts';
import { GraphBuilder } from '../../compiler/ops/builder.ts';
import { canonicalize } from '../../compiler/passes/canonicalize.ts';
import { eliminateDeadCode } from '../../compiler/passes/eliminate_dead_code.ts';
import { foldConstants } from '../../compiler/passes/fold_constants.ts';
import { fuseElementwise } from '../../compiler/passes/fuse_elementwise.ts';
import { inferShapes } from '../../compiler/passes/infer_shapes.ts';
import { firstDivergentPass, runPasses } from '../../compiler/passes/manager.ts';
import type { Pass } from '../../compiler/passes/pass.ts';

function apply(p: Pass, g: Graph): { g: Graph; rules: string[] } {
  const rules: string[] = [];
  const out = p.run(g, (rule, node) => rules.push(`${rule}@${node}`));
  return { g: out, rules };
}

const f32 = (shape: number[], xs: number[]) => makeTensor('float32', shape, xs);

function groups(g: Graph): string[][] {
  const m = new Map<string, string[]>();
  for (const n of g.nodes) if (n.group) m.set(n.group, [...(m.get(n.group) ?? []), n.op]);
  return [...m.values()];
}

describe('fold-constants', () => {
  it('folds arithmetic, views and transposes of constants, bit-exactly', async () => {
    const b = new GraphBuilder('fold');
    const x = b.input('x', 'float32', [2, 3]);
    const c1 = b.constant('c1', f32([3], [0.1, 0.2, 0.3]));
    const c2 = b.constant('c2', f32([3], [1, 2, 3]));
    const sum = b.op('Add', [c1, c2], {}, 'const_add');
    const w = b.constant('w', f32([3, 2], [1, 2, 3, 4, 5, 6]));
    const wt = b.op('Transpose', [w], {}, 'wt');
    const wr = b.op('Reshape', [wt, b.constant('shape', makeTensor('int64', [2], [3, 2]))], {}, 'wr');
    const y = b.op('MatMul', [b.op('Mul', [x, sum], {}, 'scale'), wr], {}, 'mm');
    b.output(y);
    const { g, rules } = apply(foldConstants, b.build());
    expect(rules).toEqual(['fold-kernel@n0', 'fold-kernel@n1', 'fold-view@n2']);
    expect(g.nodes.map((n) => n.op)).toEqual(['Mul', 'MatMul']);
    const folded = [...g.values.values()].find((v) => v.name === 'const_add');
    // Math.fround(0.1f + 1) etc.: float32 addition, not double.
    expect(Array.from(folded?.data?.data as Float32Array)).toEqual([0.1, 0.2, 0.3].map((v, i) => Math.fround(Math.fround(v) + i + 1)));
    await expect(graphText(g)).toMatchFileSnapshot('./fold-constants/fold_all_constant.after.ir');
  });
});

describe('eliminate-dead-code', () => {
  it('drops nodes and constants no output needs, keeps inputs', async () => {
    const b = new GraphBuilder('dce');
    const x = b.input('x', 'float32', [4]);
    const unusedIn = b.input('unused', 'float32', [4]);
    b.op('Exp', [b.op('Neg', [x], {}, 'dead_neg')], {}, 'dead_exp');
    b.constant('dead_const', f32([1], [1]));
    b.output(b.op('Relu', [x], {}, 'live'));
    const { g, rules } = apply(eliminateDeadCode, b.build());
    expect(g.nodes.map((n) => n.name)).toEqual(['live']);
    expect(g.inputs).toContain(unusedIn.id);
    expect(rules.filter((r) => r.startsWith('drop-node'))).toHaveLength(2);
    await expect(graphText(g)).toMatchFileSnapshot('./eliminate-dead-code/dead_branch.after.ir');
  });
});

describe('fuse-elementwise', () => {
  it('fuses MatMul -> Add -> Relu into one group', async () => {
    const b = new GraphBuilder('mm_add_relu');
    const x = b.input('x', 'float32', [2, 3]);
    const y = b.op('Relu', [b.op('Add', [b.op('MatMul', [x, b.constant('w', f32([3, 4], Array(12).fill(0.5)))]), b.constant('b', f32([4], [1, 2, 3, 4]))])]);
    b.output(y);
    const { g } = apply(fuseElementwise, b.build());
    expect(groups(g)).toEqual([['MatMul', 'Add', 'Relu']]);
    await expect(graphText(g)).toMatchFileSnapshot('./fuse-elementwise/matmul_add_relu.after.ir');
  });

  it('fuses Mul -> Add -> Tanh into one group', async () => {
    const b = new GraphBuilder('mul_add_tanh');
    const x = b.input('x', 'float32', [8]);
    const y = b.input('y', 'float32', [8]);
    b.output(b.op('Tanh', [b.op('Add', [b.op('Mul', [x, y]), y])]));
    const { g } = apply(fuseElementwise, b.build());
    expect(groups(g)).toEqual([['Mul', 'Add', 'Tanh']]);
    await expect(graphText(g)).toMatchFileSnapshot('./fuse-elementwise/mul_add_tanh.after.ir');
  });

  it('does not fuse across a value with two consumers, a graph output, a broadcast that grows the shape, or into Softmax', () => {
    const b = new GraphBuilder('barriers');
    const x = b.input('x', 'float32', [4]);
    const shared = b.op('Exp', [x], {}, 'shared');
    const a = b.op('Neg', [shared], {}, 'a');
    const c = b.op('Abs', [shared], {}, 'c');
    const grown = b.op('Add', [a, b.input('m', 'float32', [3, 4])], {}, 'grown');
    const out1 = b.op('Relu', [c], {}, 'out1');
    const after = b.op('Sigmoid', [out1], {}, 'after_out');
    const sm = b.op('Softmax', [grown], {}, 'sm');
    const afterSm = b.op('Relu', [sm], {}, 'after_sm');
    b.output(out1);
    b.output(after);
    b.output(afterSm);
    const { g } = apply(fuseElementwise, b.build());
    const byName = new Map(g.nodes.map((n) => [n.name, n.group]));
    expect(byName.get('a')).not.toBe(byName.get('shared'));
    expect(byName.get('c')).not.toBe(byName.get('shared'));
    expect(byName.get('grown')).not.toBe(byName.get('a'));
    expect(byName.get('out1')).toBe(byName.get('c'));
    expect(byName.get('after_out')).not.toBe(byName.get('out1'));
    expect(byName.get('after_sm')).not.toBe(byName.get('sm'));
  });
});

describe('canonicalize', () => {
  it('pre-transposes a constant Gemm B (then folded), keeping results bit-identical', async () => {
    const b = new GraphBuilder('gemm_tb');
    const x = b.input('x', 'float32', [2, 3]);
    const w = b.constant('w', f32([4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    b.output(b.op('Gemm', [x, w, b.constant('bias', f32([4], [1, 1, 1, 1]))], { transB: 1 }, 'fc'));
    const { g, rules } = apply(canonicalize, b.build());
    expect(rules).toEqual(['gemm-pretranspose-b@n0']);
    expect(g.nodes.map((n) => `${n.op}${n.op === 'Gemm' ? ` transB=${n.attrs.transB}` : ''}`)).toEqual(['Transpose', 'Gemm transB=0']);
    const folded = apply(foldConstants, g).g;
    expect(folded.nodes.map((n) => n.op)).toEqual(['Gemm']);
    await expect(graphText(folded)).toMatchFileSnapshot('./canonicalize/gemm_constant_b.after.ir');
  });
});

describe('infer-shapes', () => {
  it('catches a pass that corrupted a recorded shape', () => {
    const b = new GraphBuilder('bad');
    const x = b.input('x', 'float32', [2, 3]);
    b.output(b.op('Relu', [x]));
    const g = b.build();
    const out = g.value(g.outputs[0]);
    g.setValue({ ...out, shape: [3, 2] });
    let err: unknown;
    try {
      apply(inferShapes, g);
    } catch (e) {
      err = e;
    }
    expect(isVoltaError(err, 'VOLTA_E_INTERNAL')).toBe(true);
  });
});

describe('pass manager', () => {
  const build = () => {
    const b = new GraphBuilder('pm');
    const x = b.input('x', 'float32', [2, 2]);
    b.output(b.op('Tanh', [b.op('Mul', [x, b.op('Add', [b.constant('one', f32([1], [1])), b.constant('two', f32([1], [2]))])])]));
    return b.build();
  };

  it('snapshots every pass, dumps NNN_<pass>.ir, and finds no divergence between identical compiles', () => {
    const dir = mkdtempSync(join(tmpdir(), 'volta-dump-'));
    const a = runPasses(build(), { dump: dir });
    const b = runPasses(build());
    expect(a.snapshots.map((s) => s.pass)).toEqual([
      'import',
      'infer-shapes',
      'canonicalize',
      'fold-constants',
      'fold-batchnorm',
      'eliminate-dead-code',
      'fuse-elementwise',
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      '000_import.ir',
      '001_infer-shapes.ir',
      '002_canonicalize.ir',
      '003_fold-constants.ir',
      '004_fold-batchnorm.ir',
      '005_eliminate-dead-code.ir',
      '006_fuse-elementwise.ir',
    ]);
    expect(firstDivergentPass(a.snapshots, b.snapshots)).toBeUndefined();
  });

  it('names the first divergent pass', () => {
    const a = runPasses(build());
    const b = runPasses(build(), { disable: ['fold-constants'] });
    expect(firstDivergentPass(a.snapshots, b.snapshots)?.pass).toBe('fold-constants');
  });

  it('rejects an unknown pass name, listing the valid ones', () => {
    expect(() => runPasses(build(), { disable: ['fold'] })).toThrow(/VOLTA_E_BAD_OPTION.*fold-constants/);
  });
});
