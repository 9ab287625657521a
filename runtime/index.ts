// Volta's public API.

export type { Compiled, CompileOptions } from '../compiler/compile.ts';
export { ERROR_CODES, type ErrorCode, isVoltaError, VoltaError } from '../compiler/ir/errors.ts';
export { makeTensor } from '../compiler/ir/tensor.ts';
export { GraphBuilder } from '../compiler/ops/builder.ts';
export { firstDivergentPass, PASS_NAMES } from '../compiler/passes/manager.ts';
export type { Feed, IoSpec, KernelTime } from './addon.ts';
export { type Fallback, Session, type SessionReport } from './session.ts';
export { Tensor, type TensorType } from './tensor.ts';
export { compile, compileOnly, type ModelSource, Volta } from './volta.ts';
