// `volta inspect --report`: the HTML opened in headless Chromium (Debian's, driven by
// playwright-core; never a downloaded browser), its rendered content checked against the
// compilation, and a screenshot kept as test-results/report.png. `--dot` beside it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { main } from '../compiler/cli.ts';
import { Volta } from '../runtime/index.ts';

const MODEL = new URL('../examples/mlp/mlp.onnx', import.meta.url).pathname;
const CHROMIUM = '/usr/bin/chromium';
const RESULTS = resolve(import.meta.dirname, '..', 'test-results');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('inspect --report / --dot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'volta-report-'));
  const html = join(dir, 'mlp.html');
  const dot = join(dir, 'mlp.dot');
  const compiled = Volta.compileOnly(MODEL);
  // The emitted kernel names, read from the generated C header (not from the report's code).
  const names = [...compiled.source('c').matchAll(/^ \* {3}(k\d+_\w+): /gm)].map((m) => m[1]);

  it('writes a self-contained HTML report and a DOT graph', async () => {
    const r = await cli('inspect', MODEL, '--report', html, '--dot', dot);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`report       ${html}`);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script|<link|src="http|href="http/);
    expect(text).toContain(compiled.fingerprint);
    const d = readFileSync(dot, 'utf8');
    expect(d).toMatch(/^digraph "mlp" \{/);
    expect([...d.matchAll(/subgraph "cluster_k\d+"/g)]).toHaveLength(compiled.schedule.kernels.length);
    for (const n of names) expect(d).toContain(`label="${n}"`);
    // Deterministic: a second report is the same file except for the timings section.
    await cli('inspect', MODEL, '--report', join(dir, 'again.html'));
    const strip = (s: string) => s.replace(/<h2>Timings<\/h2>[\s\S]*?<\/table>/, '');
    expect(strip(readFileSync(join(dir, 'again.html'), 'utf8'))).toBe(strip(text));
  });

  it('renders in headless Chromium: kernel names, node counts, graph and memory timeline', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
    if (!existsSync(html)) await cli('inspect', MODEL, '--report', html);
    const profile = mkdtempSync(join(tmpdir(), 'volta-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 1000 },
    });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(html).href);
      expect(await page.title()).toBe(`Volta report: ${MODEL}`);
      expect(await page.locator('.kernel-name').allInnerTexts()).toEqual(names);
      expect(Number(await page.locator('#nodes-after').innerText())).toBe(compiled.graph.nodes.length);
      expect(await page.locator('svg#after g.node.op').count()).toBe(compiled.graph.nodes.length);
      expect(await page.locator('svg#before g.node.op').count()).toBe(Number(await page.locator('#nodes-before').innerText()));
      expect(await page.locator('svg#after g.node.op[data-kernel]').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-kernel')))])).toEqual(
        names,
      );
      const box = await page.locator('svg#after').boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      await page.locator(`a[href="#src-${names[0]}"]`).click();
      expect(await page.locator(`#src-${names[0]} + pre`).innerText()).toContain(`${names[0]}(`);
      mkdirSync(RESULTS, { recursive: true });
      const shot = join(RESULTS, 'report.png');
      await page.goto(pathToFileURL(html).href);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
