// Every ONNX node conformance case of a claimed op that the C target passes (test/conformance/cases.ts,
// minus test/conformance/expected_failures.yaml) runs through target cuda-cpu (strict) and gives the C
// target's bits, in both thread orders. Compiling dominates, so the cases are batched: the graphs of
// cases with the same opset imports are renamed apart (prefix c<i>_) into one model, compiled once per
// target; every output of every case is compared.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeModel, encodeModel, type OnnxModel } from '../compiler/onnx/proto.ts';
import { Tensor, Volta } from '../runtime/index.ts';
import { type Case, loadCases, loadTensors } from './conformance/cases.ts';
import { sameBits } from './helpers/bits.ts';

const cacheDir = join(tmpdir(), 'volta-test-cuda-cpu-conformance');
const BATCH = 48;
const known = parse(readFileSync(new URL('./conformance/expected_failures.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
const cases = loadCases().filter((c) => c.claimed && known[c.name] === undefined);

afterEach(() => {
  delete process.env.VOLTA_CPU_ORDER;
});

/** A model holding the graphs of `group` side by side, each name prefixed c<i>_; and its feeds. */
function merge(group: readonly Case[]): { bytes: Uint8Array; feeds: Record<string, Tensor>; outputs: Map<string, string> } {
  const models = group.map((c) => decodeModel(readFileSync(join(c.dir, 'model.onnx'))));
  const merged: OnnxModel = {
    ...models[0],
    irVersion: Math.max(...models.map((m) => m.irVersion)),
    graph: { name: 'conformance_batch', node: [], initializer: [], input: [], output: [], valueInfo: [] },
  };
  const feeds: Record<string, Tensor> = {};
  const outputs = new Map<string, string>();
  models.forEach((m, i) => {
    const p = (n: string) => (n === '' ? '' : `c${i}_${n}`);
    const g = m.graph;
    merged.graph.node.push(...g.node.map((n) => ({ ...n, name: p(n.name || `node${g.node.indexOf(n)}`), input: n.input.map(p), output: n.output.map(p) })));
    merged.graph.initializer.push(...g.initializer.map((t) => ({ ...t, name: p(t.name) })));
    merged.graph.input.push(...g.input.map((v) => ({ ...v, name: p(v.name) })));
    merged.graph.output.push(...g.output.map((v) => ({ ...v, name: p(v.name) })));
    merged.graph.valueInfo.push(...g.valueInfo.map((v) => ({ ...v, name: p(v.name) })));
    const inputs = loadTensors(group[i], 'input');
    group[i].inputNames.forEach((n, k) => {
      feeds[p(n)] = new Tensor(inputs[k].dtype, inputs[k].data, inputs[k].shape);
    });
    for (const o of g.output) outputs.set(p(o.name), group[i].name);
  });
  return { bytes: encodeModel(merged), feeds, outputs };
}

const opsets = (c: Case) =>
  JSON.stringify(
    decodeModel(readFileSync(join(c.dir, 'model.onnx')))
      .opsetImport.map((o) => `${o.domain}:${o.version}`)
      .sort(),
  );
const groups = new Map<string, Case[]>();
for (const c of cases) groups.set(opsets(c), [...(groups.get(opsets(c)) ?? []), c]);
const batches: { label: string; cases: Case[] }[] = [];
for (const [key, cs] of [...groups].sort()) {
  for (let i = 0; i < cs.length; i += BATCH)
    batches.push({ label: `opsets ${key}, cases ${i + 1}-${Math.min(i + BATCH, cs.length)}`, cases: cs.slice(i, i + BATCH) });
}

describe('ONNX node conformance: target cuda-cpu (strict) equals target c bit for bit, both thread orders', () => {
  it('covers every case of a claimed op that the C target passes', () => {
    expect(batches.reduce((n, b) => n + b.cases.length, 0)).toBe(cases.length);
    expect(cases.length).toBeGreaterThan(200);
  });
  for (const b of batches) {
    it(`${b.label}: ${b.cases.map((c) => c.name.replace(/^test_/, '')).join(', ')}`, async () => {
      const { bytes, feeds, outputs } = merge(b.cases);
      const [c, cpu] = await Promise.all([Volta.compile(bytes, { cacheDir }), Volta.compile(bytes, { cacheDir, target: 'cuda-cpu' })]);
      const want = await c.run(feeds);
      for (const order of ['forward', 'reverse'] as const) {
        if (order === 'reverse') process.env.VOLTA_CPU_ORDER = 'reverse';
        const got = await cpu.run(feeds);
        delete process.env.VOLTA_CPU_ORDER;
        for (const n of c.outputNames) expect(sameBits(got[n].data, want[n].data), `${outputs.get(n)} output ${n}, ${order} order`).toBe(true);
      }
      expect(cpu.report().backend).toBe('cuda-cpu');
    }, 300_000);
  }
});
