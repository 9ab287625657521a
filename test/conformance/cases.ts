// Loads the ONNX backend node cases copied under test/fixtures/onnx-node/ and
// classifies them against the op registry.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TensorData } from '../../compiler/ir/tensor.ts';
import { decodeModel, decodeTensor } from '../../compiler/onnx/proto.ts';
import { tensorFromProto } from '../../compiler/onnx/tensor_proto.ts';
import { onnxOp } from '../../compiler/ops/registry.ts';

export const FIXTURES = new URL('../fixtures/onnx-node/', import.meta.url).pathname;

export interface Case {
  readonly name: string;
  readonly op: string;
  readonly kind: string;
  readonly dir: string;
  /** Every op type in the model is claimed by the registry. */
  readonly claimed: boolean;
  readonly unclaimedOps: readonly string[];
  readonly inputNames: readonly string[];
}

export function loadCases(): Case[] {
  const rows = readFileSync(join(FIXTURES, 'cases.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [name, op, kind] = row.split('\t');
    const dir = join(FIXTURES, 'node', name);
    const model = decodeModel(readFileSync(join(dir, 'model.onnx')));
    const ops = [...new Set(model.graph.node.map((n) => `${n.domain}|${n.opType}`))].sort();
    const unclaimedOps = ops.filter((k) => onnxOp(k.split('|')[0], k.split('|')[1]) === undefined).map((k) => k.split('|')[1]);
    const inputNames = model.graph.input.map((v) => v.name);
    return { name, op, kind, dir, claimed: unclaimedOps.length === 0, unclaimedOps, inputNames };
  });
}

export function loadTensors(c: Case, prefix: 'input' | 'output'): TensorData[] {
  const dir = join(c.dir, 'test_data_set_0');
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length + 1, -3)) - Number(b.slice(prefix.length + 1, -3)));
  return files.map((f) => tensorFromProto(decodeTensor(readFileSync(join(dir, f))), { where: f }));
}

/** The ONNX runner's check: same dtype and shape, |a - e| <= atol + rtol * |e|, NaN matches NaN. */
export function compareOutput(actual: TensorData, expected: TensorData, rtol = 1e-3, atol = 1e-7): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype} != expected ${expected.dtype}`;
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actual.shape}] != expected [${expected.shape}]`;
  }
  let bad = 0;
  let first = '';
  for (let i = 0; i < expected.data.length; i++) {
    const a = Number(actual.data[i]);
    const e = Number(expected.data[i]);
    const ok = (Number.isNaN(a) && Number.isNaN(e)) || a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) {
      if (bad === 0) first = `element ${i}: ${a} vs expected ${e}`;
      bad++;
    }
  }
  return bad === 0 ? undefined : `${bad}/${expected.data.length} elements differ; first ${first}`;
}
