// volta.config.yaml: which models `volta build` compiles and how. Parsed with the yaml
// package (positions kept), validated key by key: every unknown key, wrong type or missing
// file is its own VOLTA_E_BAD_CONFIG problem naming the key path and its line, and all of
// them are reported together.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { type CompileOptions, type Mode, resolveOptions, type Target } from '../../compile.ts';
import { isVoltaError, VoltaError } from '../../ir/errors.ts';
import { readRegularFile } from '../../onnx/read_file.ts';
import { shown } from '../format.ts';

export interface ModelConfig {
  /** A JS identifier: the package folder and the wrapper's type names. */
  readonly name: string;
  /** Absolute path of the ONNX file. */
  readonly path: string;
  /** As written in the config (relative to it), for messages and the wrapper's docs. */
  readonly source: string;
  readonly targets: readonly Target[];
  readonly mode: Mode;
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly threads?: number;
  /** 1-based line of the model's entry. */
  readonly line: number;
}

export interface BuildConfig {
  readonly file: string;
  readonly outDir: string;
  readonly models: readonly ModelConfig[];
}

const TOP_KEYS = ['models', 'outDir'];
const MODEL_KEYS = ['inputShapes', 'mode', 'name', 'path', 'target', 'threads'];
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function loadConfig(file: string): BuildConfig {
  const path = resolve(file);
  const text = new TextDecoder().decode(readRegularFile(path, { what: 'config', code: 'VOLTA_E_BAD_CONFIG', maxBytes: 1 << 20 }));
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: VoltaError[] = [];
  const lineOf = (n: Node | null | undefined) => (n?.range ? lines.linePos(n.range[0]).line : 1);
  const bad = (key: string, n: Node | null | undefined, found: string, expected?: string, hint?: string) =>
    problems.push(new VoltaError('VOLTA_E_BAD_CONFIG', { key, line: lineOf(n), found: `${shown(path)}:${lineOf(n)}: ${key}: ${found}`, expected, hint }));
  for (const e of doc.errors) {
    const line = e.linePos?.[0].line ?? 1;
    problems.push(
      new VoltaError('VOLTA_E_BAD_CONFIG', { key: '', line, found: `${shown(path)}:${line}: ${e.message.split('\n')[0]}`, hint: 'fix the YAML syntax' }),
    );
  }
  if (problems.length) throw gathered(file, problems);

  const root = doc.contents;
  const models: ModelConfig[] = [];
  let outDir = '';
  if (!isMap(root)) {
    bad('(top level)', root, `a ${kindOf(root)}`, 'a mapping with outDir and models');
    throw gathered(file, problems);
  }
  unknownKeys(root, TOP_KEYS, '', bad);
  const out = root.get('outDir', true) as Node | undefined;
  if (out === undefined) bad('outDir', root, 'missing', 'a directory (relative to the config file)');
  else if (!isScalar(out) || typeof out.value !== 'string' || out.value === '') bad('outDir', out, `a ${kindOf(out)}`, 'a directory path (string)');
  else outDir = resolve(dirname(path), out.value);
  const list = root.get('models', true) as Node | undefined;
  if (list === undefined) bad('models', root, 'missing', 'a list of models');
  else if (!isSeq(list) || list.items.length === 0) bad('models', list, isSeq(list) ? 'an empty list' : `a ${kindOf(list)}`, 'a non-empty list of models');
  else {
    const names = new Map<string, number>();
    list.items.forEach((item, i) => {
      const m = modelEntry(item as Node, `models[${i}]`, dirname(path), bad);
      if (m === undefined) return;
      const first = names.get(m.name);
      if (first !== undefined)
        bad(
          `models[${i}].name`,
          (item as YAMLMap).get('name', true) as Node,
          `${JSON.stringify(m.name)} is already the name of models[${first}]`,
          'unique names',
        );
      else names.set(m.name, i);
      models.push({ ...m, line: lineOf(item as Node) });
    });
  }
  if (problems.length) throw gathered(file, problems);
  return { file: path, outDir, models };
}

type Bad = (key: string, n: Node | null | undefined, found: string, expected?: string, hint?: string) => void;

function modelEntry(item: Node, at: string, base: string, bad: Bad): Omit<ModelConfig, 'line'> | undefined {
  if (!isMap(item)) {
    bad(at, item, `a ${kindOf(item)}`, 'a mapping with name, path and options');
    return undefined;
  }
  const before = { n: 0 };
  const count: Bad = (...a) => {
    before.n++;
    bad(...a);
  };
  unknownKeys(item, MODEL_KEYS, `${at}.`, count);
  const get = (k: string) => item.get(k, true) as Node | undefined;
  const str = (k: string, required: boolean): string | undefined => {
    const n = get(k);
    if (n === undefined) {
      if (required) count(`${at}.${k}`, item, 'missing', 'a string');
      return undefined;
    }
    if (!isScalar(n) || typeof n.value !== 'string' || n.value === '') {
      count(`${at}.${k}`, n, `${describe(n)}`, 'a non-empty string');
      return undefined;
    }
    return n.value;
  };
  const name = str('name', true);
  if (name !== undefined && !IDENT.test(name)) count(`${at}.name`, get('name'), JSON.stringify(name), 'a JavaScript identifier (letters, digits, _ and $)');
  const source = str('path', true);
  const path = source === undefined ? '' : resolve(base, source);
  if (source !== undefined && !(existsSync(path) && statSync(path).isFile()))
    count(`${at}.path`, get('path'), `${JSON.stringify(source)}: no such file`, 'an ONNX file, relative to the config file');
  const targets: Target[] = [];
  const t = get('target');
  const tNodes = t === undefined ? [] : isSeq(t) ? (t.items as Node[]) : [t];
  if (t !== undefined && tNodes.length === 0) count(`${at}.target`, t, 'an empty list', 'c, cuda, or a list of them');
  for (const n of tNodes) {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== 'string') count(`${at}.target`, n, describe(n), 'c, cuda, or a list of them');
    else if (!optionOk({ target: v as Target })) count(`${at}.target`, n, JSON.stringify(v), targetsKnown());
    else if (targets.includes(v as Target)) count(`${at}.target`, n, `${JSON.stringify(v)} listed twice`);
    else targets.push(v as Target);
  }
  const mode = str('mode', false);
  if (mode !== undefined && !optionOk({ mode: mode as Mode })) count(`${at}.mode`, get('mode'), JSON.stringify(mode), 'strict or balanced');
  let inputShapes: Record<string, number[]> | undefined;
  const shapes = get('inputShapes');
  if (shapes !== undefined) {
    if (!isMap(shapes)) count(`${at}.inputShapes`, shapes, describe(shapes), 'a mapping from input name to a list of dimensions');
    else {
      inputShapes = {};
      for (const pair of shapes.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : '';
        const v = pair.value as Node | null;
        const dims = isSeq(v) ? v.items.map((d) => (isScalar(d) ? d.value : undefined)) : undefined;
        if (dims === undefined || !dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
          count(`${at}.inputShapes.${k}`, v ?? (pair.key as Node), describe(v), 'a list of non-negative integers, e.g. [1, 784]');
        else inputShapes[k] = dims as number[];
      }
    }
  }
  let threads: number | undefined;
  const th = get('threads');
  if (th !== undefined) {
    const v = isScalar(th) ? th.value : undefined;
    if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) count(`${at}.threads`, th, describe(th), 'a positive integer');
    else if (!optionOk({ threads: v } as CompileOptions))
      count(`${at}.threads`, th, `${v}: this Volta's compiler has no thread-count option`, undefined, 'remove threads');
    else threads = v;
  }
  if (before.n > 0 || name === undefined || source === undefined) return undefined;
  return { name, path, source, targets: targets.length ? targets : ['c'], mode: (mode as Mode | undefined) ?? 'strict', inputShapes, threads };
}

function unknownKeys(m: YAMLMap, known: readonly string[], prefix: string, bad: Bad): void {
  for (const pair of m.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!known.includes(k)) bad(`${prefix}${k}`, pair.key as Node, 'unknown key', known.join(', '));
  }
}

/** Whether the compiler accepts this option value (so the config follows it: new targets, new options). */
function optionOk(o: CompileOptions): boolean {
  try {
    resolveOptions(o);
    return true;
  } catch (e) {
    if (isVoltaError(e, 'VOLTA_E_BAD_OPTION')) return false;
    throw e;
  }
}

function targetsKnown(): string {
  return ['c', 'cuda', 'cuda-cpu'].filter((t) => optionOk({ target: t as Target })).join(', ');
}

function kindOf(n: unknown): string {
  if (isMap(n)) return 'mapping';
  if (isSeq(n)) return 'list';
  if (isScalar(n)) return n.value === null ? 'null' : typeof n.value;
  return 'empty value';
}

function describe(n: unknown): string {
  return isScalar(n) && n.value !== null ? `${JSON.stringify(n.value)} (a ${typeof n.value})` : `a ${kindOf(n)}`;
}

function gathered(file: string, problems: VoltaError[]): VoltaError {
  if (problems.length === 1) return problems[0];
  return new VoltaError('VOLTA_E_BAD_CONFIG', { problems }, `${shown(resolve(file))} has ${problems.length} problems`);
}
