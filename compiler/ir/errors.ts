// One error type for everything Volta reports to users. Codes are stable API:
// callers and tests match on `code`, never on the message text.

export const ERROR_CODES = {
  VOLTA_E_UNSUPPORTED_OP: 'the op type (or its opset) is not in the registry',
  VOLTA_E_UNSUPPORTED_ATTR: 'an attribute value is outside what the op supports',
  VOLTA_E_UNSUPPORTED_DTYPE: 'a tensor element type is not supported here',
  VOLTA_E_UNSUPPORTED_OPSET: 'the model imports an opset or domain Volta does not handle',
  VOLTA_E_DYNAMIC_SHAPE: 'a dimension is symbolic or unknown, or an input that decides shapes has no value; Volta compiles static shapes only',
  VOLTA_E_SHAPE: 'shapes or ranks do not agree for this op',
  VOLTA_E_SHAPE_TOO_LARGE: 'a dimension or element count is beyond what Volta can address',
  VOLTA_E_BAD_MODEL: 'the model file is malformed (bad protobuf, dangling names, missing fields) or cannot be read (missing, not a regular file, too large)',
  VOLTA_E_BAD_CONSTANT: 'a constant tensor holds bad data (wrong size for its shape)',
  VOLTA_E_EXTERNAL_DATA: 'external tensor data is refused (path traversal or unsupported)',
  VOLTA_E_IMPORT: 'the model has several problems; each is listed',
  VOLTA_E_BAD_OPTION: 'an option is unknown or has a bad value',
  VOLTA_E_BAD_INPUT: 'a run input has a wrong name, dtype or shape',
  VOLTA_E_NO_CUDA_DEVICE: 'target cuda was asked for in strict mode but no CUDA device is usable',
  VOLTA_E_TOOLCHAIN: 'a compiler (cc, nvcc) is missing or failed',
  VOLTA_E_BAD_CONFIG: 'volta.config.yaml has an unknown key, a wrong type or names a missing file (each problem names its key and line)',
  VOLTA_E_ADDON: 'the compiled addon could not be loaded or failed at run time',
  VOLTA_E_CUDA: 'a CUDA runtime call or kernel launch failed (the kernel, the nodes it fuses and the CUDA error are named)',
  VOLTA_E_MEMORY_GUARD: 'a memoryGuard build found a canary byte next to an arena buffer overwritten after a run (a kernel wrote outside its buffer)',
  VOLTA_E_DIVERGENT_BARRIER:
    'a kernel barrier (__syncthreads, __syncwarp, a shuffle) was not reached by every thread of its block or warp; found by target cuda-cpu, a bug in the kernel',
  VOLTA_E_DATASET: 'a training data set is missing, unreadable or malformed',
  VOLTA_E_NO_GRADIENT: 'differentiation reached an op (or an input of it) that has no gradient rule',
  VOLTA_E_INTERNAL: 'an internal invariant broke; this is a bug in Volta',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  node?: string;
  op?: string;
  found?: string;
  expected?: string;
  hint?: string;
  /** Sub-problems, for errors that gather several (import validation). */
  problems?: VoltaError[];
  [key: string]: unknown;
}

function describe(code: ErrorCode, d: ErrorDetails, summary?: string): string {
  const where = d.op !== undefined ? `${d.op}${d.node !== undefined ? ` ${JSON.stringify(d.node)}` : ''}: ` : '';
  let msg = `[${code}] ${where}${summary ?? d.found ?? ERROR_CODES[code]}`;
  if (summary !== undefined && d.found !== undefined) msg += `; found ${d.found}`;
  if (d.expected !== undefined) msg += `; supported: ${d.expected}`;
  if (d.hint !== undefined) msg += `. Fix: ${d.hint}`;
  if (d.problems !== undefined && d.problems.length > 0) {
    msg += `\n${d.problems.map((p, i) => `  ${i + 1}. ${p.message}`).join('\n')}`;
  }
  return msg;
}

export class VoltaError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, details: ErrorDetails = {}, summary?: string) {
    super(describe(code, details, summary));
    this.name = 'VoltaError';
    this.code = code;
    this.details = details;
  }

  /** The node and op the error is about, when it is about one. */
  get node(): string | undefined {
    return this.details.node;
  }
  get op(): string | undefined {
    return this.details.op;
  }
  /** Each problem of an error that gathers several (VOLTA_E_IMPORT), with its own code, node and op; else []. */
  get problems(): readonly VoltaError[] {
    return this.details.problems ?? [];
  }
}

export function isVoltaError(e: unknown, code?: ErrorCode): e is VoltaError {
  return e instanceof VoltaError && (code === undefined || e.code === code);
}

/** Internal invariant check: never an `assert` that reaches users untyped. */
export function invariant(cond: unknown, what: string): asserts cond {
  if (!cond) throw new VoltaError('VOLTA_E_INTERNAL', { found: what, hint: 'this is a bug in Volta; please report it with the model' });
}
