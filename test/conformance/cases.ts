// Loads ONNX backend node cases (one folder per case: model.onnx and
// test_data_set_0/) and classifies them against the op registry and Volta's
// dtypes. Two sets use it: the copy under test/fixtures/onnx-node/ and the
// ONNX 1.12 cases from Debian's libonnx-testdata (read where it is installed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_DTYPES, DTYPES, onnxDtypeName } from '../../compiler/ir/dtype.ts';
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

/** What a case uses: its op types (`domain|op`) and the ONNX dtype names of its graph inputs, outputs and initializers. */
export interface CaseUses {
  readonly name: string;
  readonly ops: readonly string[];
  readonly dtypes: readonly string[];
}

const VOLTA_DTYPE_NAMES = new Set(ALL_DTYPES.map((d) => onnxDtypeName(DTYPES[d].onnx)));
const baseName = (name: string) => name.replace(/_expanded(_ver\d+)?$/, '');

/** Classifies cases by what they use; an `_expanded` case's op is that of its case without the suffix. */
export function classify(uses: readonly (CaseUses & { dir: string; inputNames: readonly string[]; singleOp?: string })[]): Case[] {
  const opOf = new Map(uses.filter((u) => u.singleOp !== undefined).map((u) => [u.name, u.singleOp!]));
  return uses.map((u) => {
    const unclaimedOps = u.ops.filter((k) => onnxOp(k.split('|')[0], k.split('|')[1]) === undefined).map((k) => k.split('|')[1]);
    const kind = baseName(u.name) === u.name ? 'single' : 'expanded';
    const op = (kind === 'single' ? u.singleOp : opOf.get(baseName(u.name))) ?? u.name;
    const unsupportedDtypes = u.dtypes.filter((d) => !VOLTA_DTYPE_NAMES.has(d));
    return { name: u.name, op, kind, dir: u.dir, claimed: unclaimedOps.length === 0, unclaimedOps, unsupportedDtypes, inputNames: u.inputNames };
  });
}

/** Every case folder under nodeDir (sorted by name). */
export function loadCases(nodeDir = join(FIXTURES, 'node')): Case[] {
  return classify(loadUses(nodeDir));
}

/** The case folders under nodeDir, sorted. */
export function caseNames(nodeDir: string): string[] {
  return readdirSync(nodeDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(nodeDir, e.name, 'model.onnx')))
    .map((e) => e.name)
    .sort();
}

function loadUses(nodeDir: string) {
  return caseNames(nodeDir).map((name) => {
    const dir = join(nodeDir, name);
    const g = decodeModel(readFileSync(join(dir, 'model.onnx'))).graph;
    const ops = [...new Set(g.node.map((n) => `${n.domain}|${n.opType}`))].sort();
    const codes = [...g.input, ...g.output].map((v) => v.elemType).concat(g.initializer.map((t) => t.dataType));
    const dtypes = [...new Set(codes.map(onnxDtypeName))].sort();
    const singleOp = g.node.length === 1 ? g.node[0].opType : undefined;
    return { name, ops, dtypes, dir, inputNames: g.input.map((v) => v.name), singleOp };
  });
}

/**
 * The committed index of the ONNX 1.12 cases (name, op under test, op types as domain|op or op for the
 * default domain, dtypes; no data): what
 * scripts/coverage_doc.ts counts without the package. test/conformance_onnx112.test.ts checks it against
 * the installed cases; `npm run conformance:index` rewrites it from them.
 */
export const ONNX112_INDEX = new URL('./onnx112_cases.tsv', import.meta.url);
const INDEX_HEADER = 'name\top\tops\tdtypes';

export function renderIndex(nodeDir: string): string {
  const uses = loadUses(nodeDir);
  const cases = classify(uses);
  return `${[INDEX_HEADER, ...uses.map((u, i) => [u.name, cases[i].op, u.ops.map((k) => k.replace(/^\|/, '')).join(','), u.dtypes.join(',')].join('\t'))].join('\n')}\n`;
}

/** The cases of the committed index, classified against today's registry (dir and inputs unknown). */
export function indexCases(): Case[] {
  const rows = readFileSync(ONNX112_INDEX, 'utf8').trim().split('\n').slice(1);
  const uses = rows.map((r) => {
    const [name, op, ops, dtypes] = r.split('\t');
    return { name, ops: ops.split(',').map((k) => (k.includes('|') ? k : `|${k}`)), dtypes: dtypes.split(','), dir: '', inputNames: [], singleOp: op };
  });
  return classify(uses).map((c, i) => ({ ...c, op: uses[i].singleOp }));
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

/** What a case set must do, by the suite's rules (test/conformance/suite.ts), given its expected-failures list. */
export function expectedTally(cases: readonly Case[], listed: Readonly<Record<string, { code: string }>>) {
  const runnable = cases.filter((c) => c.claimed && c.unsupportedDtypes.length === 0);
  const gaps: Record<string, number> = {};
  for (const c of runnable) if (listed[c.name]) gaps[listed[c.name].code] = (gaps[listed[c.name].code] ?? 0) + 1;
  return {
    total: cases.length,
    claimed: runnable.length,
    pass: runnable.filter((c) => !listed[c.name]).length,
    gaps,
    unsupportedOp: cases.filter((c) => !c.claimed).length,
    unsupportedDtype: cases.filter((c) => c.claimed && c.unsupportedDtypes.length > 0).length,
  };
}
