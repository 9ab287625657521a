// Loads handlebars templates: templates/<dialect>/<name>.hbs, falling back to
// templates/c/. Compiled once per process, with escaping off (this is C, not
// HTML) and strict mode (a missing variable is an error, not an empty string).
// A build (dist/) ships them precompiled in templates.precompiled.json next to
// this module: a template whose text still has the recorded SHA-256 skips
// Handlebars' parser and compiler (the largest part of emitting a small model
// in a fresh process); any other is compiled as in the sources. Templates are
// instantiated in environments of Handlebars' runtime build; its compiler (with
// its parser and source-map dependency) loads only when something needs compiling.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Handlebars from 'handlebars';
import { invariant } from '../ir/errors.ts';
import { sha256 } from '../ir/text.ts';
import type { Backend } from './dialect.ts';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
export const COMMON_INCLUDE_DIR = join(TEMPLATE_DIR, 'common');

const OPTIONS = { noEscape: true, strict: true } as const;
const require = createRequire(import.meta.url);
let runtimeLib: typeof Handlebars | undefined;
let compilerLib: typeof Handlebars | undefined;
const hbRuntime = () => (runtimeLib ??= require('handlebars/runtime') as typeof Handlebars);
const hbCompiler = () => (compilerLib ??= require('handlebars') as typeof Handlebars);
const PRECOMPILED_FILE = fileURLToPath(new URL('./templates.precompiled.json', import.meta.url));

/** "<dir>/<file>.hbs" -> the SHA-256 of the text it was precompiled from and Handlebars' precompiled spec (JavaScript). */
export type PrecompiledTemplates = Readonly<Record<string, { readonly sha256: string; readonly spec: string }>>;

const cache = new Map<string, HandlebarsTemplateDelegate>();
const envs = new Map<Backend, typeof Handlebars>();
let files: Map<string, string> | undefined;
let precompiled: PrecompiledTemplates | undefined;
let plainEnv: typeof Handlebars | undefined;

/** Every .hbs template precompiled (what the build writes to templates.precompiled.json). */
export function precompileTemplates(): PrecompiledTemplates {
  const out: Record<string, { sha256: string; spec: string }> = {};
  for (const [path, text] of templateTexts())
    if (path.endsWith('.hbs')) out[path] = { sha256: sha256(text), spec: hbCompiler().precompile(text, OPTIONS) as string };
  return out;
}

/** Replaces the precompiled set (tests; undefined reads templates.precompiled.json again if present) and drops compiled templates. */
export function usePrecompiled(p: PrecompiledTemplates | undefined): void {
  precompiled = p;
  cache.clear();
  envs.clear();
  plainEnv = undefined;
}

function precompiledSet(): PrecompiledTemplates {
  precompiled ??= existsSync(PRECOMPILED_FILE) ? (JSON.parse(readFileSync(PRECOMPILED_FILE, 'utf8')) as PrecompiledTemplates) : {};
  return precompiled;
}

/** A template of `hb` from its text: the precompiled spec when it was made from this very text, else precompiled now. */
function compiled(hb: typeof Handlebars, path: string, text: string): HandlebarsTemplateDelegate {
  const p = precompiledSet()[path];
  const spec = p !== undefined && p.sha256 === sha256(text) ? p.spec : (hbCompiler().precompile(text, OPTIONS) as string);
  // The spec is JavaScript that Handlebars generated from this text; Handlebars.compile() evaluates the same code.
  return hb.template(new Function(`return ${spec}`)());
}

/** Every template and header, "<dir>/<file>" -> text, read once per process (emission and the fingerprint share it). */
function templateTexts(): Map<string, string> {
  if (files === undefined) {
    files = new Map();
    for (const dir of readdirSync(TEMPLATE_DIR).sort()) {
      for (const f of readdirSync(join(TEMPLATE_DIR, dir)).sort()) files.set(`${dir}/${f}`, readFileSync(join(TEMPLATE_DIR, dir, f), 'utf8'));
    }
  }
  return files;
}

/** A partial compiled on its first use (most kernels use few of them). */
function lazyTemplate(hb: typeof Handlebars, path: string, text: string): HandlebarsTemplateDelegate {
  let t: HandlebarsTemplateDelegate | undefined;
  return (context, options) => {
    t ??= compiled(hb, path, text);
    return t(context, options);
  };
}

/** One Handlebars environment per backend: its partials are the backend's templates over C's, each compiled once on first use. */
function envFor(backend: Backend): typeof Handlebars {
  let hb = envs.get(backend);
  if (hb === undefined) {
    hb = hbRuntime().create();
    for (const dir of backend === 'c' ? ['c'] : ['c', backend]) {
      for (const [path, text] of templateTexts()) {
        const [d, f] = path.split('/');
        // Partials are templates too (registered compiled, so they are compiled with OPTIONS, never Handlebars' defaults).
        if (d === dir && f.endsWith('.hbs')) hb.registerPartial(f.slice(0, -4), lazyTemplate(hb, path, text));
      }
    }
    envs.set(backend, hb);
  }
  return hb;
}

export function template(backend: Backend, name: string): HandlebarsTemplateDelegate {
  const key = `${backend}/${name}`;
  let t = cache.get(key);
  if (t === undefined) {
    const texts = templateTexts();
    const path = texts.has(`${backend}/${name}.hbs`) ? `${backend}/${name}.hbs` : `c/${name}.hbs`;
    const text = texts.get(path);
    invariant(text !== undefined, `no template ${name}.hbs for ${backend} or c`);
    t = compiled(envFor(backend), path, text);
    cache.set(key, t);
  }
  return t;
}

/** A template without partials, e.g. "addon/addon.cc.hbs", compiled once per process. */
export function fileTemplate(path: string): HandlebarsTemplateDelegate {
  let t = cache.get(path);
  if (t === undefined) {
    const text = templateTexts().get(path);
    invariant(text !== undefined, `no template ${path}`);
    plainEnv ??= hbRuntime().create();
    t = compiled(plainEnv, path, text);
    cache.set(path, t);
  }
  return t;
}

/** Every file that shapes generated code, for the fingerprint: templates and support headers. */
export function templateFiles(): { path: string; text: string }[] {
  return [...templateTexts()].map(([path, text]) => ({ path, text }));
}
