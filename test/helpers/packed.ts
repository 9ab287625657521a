// Packs the repository with `npm pack` and installs the tarball into a fresh project
// offline. npm 11 resolves a lockfile-less install from full packuments, which `npm ci`
// never caches, so the project gets a package-lock.json: the tarball as `volta`, plus the
// entries of Volta's production dependency closure copied from the repository's lock
// (same hoisted paths: they sit at the top of node_modules in both). `npm ci --offline`
// then needs only what the repository's own `npm ci` put in the npm cache.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [k: string]: unknown;
}

/** `npm pack` into dir (runs the prepare build); returns the tarball's path. */
export function pack(dir: string): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const tgz = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (tgz.length !== 1) throw new Error(`npm pack left ${tgz.length} tarballs in ${dir}`);
  return join(dir, tgz[0]);
}

/** The lock entry that `from` (a lock path, '' for the root) resolves `name` to, the way Node walks up node_modules. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const p = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (p in packages) return p;
    if (base === '') return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

/** Lock entries of everything `deps` need at run time, from the repository's package-lock.json. */
function closure(deps: Record<string, string>): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const out: Record<string, LockEntry> = {};
  const todo: [string, string, boolean][] = Object.keys(deps).map((n) => ['', n, false]);
  while (todo.length) {
    const [from, name, optional] = todo.shift()!;
    const p = resolveIn(lock.packages, from, name);
    if (p === undefined) {
      if (optional) continue;
      throw new Error(`package-lock.json has no ${name} for ${from || 'the root'}`);
    }
    if (p in out) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[p];
    out[p] = entry;
    for (const n of Object.keys(entry.dependencies ?? {})) todo.push([p, n, false]);
    for (const n of Object.keys(entry.optionalDependencies ?? {})) todo.push([p, n, true]);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Points the project's package.json (written if absent) at the tarball as `volta`, writes a
 * package-lock.json for it and its other dependencies (from the repository's lock: the same
 * versions this repository installed), then runs `npm ci --offline`.
 */
export function installOffline(project: string, tarball: string): void {
  mkdirSync(project, { recursive: true });
  const volta = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as LockEntry & { name: string };
  const spec = `file:${tarball}`;
  const file = join(project, 'package.json');
  const base = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { name: 'volta-consumer', version: '1.0.0', private: true, type: 'module' };
  const manifest = { ...base, dependencies: { ...base.dependencies, volta: spec } };
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const { volta: _, ...others } = { ...manifest.dependencies, ...manifest.devDependencies } as Record<string, string>;
  const lock = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies, devDependencies: manifest.devDependencies },
      'node_modules/volta': {
        version: volta.version,
        resolved: spec,
        integrity,
        license: volta.license,
        dependencies: volta.dependencies,
        bin: volta.bin,
        engines: volta.engines,
      },
      ...closure({ ...(volta.dependencies ?? {}), ...others }),
    },
  };
  writeFileSync(join(project, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
}
