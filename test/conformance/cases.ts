// Loads ONNX backend node cases (one folder per case: model.onnx and
// test_data_set_0/) and classifies them against the op registry and Volta's
// dtypes. Two sets use it: the copy under test/fixtures/onnx-node/ and the
// ONNX 1.12 cases from Debian's libonnx-testdata (read where it is installed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dtypeFromOnnx, onnxDtypeName } from '../../compiler/ir/dtype.ts';
import type { TensorData } from '../../compiler/ir/tensor.ts';
import { decodeModel, decodeTensor } from '../../compiler/onnx/proto.ts';
import { tensorFromProto } from '../../compiler/onnx/tensor_proto.ts';
import { onnxOp } from '../../compiler/ops/registry.ts';

export const FIXTURES = new URL('../fixtures/onnx-node/', import.meta.url).pathname;

/** Where Debian's libonnx-testdata (ONNX 1.12.0) puts the node cases; $VOLTA_ONNX_TESTDATA overrides it. */
export const ONNX112_DEFAULT = '/usr/include/onnx/backend/test/data/node';
export function onnx112Dir(): string {
  return process.env.VOLTA_ONNX_TESTDATA || ONNX112_DEFAULT;
}

export interface Case {
  readonly name: string;
  /** The op under test: the node's op for a single-node case, else the case name's op (`_expanded` cases). */
  readonly op: string;
  readonly kind: 'single' | 'expanded';
  readonly dir: string;
  /** Every op type in the model is claimed by the registry. */
  readonly claimed: boolean;
  readonly unclaimedOps: readonly string[];
  /** ONNX names of graph input/output/initializer dtypes Volta has no dtype for (FLOAT16, DOUBLE, UINT8...). */
  readonly unsupportedDtypes: readonly string[];
  readonly inputNames: readonly string[];
}

/** Every case folder under nodeDir (sorted by name). */
export function loadCases(nodeDir = join(FIXTURES, 'node')): Case[] {
  const names = readdirSync(nodeDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(nodeDir, e.name, 'model.onnx')))
    .map((e) => e.name)
    .sort();
  return names.map((name) => {
    const dir = join(nodeDir, name);
    const model = decodeModel(readFileSync(join(dir, 'model.onnx')));
    const g = model.graph;
    const ops = [...new Set(g.node.map((n) => `${n.domain}|${n.opType}`))].sort();
    const unclaimedOps = ops.filter((k) => onnxOp(k.split('|')[0], k.split('|')[1]) === undefined).map((k) => k.split('|')[1]);
    const elemTypes = [...g.input, ...g.output].map((v) => v.elemType).concat(g.initializer.map((t) => t.dataType));
    const unsupportedDtypes = [...new Set(elemTypes.filter((t) => dtypeFromOnnx(t) === undefined).map(onnxDtypeName))].sort();
    const kind = /_expanded(_ver\d+)?$/.test(name) ? 'expanded' : 'single';
    const op = g.node.length === 1 ? g.node[0].opType : name;
    const inputNames = g.input.map((v) => v.name);
    return { name, op, kind, dir, claimed: unclaimedOps.length === 0, unclaimedOps, unsupportedDtypes, inputNames };
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
