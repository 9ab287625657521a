// `volta train` configuration (YAML, parsed with the yaml package): every key is
// checked, unknown keys and bad values are VOLTA_E_BAD_OPTION naming the key, and
// defaults are filled in so the resolved config (part of the training fingerprint)
// says everything that decides the run.
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { VoltaError } from '../ir/errors.ts';
import { readRegularFile } from '../onnx/read_file.ts';
import { type ModelSpec, modelSpec } from './models.ts';
import { type OptimizerSpec, optimizerSpec } from './optimizers.ts';

export type Schedule =
  | { readonly type: 'constant' }
  /** lr * gamma^floor(epoch / every). */
  | { readonly type: 'step'; readonly every: number; readonly gamma: number }
  /** min + (lr - min) (1 + cos(pi t / T)) / 2 over the T steps of the run. */
  | { readonly type: 'cosine'; readonly min: number };

export interface TrainConfig {
  readonly model: { readonly builtin: ModelSpec } | { readonly onnx: string; readonly frozen: readonly string[] };
  readonly optimizer: OptimizerSpec;
  readonly schedule: Schedule;
  readonly batchSize: number;
  readonly epochs: number;
  readonly seed: number;
  /** Native threads for the step (never changes a result bit). */
  readonly threads: number;
  readonly evalBatchSize: number;
  /** Use only the first n samples of each split (quick runs, tests); absent: all. */
  readonly limit: { readonly train?: number; readonly test?: number };
  /** Data directory; absent: $VOLTA_FASHION_MNIST or the Debian package's path. */
  readonly data?: string;
}

const TOP = ['batch_size', 'data', 'epochs', 'eval_batch_size', 'limit', 'model', 'optimizer', 'schedule', 'seed', 'threads'];

function fail(found: string, expected: string, hint?: string): never {
  throw new VoltaError('VOLTA_E_BAD_OPTION', { found, expected, hint });
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} is ${JSON.stringify(v)}`, 'a mapping');
  return v as Record<string, unknown>;
}

function int(v: unknown, what: string, min: number, dflt?: number): number {
  const x = v ?? dflt;
  if (!Number.isSafeInteger(x) || (x as number) < min) fail(`${what}=${JSON.stringify(v)}`, `a whole number >= ${min}`);
  return x as number;
}

function schedule(raw: unknown): Schedule {
  if (raw === undefined) return { type: 'constant' };
  const r = record(raw, 'schedule');
  const keys: Record<string, string[]> = { constant: ['type'], step: ['type', 'every', 'gamma'], cosine: ['type', 'min_lr'] };
  const type = r.type as string;
  if (!(type in keys)) fail(`schedule type ${JSON.stringify(r.type)}`, 'constant, step or cosine');
  for (const k of Object.keys(r).sort()) if (!keys[type].includes(k)) fail(`schedule key ${JSON.stringify(k)} for ${type}`, keys[type].join(', '));
  if (type === 'constant') return { type };
  if (type === 'step') {
    const gamma = r.gamma ?? 0.1;
    if (typeof gamma !== 'number' || !(gamma > 0 && gamma <= 1)) fail(`schedule gamma=${JSON.stringify(r.gamma)}`, 'a number in (0, 1]');
    return { type, every: int(r.every, 'schedule every', 1), gamma };
  }
  const min = r.min_lr ?? 0;
  if (typeof min !== 'number' || !(min >= 0)) fail(`schedule min_lr=${JSON.stringify(r.min_lr)}`, 'a number >= 0');
  return { type: 'cosine', min };
}

/** Resolves a parsed config; relative paths are relative to `baseDir`. */
export function resolveConfig(raw: unknown, baseDir: string): TrainConfig {
  const r = record(raw, 'the config');
  for (const k of Object.keys(r).sort()) if (!TOP.includes(k)) fail(`config key ${JSON.stringify(k)}`, TOP.join(', '));
  if (r.model === undefined) fail('no model', 'model: {type: mlp | cnn, ...} or model: path/to/model.onnx');
  let model: TrainConfig['model'];
  if (typeof r.model === 'string') model = { onnx: resolve(baseDir, r.model), frozen: [] };
  else {
    const m = record(r.model, 'model');
    if (typeof m.path === 'string') {
      for (const k of Object.keys(m).sort()) if (!['path', 'frozen'].includes(k)) fail(`model key ${JSON.stringify(k)} for an ONNX file`, 'path, frozen');
      const frozen = m.frozen ?? [];
      if (!Array.isArray(frozen) || !frozen.every((f) => typeof f === 'string'))
        fail(`model frozen=${JSON.stringify(m.frozen)}`, 'a list of initializer names');
      model = { onnx: resolve(baseDir, m.path), frozen: frozen as string[] };
    } else model = { builtin: modelSpec(m) };
  }
  const lim = r.limit === undefined ? {} : record(r.limit, 'limit');
  for (const k of Object.keys(lim).sort()) if (!['train', 'test'].includes(k)) fail(`limit key ${JSON.stringify(k)}`, 'train, test');
  if (r.data !== undefined && typeof r.data !== 'string') fail(`data=${JSON.stringify(r.data)}`, 'a directory path');
  const batchSize = int(r.batch_size, 'batch_size', 1, 64);
  return {
    model,
    optimizer: optimizerSpec(record(r.optimizer ?? { type: 'adam' }, 'optimizer')),
    schedule: schedule(r.schedule),
    batchSize,
    epochs: int(r.epochs, 'epochs', 1, 1),
    seed: int(r.seed, 'seed', 0, 0),
    threads: int(r.threads, 'threads', 1, 1),
    evalBatchSize: int(r.eval_batch_size, 'eval_batch_size', 1, 1000),
    limit: {
      ...(lim.train !== undefined ? { train: int(lim.train, 'limit train', 1) } : {}),
      ...(lim.test !== undefined ? { test: int(lim.test, 'limit test', 1) } : {}),
    },
    ...(typeof r.data === 'string' ? { data: resolve(baseDir, r.data) } : {}),
  };
}

/** Reads and resolves a YAML config file. */
export function readConfig(path: string): TrainConfig {
  const text = new TextDecoder().decode(readRegularFile(path, { what: 'config', code: 'VOLTA_E_BAD_OPTION', maxBytes: 1 << 20 }));
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    fail(`config ${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, 'a YAML mapping', 'see examples/fashion-mnist/*.yaml');
  }
  return resolveConfig(raw, dirname(resolve(path)));
}

/** The learning rate of global step `step` (0-based) of a run of `total` steps. */
export function learningRate(c: TrainConfig, step: number, stepsPerEpoch: number, total: number): number {
  const lr = c.optimizer.lr;
  const s = c.schedule;
  if (s.type === 'constant') return lr;
  if (s.type === 'step') return lr * s.gamma ** Math.floor(Math.floor(step / stepsPerEpoch) / s.every);
  return s.min + ((lr - s.min) * (1 + Math.cos((Math.PI * step) / total))) / 2;
}
