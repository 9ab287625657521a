// CHANGELOG.md: every entry points at the test or doc that proves it (a link to a
// file that exists), and there is a "Known limits" section.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

/** List entries (with their continuation lines) under each section. */
export function entries(md: string): { section: string; text: string }[] {
  const out: { section: string; text: string }[] = [];
  let section = '';
  for (const line of md.split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    else if (line.startsWith('- ')) out.push({ section, text: line });
    else if (/^\s+\S/.test(line) && out.length) out[out.length - 1].text += ` ${line.trim()}`;
  }
  return out;
}

describe('changelog', () => {
  const md = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');

  it('every entry links to a proof that exists', () => {
    const bad = entries(md).filter((e) => {
      const links = [...e.text.matchAll(/\]\(([^)#\s]+)/g)].map((m) => m[1]);
      return links.length === 0 || links.some((l) => /^https?:/.test(l) || !existsSync(join(ROOT, l)));
    });
    expect(bad.map((e) => `${e.section}: ${e.text}`)).toEqual([]);
  });

  it('has a "Known limits" section with entries', () => {
    expect(entries(md).filter((e) => e.section === 'Known limits').length).toBeGreaterThan(0);
  });

  it('judges entries as it must', () => {
    expect(entries('## A\n- x ([t](test/changelog.test.ts))\n  more\n- y\n')).toEqual([
      { section: 'A', text: '- x ([t](test/changelog.test.ts)) more' },
      { section: 'A', text: '- y' },
    ]);
  });
});
