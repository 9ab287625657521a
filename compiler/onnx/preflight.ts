// What a model can be refused for before any input value is known: ops the op registry
// does not claim, and graph inputs or initializers of a dtype Volta has no type for. The
// importer reports the same problems (with the same codes); a session that specialises on
// run-time values (runtime/specialize.ts) checks them when it is compiled, so Volta.compile
// refuses such a model at once instead of at its first run.
import { dtypeFromOnnx, onnxDtypeName } from '../ir/dtype.ts';
import { VoltaError } from '../ir/errors.ts';
import { onnxOp } from '../ops/registry.ts';
import type { OnnxModel, OnnxNode } from './proto.ts';

/** One VOLTA_E_UNSUPPORTED_OP per node whose (domain, op) the registry does not claim. */
export function unclaimedOpProblems(nodes: readonly OnnxNode[]): VoltaError[] {
  return nodes.flatMap((n, i) =>
    onnxOp(n.domain, n.opType) !== undefined
      ? []
      : [
          new VoltaError('VOLTA_E_UNSUPPORTED_OP', {
            node: n.name || `${n.opType}#${i}`,
            op: n.opType,
            found: `op ${n.domain ? `${n.domain}.` : ''}${n.opType} is not supported`,
            hint: 'see docs/ONNX_COVERAGE.md for the supported ops',
          }),
        ],
  );
}

export function preflightProblems(model: OnnxModel): VoltaError[] {
  const g = model.graph;
  const inits = new Set(g.initializer.map((t) => t.name));
  const dtypes = [
    ...g.input.filter((v) => !inits.has(v.name)).map((v) => ({ what: `input ${JSON.stringify(v.name)}`, code: v.elemType })),
    ...g.initializer.map((t) => ({ what: `initializer ${JSON.stringify(t.name)}`, code: t.dataType })),
  ]
    .filter((d) => dtypeFromOnnx(d.code) === undefined)
    .map(
      (d) => new VoltaError('VOLTA_E_UNSUPPORTED_DTYPE', { found: `${d.what} has dtype ${onnxDtypeName(d.code)}`, expected: 'float32, int64, int32, bool' }),
    );
  return [...dtypes, ...unclaimedOpProblems(g.node)];
}

/** Throws the preflight problems: the one, or VOLTA_E_IMPORT listing them all. */
export function preflight(model: OnnxModel): void {
  const problems = preflightProblems(model);
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw new VoltaError('VOLTA_E_IMPORT', { problems, found: `${problems.length} problems` }, `the model cannot be compiled: ${problems.length} problems`);
  }
}
