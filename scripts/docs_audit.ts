// `npm run docs:audit`: every shell block of README.md and docs/**/*.md (and the
// examples' READMEs) runs as documented. A block whose fence says `no-run`
// (```sh no-run) is a synopsis or too long for the audit, and is only checked to
// parse (bash -n). Runnable blocks run with bash -e in a scratch copy of the
// working tree (node_modules linked, a git repository, its own Volta cache), so
// they can write files and use git without touching the checkout. Generated
// excerpts are checked too: a ```text block after `<!-- cli-help: <command> -->`
// must be exactly what `volta <command> --help` prints.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

export interface Block {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly flags: readonly string[];
  readonly code: string;
  /** For cli-help excerpts: the command whose help the block must equal. */
  readonly cliHelp?: string;
}

const SHELL = new Set(['sh', 'bash', 'shell', 'console']);

export function extractBlocks(file: string, text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
  let pendingHelp: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const help = /<!--\s*cli-help:\s*([\w-]*)\s*-->/.exec(lines[i]);
    if (help) {
      pendingHelp = help[1];
      continue;
    }
    const open = /^(\s*)(`{3,})([\w-]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].startsWith(`${indent}${fence}`); j++) body.push(lines[j].slice(indent.length));
    out.push({ file, line: i + 1, lang, flags: rest.split(/\s+/).filter(Boolean), code: body.join('\n'), cliHelp: pendingHelp });
    pendingHelp = undefined;
    i = j;
  }
  return out;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(`${dir}/${e.name}`) : e.name.endsWith('.md') ? [`${dir}/${e.name}`] : [],
  );
}

export function auditedFiles(): string[] {
  const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `examples/${e.name}/README.md`)
    .filter((f) => {
      try {
        readFileSync(join(ROOT, f));
        return true;
      } catch {
        return false;
      }
    });
  return ['README.md', ...markdownFiles('docs'), ...examples].sort();
}

export function allBlocks(): Block[] {
  return auditedFiles().flatMap((f) => extractBlocks(f, readFileSync(join(ROOT, f), 'utf8')));
}

/** A scratch copy of the working tree (tracked and untracked-not-ignored files) with node_modules linked. */
export function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'volta-docs-audit-'));
  const list = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of list) {
    try {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(dir, f));
    } catch {
      // a tracked file deleted in the working tree
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=docs-audit', '-c', 'user.email=docs-audit@localhost', 'commit', '-qm', 'scratch', '--no-verify');
  return dir;
}

export interface Result {
  readonly block: Block;
  readonly ok: boolean;
  readonly how: 'ran' | 'parsed' | 'compared';
  readonly detail?: string;
}

export function auditBlock(b: Block, scratch: string, timeoutMs = 180_000): Result | undefined {
  if (b.cliHelp !== undefined) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/volta.mjs'), ...(b.cliHelp ? [b.cliHelp] : []), '--help'], { encoding: 'utf8' });
    const ok = r.stdout.trimEnd() === b.code.trimEnd();
    return { block: b, ok, how: 'compared', detail: ok ? undefined : `differs from 'volta ${b.cliHelp} --help' (regenerate: npm run docs:cli)` };
  }
  if (!SHELL.has(b.lang)) return undefined;
  if (b.flags.includes('no-run')) {
    const r = spawnSync('bash', ['-n'], { input: b.code, encoding: 'utf8' });
    return { block: b, ok: r.status === 0, how: 'parsed', detail: r.stderr.trim() || undefined };
  }
  const r = spawnSync('bash', ['-e', '-o', 'pipefail'], {
    input: b.code,
    cwd: scratch,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, VOLTA_CACHE_DIR: join(scratch, '.volta-cache') },
  });
  const ok = r.status === 0;
  return {
    block: b,
    ok,
    how: 'ran',
    detail: ok ? undefined : `${r.signal ? `killed (${r.signal})` : `exit ${r.status}`}: ${(r.stderr || r.stdout).trim().split('\n').slice(-8).join('\n')}`,
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const scratch = scratchCopy();
  const results = allBlocks()
    .map((b) => auditBlock(b, scratch))
    .filter((r) => r !== undefined);
  for (const r of results)
    console.log(
      `${r.ok ? 'ok  ' : 'FAIL'} ${r.how.padEnd(8)} ${r.block.file}:${r.block.line}${r.detail ? `\n     ${r.detail.replace(/\n/g, '\n     ')}` : ''}`,
    );
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
