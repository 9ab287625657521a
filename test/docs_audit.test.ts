// The docs contract: every shell block of README.md, docs/ and the examples'
// READMEs runs as documented (blocks fenced `sh no-run` only parse), and CLI
// help excerpts equal the CLI's help. See scripts/docs_audit.ts.
import { describe, expect, it } from 'vitest';
import { allBlocks, auditBlock, extractBlocks, scratchCopy } from '../scripts/docs_audit.ts';

describe('docs audit', () => {
  it('runs every runnable shell block, parses the no-run ones, compares CLI help excerpts', () => {
    const scratch = scratchCopy();
    const results = allBlocks()
      .map((b) => auditBlock(b, scratch))
      .filter((r) => r !== undefined);
    expect(results.filter((r) => !r.ok).map((r) => `${r.block.file}:${r.block.line} ${r.how}: ${r.detail}`)).toEqual([]);
    // The README's own blocks are among them, run and parsed.
    expect(results.some((r) => r.block.file === 'README.md' && r.how === 'ran')).toBe(true);
    expect(results.some((r) => r.block.file === 'README.md' && r.how === 'parsed')).toBe(true);
  }, 600_000);

  it('finds fenced blocks with their flags and the help marker', () => {
    const md = [
      '# t',
      '```sh',
      'echo a',
      '```',
      '```sh no-run',
      'npm ci',
      '```',
      '<!-- cli-help: run -->',
      '```text',
      'Usage: x',
      '```',
      '```ts',
      'x',
      '```',
    ].join('\n');
    const b = extractBlocks('t.md', md);
    expect(b.map((x) => [x.line, x.lang, x.flags, x.code, x.cliHelp])).toEqual([
      [2, 'sh', [], 'echo a', undefined],
      [5, 'sh', ['no-run'], 'npm ci', undefined],
      [9, 'text', [], 'Usage: x', 'run'],
      [12, 'ts', [], 'x', undefined],
    ]);
  });

  it('a failing block fails the audit', () => {
    const scratch = scratchCopy();
    const [bad] = extractBlocks('t.md', '```sh\nfalse\n```');
    const [unparsable] = extractBlocks('t.md', '```sh no-run\nif then fi (\n```');
    expect(auditBlock(bad, scratch)?.ok).toBe(false);
    expect(auditBlock(unparsable, scratch)?.ok).toBe(false);
  });
});
