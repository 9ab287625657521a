// Loads handlebars templates: templates/<dialect>/<name>.hbs, falling back to
// templates/c/. Compiled once per process, with escaping off (this is C, not
// HTML) and strict mode (a missing variable is an error, not an empty string).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { invariant } from '../ir/errors.ts';
import type { Backend } from './dialect.ts';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
export const COMMON_INCLUDE_DIR = join(TEMPLATE_DIR, 'common');

const cache = new Map<string, HandlebarsTemplateDelegate>();
const envs = new Map<Backend, typeof Handlebars>();
let files: Map<string, string> | undefined;

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

/** One Handlebars environment per backend: its partials are the backend's templates over C's, each compiled once on first use. */
function envFor(backend: Backend): typeof Handlebars {
  let hb = envs.get(backend);
  if (hb === undefined) {
    hb = Handlebars.create();
    for (const dir of backend === 'c' ? ['c'] : ['c', backend]) {
      for (const [path, text] of templateTexts()) {
        const [d, f] = path.split('/');
        if (d === dir && f.endsWith('.hbs')) hb.registerPartial(f.slice(0, -4), text);
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
    const text = texts.get(`${backend}/${name}.hbs`) ?? texts.get(`c/${name}.hbs`);
    invariant(text !== undefined, `no template ${name}.hbs for ${backend} or c`);
    t = envFor(backend).compile(text, { noEscape: true, strict: true });
    cache.set(key, t);
  }
  return t;
}

/** Every file that shapes generated code, for the fingerprint: templates and support headers. */
export function templateFiles(): { path: string; text: string }[] {
  return [...templateTexts()].map(([path, text]) => ({ path, text }));
}
