// Precompiled templates (what `npm run build` ships in dist/compiler/codegen/templates.precompiled.json)
// render exactly what the templates compiled from their text render, are used only for the text they
// were made from, and bring their partials' options (no HTML escaping) with them.
import { afterEach, describe, expect, it } from 'vitest';
import { addonSource } from '../compiler/build/build.ts';
import { precompileTemplates, usePrecompiled } from '../compiler/codegen/templates.ts';
import { Volta } from '../runtime/index.ts';
import { GOLDEN_MODELS } from './golden_models.ts';

const sources = () =>
  GOLDEN_MODELS.flatMap((m) => {
    const c = Volta.compileOnly(m.source());
    return [c.source('c'), c.source('cuda')];
  }).concat([addonSource('c'), addonSource('cuda')]);

afterEach(() => usePrecompiled(undefined));

describe('precompiled templates', () => {
  it('give byte-identical sources for the golden models and the addon glue', () => {
    usePrecompiled({});
    const fromText = sources();
    usePrecompiled(precompileTemplates());
    expect(sources()).toEqual(fromText);
    expect(fromText.join('\n')).not.toMatch(/&(amp|lt|gt|quot|#x27|#x3D|#x60);/); // nothing HTML-escaped
  });

  it('are used when made from the current text, and ignored when the text changed since', () => {
    const real = precompileTemplates();
    // A spec made from another text under the right hash: rendering it proves the precompiled path ran.
    const other = precompileTemplates();
    const marked = Object.fromEntries(
      Object.entries(other).map(([path, p]) => [
        path,
        path === 'addon/addon.cc.hbs' ? { ...p, spec: p.spec.replace('"// Volta ', '"// marked\\n// Volta ') } : p,
      ]),
    );
    usePrecompiled(marked);
    expect(addonSource('c')).toContain('// marked');
    usePrecompiled({ ...marked, 'addon/addon.cc.hbs': { ...marked['addon/addon.cc.hbs'], sha256: '0'.repeat(64) } });
    expect(addonSource('c')).not.toContain('// marked');
    usePrecompiled(real);
    expect(addonSource('c')).not.toContain('// marked');
  });
});
