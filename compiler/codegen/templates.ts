// Loads handlebars templates: templates/<dialect>/<name>.hbs, falling back to
// templates/c/. Compiled once per process, with escaping off (this is C, not
// HTML) and strict mode (a missing variable is an error, not an empty string).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Backend } from './dialect.ts';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
export const COMMON_INCLUDE_DIR = join(TEMPLATE_DIR, 'common');

const cache = new Map<string, HandlebarsTemplateDelegate>();

function envFor(backend: Backend): typeof Handlebars {
  const hb = Handlebars.create();
  for (const dir of backend === 'c' ? ['c'] : ['c', backend]) {
    for (const f of readdirSync(join(TEMPLATE_DIR, dir)).sort()) {
      if (f.endsWith('.hbs')) hb.registerPartial(f.slice(0, -4), readFileSync(join(TEMPLATE_DIR, dir, f), 'utf8'));
    }
  }
  return hb;
}

export function template(backend: Backend, name: string): HandlebarsTemplateDelegate {
  const key = `${backend}/${name}`;
  let t = cache.get(key);
  if (t === undefined) {
    const own = join(TEMPLATE_DIR, backend, `${name}.hbs`);
    const file = existsSync(own) ? own : join(TEMPLATE_DIR, 'c', `${name}.hbs`);
    const hb = envFor(backend);
    t = hb.compile(readFileSync(file, 'utf8'), { noEscape: true, strict: true });
    cache.set(key, t);
  }
  return t;
}

/** Every file that shapes generated code, for the fingerprint: templates and support headers. */
export function templateFiles(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const dir of readdirSync(TEMPLATE_DIR).sort()) {
    for (const f of readdirSync(join(TEMPLATE_DIR, dir)).sort()) {
      out.push({ path: `${dir}/${f}`, text: readFileSync(join(TEMPLATE_DIR, dir, f), 'utf8') });
    }
  }
  return out;
}
