// The instruction set the C backend builds for. 'native' picks the host's
// level (x86-64 psABI levels v2/v3/v4, or aarch64 with NEON); 'portable' is
// baseline x86-64 (SSE2) or plain armv8-a. The ISA is part of the fingerprint
// (so of the cache key) and of the glue object's key. It never changes output
// bits in strict mode (no FMA contraction; vectors only where lanes are
// independent outputs), only how fast the code runs.
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { VoltaError } from '../ir/errors.ts';
import type { PlanTarget } from '../kernels/plan.ts';

export const ISAS = ['x86-64', 'x86-64-v2', 'x86-64-v3', 'x86-64-v4', 'armv8-a'] as const;
export type Isa = (typeof ISAS)[number];

/** Floats per SIMD register the kernel plans tile for. */
export const ISA_VECTOR_FLOATS: Readonly<Record<Isa, 4 | 8 | 16>> = {
  'x86-64': 4,
  'x86-64-v2': 4,
  'x86-64-v3': 8,
  'x86-64-v4': 16,
  'armv8-a': 4,
};

/** -march (and tuning) per ISA; v4 asks for 512-bit vectors where gcc would default to 256. */
export const ISA_FLAGS: Readonly<Record<Isa, readonly string[]>> = {
  'x86-64': ['-march=x86-64'],
  'x86-64-v2': ['-march=x86-64-v2'],
  'x86-64-v3': ['-march=x86-64-v3'],
  'x86-64-v4': ['-march=x86-64-v4', '-mprefer-vector-width=512'],
  'armv8-a': ['-march=armv8-a'],
};

const LEVELS: readonly [Isa, readonly string[]][] = [
  ['x86-64-v4', ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl']],
  ['x86-64-v3', ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave']],
  ['x86-64-v2', ['cx16', 'lahf_lm', 'popcnt', 'sse4_1', 'sse4_2', 'ssse3']],
];

/** The host's level from a /proc/cpuinfo "flags" line (x86-64); the levels are cumulative. */
export function isaFromCpuFlags(flags: ReadonlySet<string>): Isa {
  let best: Isa = 'x86-64';
  for (let i = LEVELS.length - 1; i >= 0; i--) {
    if (!LEVELS[i][1].every((f) => flags.has(f))) break;
    best = LEVELS[i][0];
  }
  return best;
}

let host: Isa | undefined;

/** The host's ISA, read once per process. Off Linux, x86-64 hosts get the baseline. */
export function hostIsa(): Isa {
  if (host !== undefined) return host;
  if (arch() === 'arm64') host = 'armv8-a';
  else if (arch() !== 'x64') host = 'x86-64';
  else {
    let flags = new Set<string>();
    try {
      const line = readFileSync('/proc/cpuinfo', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('flags'));
      flags = new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
    } catch {
      // No /proc (not Linux): the baseline is always safe.
    }
    host = isaFromCpuFlags(flags);
  }
  return host;
}

function family(i: Isa): 'x86' | 'arm' {
  return i === 'armv8-a' ? 'arm' : 'x86';
}

/**
 * Resolves the `isa` option: 'native' (default) is the host's level, 'portable' the
 * family's baseline, or an explicit level (compileOnly may emit code for any; a build
 * checks that this host runs it: see checkHostRuns).
 */
export function resolveIsa(requested: string | undefined): Isa {
  if (requested === undefined || requested === 'native') return hostIsa();
  if (requested === 'portable') return family(hostIsa()) === 'arm' ? 'armv8-a' : 'x86-64';
  if (!(ISAS as readonly string[]).includes(requested)) {
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `isa ${JSON.stringify(requested)}`, expected: `'native', 'portable' or one of ${ISAS.join(', ')}` });
  }
  return requested as Isa;
}

/** A build for `isa` must run here (an addon with unsupported instructions would crash when run). */
export function checkHostRuns(isa: Isa): void {
  const h = hostIsa();
  if (family(isa) !== family(h) || ISAS.indexOf(isa) > ISAS.indexOf(h)) {
    throw new VoltaError('VOLTA_E_BAD_OPTION', {
      found: `isa ${isa} does not run on this host (${h})`,
      expected: `'native', 'portable' or a level up to ${h}`,
      hint: 'Volta.compileOnly can still emit the source for another machine',
    });
  }
}

/** What the kernel plans may assume of an ISA. */
export function planTarget(isa: Isa): PlanTarget {
  return { vectorFloats: ISA_VECTOR_FLOATS[isa], registers: isa === 'x86-64-v4' || isa === 'armv8-a' ? 32 : 16 };
}
