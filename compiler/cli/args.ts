import { parseArgs } from 'node:util';
import type { CompileOptions } from '../compile.ts';
import { VoltaError } from '../ir/errors.ts';
import { VOLTA_VERSION } from '../version.ts';
import { namedFiles, readInputFile } from './tensor_files.ts';
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal: `volta build` redraws its progress table in place. */
  readonly isTTY?: boolean;
}

export const stdio: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTTY: process.stdout.isTTY === true,
};

// ---- help -------------------------------------------------------------------

export const MAIN_HELP = `volta ${VOLTA_VERSION}: a deterministic ahead-of-time compiler from ONNX to C and CUDA

Usage: volta <command> [options]

Commands:
  compile <model.onnx> -o <dir>   write the generated sources, weights and plan, and build the addon
  run <model.onnx>                compile (cached), run once and print the outputs and timings
  inspect <model.onnx>            show ops, passes, kernel plans, memory plan and fingerprint;
                                  --report out.html writes a visual compile report
  build [--config <file>]         build every model of volta.config.yaml into a typed package
  train <config.yaml>             train a model (built-in MLP/CNN or ONNX) on Fashion-MNIST, bit-reproducibly

Every command takes --json (one JSON object on stdout; train: --json <file>, '-' for stdout;
see docs/CLI_JSON.md).

Run 'volta <command> --help' for a command's options.
`;

export const COMMON_OPTS = `  --target c|cuda|cuda-cpu    backend (default c); cuda-cpu runs the CUDA source on the CPU
                              (needs libboost-context-dev; strict: the C target's bits)
  --bind <name=file>          fix an input to a tensor at compile time (repeatable; .npy or .pb):
                              inputs that decide shapes (a Reshape target, Slice bounds, axes)
                              need a value to compile; 'run' specialises on --input values instead
  --mode strict|balanced      strict (default) never falls back; balanced falls back from cuda
                              to c, with a note (NaN/Inf constants are accepted in both)
  --isa native|portable|<level>
                              instruction set of the C build: native (default: this host's
                              x86-64 level or aarch64), portable (baseline x86-64), or a level
                              such as x86-64-v3 (part of the fingerprint)
  --threads <n>               threads the C kernels run on (default $VOLTA_THREADS, else all
                              cores); never changes the output bits
  --memory-guard              debug build: canary bytes around every arena buffer, checked after
                              every run (VOLTA_E_MEMORY_GUARD names an overrun buffer)

  --input-shape <name=d0,d1,...>
                              fix an input's shape (repeatable), e.g. --input-shape input=1,784
  --json                      print one JSON object instead of text (docs/CLI_JSON.md)`;

export const TRAIN_HELP = `Usage: volta train <config.yaml> [options]

Trains the model of the config on Fashion-MNIST: one native step per batch runs
forward, loss (softmax cross-entropy), backward and the optimizer update, with the
parameters and optimizer state kept in native memory. Prints one line per epoch
(loss, train and test accuracy, samples/s) and the training fingerprint. The same
config, data and Volta give the same per-step losses bit for bit (lossCurveSha256).

Config keys (YAML): model ({type: mlp, hidden: [256]} | {type: cnn, channels: [16, 32],
kernel: 3, hidden: [128], batch_norm: false} | path/to/model.onnx | {path, frozen}),
optimizer ({type: sgd|adam|adamw, lr, momentum, nesterov, beta1, beta2, eps,
weight_decay}), schedule ({type: constant|step|cosine, every, gamma, min_lr}),
batch_size, epochs, seed, threads, eval_batch_size, limit ({train, test}), data.
See examples/fashion-mnist/*.yaml.

Data: the four IDX files from Debian's dataset-fashion-mnist package
(apt-get install -y dataset-fashion-mnist), or the directory given by --data,
the config's data key or $VOLTA_FASHION_MNIST.

Options:
  --json <file>               write { epochs, final: { testAccuracy, lossCurveSha256 }, fingerprint, ... }
                              there ('-': print it as the one JSON object on stdout, progress on stderr)
  --export <file.onnx>        write the trained model as ONNX (loads in Volta and onnxruntime)
  --checkpoint <file>         save parameters, optimizer state and progress there (each epoch, and at the end)
  --checkpoint-every <n>      also save every n steps
  --resume <file>             continue the run saved in a checkpoint (same config and data)
  --max-steps <n>             stop after n steps in total (the run continues with --resume)
  --data <dir>                Fashion-MNIST directory
  --threads <n>               native threads (overrides the config's threads); never changes a bit
  --target c|cuda             backend (default c)
  --mode strict|balanced      strict (default) never falls back
  --cache <dir>               addon cache (default $VOLTA_CACHE_DIR or ./.volta-cache)
  -h, --help                  show this help
`;

export const HELP: Record<string, string> = {
  train: TRAIN_HELP,
  compile: `Usage: volta compile <model.onnx> -o <dir> [options]

Writes into <dir>: model.c, model.cu, addon.cc (the addon glue for --target),
weights.bin (the constants blob), plan.json (kernels, memory plan, fingerprint)
and volta.node (the addon, built through the cache and copied). With
--check-cuda (target c), model.cu is also compiled with 'nvcc -c' to
model_cuda.o, which needs nvcc but no GPU. Prints the fingerprint and per-stage
timings.

Options:
  -o, --out <dir>             output directory (required)
${COMMON_OPTS}
  --dump <dir>                also write one NNN_<pass>.ir snapshot per pass there
  --check-cuda                also compile model.cu with nvcc -c (target c)
  --cache <dir>               addon cache (default $VOLTA_CACHE_DIR or ./.volta-cache)
  -h, --help                  show this help
`,
  run: `Usage: volta run <model.onnx> [options]

Compiles the model (the addon is cached by fingerprint), runs it and prints each
output (name, dtype, dims, values; long tensors are shortened), the fingerprint,
whether the addon came from the cache, per-stage timings and the run time (the
median of --runs timed runs after a first, untimed one).

Inputs: --input name=file for each input; .npy (float32/int64/int32/bool,
little-endian, C order) or .pb (an ONNX TensorProto). An input not given:
  - the first input reads input.pb next to the model if that file exists
    (--example requires it to);
  - any other input is filled deterministically: element i is
    (i mod 10) / 10 for float32, i mod 2 for int32/int64/bool.

Options:
  --input <name=file>         an input tensor (repeatable)
  --example                   use input.pb next to the model for the first input
${COMMON_OPTS}
  --cache <dir>               addon cache (default $VOLTA_CACHE_DIR or ./.volta-cache)
  --runs <n>                  timed runs for the median (default 5)
  --profile                   also time each kernel (a profiled build, C backend) and print
                              where the time went: median per kernel over --runs runs
  -h, --help                  show this help
`,
  inspect: `Usage: volta inspect <model.onnx> [options]

Prints the model's ops and counts, inputs and outputs, every pass with its
snapshot fingerprint and the rewrites it made, the kernel plans, the memory plan
and the fingerprint. Nothing is built.

Options:
  --passes                    also print each pass's IR text
  --compare <other.onnx>      compile both and name the first pass whose IR differs
  --report <out.html>         write a self-contained HTML report: the graph before and after the
                              passes, kernels and their ops, the memory plan, pass fingerprints,
                              timings and each kernel's source
  --dot <out.dot>             write the graph after the passes (kernels as clusters) as Graphviz DOT
${COMMON_OPTS}
  -h, --help                  show this help
`,
  build: `Usage: volta build [--config volta.config.yaml] [options]

Builds every model listed in the config (default ./volta.config.yaml) into
<outDir>/<name>/: per target the addon, the emitted sources and the weights,
plus index.js and index.d.ts, a typed wrapper: load() resolves to a model whose
run() takes and returns typed arrays by name. Incremental: a model whose
fingerprint and files are unchanged is a cache hit and nothing is rewritten.
Shows progress per model and stage on a terminal, one line per event otherwise.

Options:
  --config <file>             the config file (default volta.config.yaml)
  --cache <dir>               addon cache (default $VOLTA_CACHE_DIR or ./.volta-cache)
  --json                      print one JSON object with every model's result
  -h, --help                  show this help
`,
};

// ---- argument parsing -------------------------------------------------------

export type OptSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export const TARGET_MODE: OptSpec = {
  target: { type: 'string' },
  mode: { type: 'string' },
  bind: { type: 'string', multiple: true },
  'input-shape': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  isa: { type: 'string' },
  threads: { type: 'string' },
  'memory-guard': { type: 'boolean' },
};

export const SPECS: Record<string, OptSpec> = {
  compile: { ...TARGET_MODE, out: { type: 'string', short: 'o' }, dump: { type: 'string' }, cache: { type: 'string' }, 'check-cuda': { type: 'boolean' } },
  run: {
    ...TARGET_MODE,
    input: { type: 'string', multiple: true },
    example: { type: 'boolean' },
    cache: { type: 'string' },
    runs: { type: 'string' },
    profile: { type: 'boolean' },
  },
  inspect: { ...TARGET_MODE, passes: { type: 'boolean' }, compare: { type: 'string' }, report: { type: 'string' }, dot: { type: 'string' } },
  build: { config: { type: 'string' }, cache: { type: 'string' }, json: { type: 'boolean' } },
  train: {
    target: { type: 'string' },
    mode: { type: 'string' },
    json: { type: 'string' },
    export: { type: 'string' },
    checkpoint: { type: 'string' },
    'checkpoint-every': { type: 'string' },
    resume: { type: 'string' },
    'max-steps': { type: 'string' },
    data: { type: 'string' },
    threads: { type: 'string' },
    cache: { type: 'string' },
  },
};

/** Commands that take no model argument. */
export const NO_MODEL = new Set(['build']);

export type Values = Record<string, string | boolean | string[] | undefined>;

export function usage(cmd: string, found: string): VoltaError {
  return new VoltaError('VOLTA_E_BAD_OPTION', { found, hint: `see 'volta${cmd ? ` ${cmd}` : ''} --help'` });
}

export function parse(cmd: string, args: string[]): { values: Values; model?: string } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...SPECS[cmd], help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs reports unknown options and missing values as TypeErrors with ERR_PARSE_ARGS_* codes.
    if ((e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw usage(cmd, (e as Error).message);
    throw e;
  }
  const { values, positionals } = parsed;
  if (values.help) return { values };
  if (NO_MODEL.has(cmd)) {
    if (positionals.length > 0) throw usage(cmd, `unexpected argument ${JSON.stringify(positionals[0])}`);
    return { values, model: '' };
  }
  if (positionals.length !== 1) throw usage(cmd, positionals.length === 0 ? 'no model file given' : `several model files given: ${positionals.join(' ')}`);
  return { values, model: positionals[0] };
}

export function compileOptions(v: Values, cmd = 'run'): CompileOptions {
  const binds = namedFiles('bind', v.bind as string[] | undefined, (found) => usage(cmd, found));
  const shapes = inputShapes(v['input-shape'] as string[] | undefined, cmd);
  const bindInputs = Object.fromEntries([...binds].map(([name, file]) => [name, readInputFile(file)]));
  const o: { -readonly [K in keyof CompileOptions]: CompileOptions[K] } = {
    target: v.target as CompileOptions['target'],
    mode: v.mode as CompileOptions['mode'],
    ...(binds.size > 0 ? { bindInputs } : {}),
    ...(shapes ? { inputShapes: shapes } : {}),
  };
  if (typeof v.isa === 'string') o.isa = v.isa as CompileOptions['isa'];
  if (v['memory-guard'] === true) o.memoryGuard = true;
  if (typeof v.threads === 'string') {
    const n = Number(v.threads);
    if (!/^[0-9]+$/.test(v.threads) || !Number.isInteger(n)) throw usage(cmd, `--threads ${JSON.stringify(v.threads)} is not an integer from 1 to 1024`);
    o.threads = n;
  }
  return o;
}

/** --input-shape name=d0,d1,... (repeatable) -> inputShapes; '' after '=' is a scalar. */
export function inputShapes(specs: readonly string[] | undefined, cmd = ''): Record<string, number[]> | undefined {
  if (specs === undefined || specs.length === 0) return undefined;
  const out: Record<string, number[]> = {};
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const name = spec.slice(0, eq);
    const dims = eq < 0 ? [] : spec.slice(eq + 1) === '' ? [] : spec.slice(eq + 1).split(',');
    if (eq <= 0 || !dims.every((d) => /^[0-9]+$/.test(d.trim())))
      throw usage(cmd, `--input-shape ${JSON.stringify(spec)} is not name=d0,d1,... (non-negative integers)`);
    if (name in out) throw usage(cmd, `--input-shape ${JSON.stringify(name)} given twice`);
    out[name] = dims.map((d) => Number(d.trim()));
  }
  return out;
}
