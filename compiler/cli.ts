// The volta command line: dispatches to compile / run / inspect / train (compiler/cli/*).
// User errors print their VoltaError message (code first) and exit 1; anything
// else is a bug in Volta: "internal error", the stack, exit 2.
import { HELP, type Io, MAIN_HELP, parse, stdio, type Values } from './cli/args.ts';
import { isVoltaError, VoltaError } from './ir/errors.ts';
import { VOLTA_VERSION } from './version.ts';

export type { Io } from './cli/args.ts';

type Command = (model: string, v: Values, io: Io) => Promise<number>;

// Each command's module loads only when that command runs: `volta compile` never loads the
// trainer, the project builder (yaml) or the report renderer, and `--help` loads none of them.
const COMMANDS: Record<string, () => Promise<Command>> = {
  compile: async () => (await import('./cli/compile_cmd.ts')).cmdCompile,
  run: async () => (await import('./cli/run_cmd.ts')).cmdRun,
  inspect: async () => (await import('./cli/inspect_cmd.ts')).cmdInspect,
  build: async () => (await import('./cli/build_cmd.ts')).cmdBuild,
  train: async () => (await import('./cli/train_cmd.ts')).cmdTrain,
};

/** Runs one command line; returns the exit status (0 ok, 1 user error, 2 internal error). */
export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      const topic = cmd === 'help' ? rest[0] : undefined;
      io.out(topic !== undefined && topic in HELP ? HELP[topic] : MAIN_HELP);
      return 0;
    }
    if (cmd === '--version' || cmd === '-v') {
      io.out(`${VOLTA_VERSION}\n`);
      return 0;
    }
    const load = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    if (load === undefined) {
      throw new VoltaError('VOLTA_E_BAD_OPTION', {
        found: `unknown command ${JSON.stringify(cmd)}`,
        expected: Object.keys(COMMANDS).join(', '),
        hint: "see 'volta --help'",
      });
    }
    const { values, model } = parse(cmd, rest);
    if (model === undefined) {
      io.out(HELP[cmd]);
      return 0;
    }
    return await (await load())(model, values, io);
  } catch (e) {
    // With --json the error is also one JSON object on stdout: { error: { code, message, ...details } }.
    const json = rest.includes('--json');
    if (isVoltaError(e) && e.code !== 'VOLTA_E_INTERNAL') {
      if (json) io.out(`${JSON.stringify({ error: errorJson(e) }, null, 2)}\n`);
      io.err(`${e.message}\n`);
      return 1;
    }
    if (json) io.out(`${JSON.stringify({ error: { code: 'VOLTA_E_INTERNAL', message: String((e as Error)?.message ?? e) } }, null, 2)}\n`);
    io.err(`volta: internal error (a bug in Volta; please report it with the command and model)\n${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}

/** A VoltaError as JSON: code, message and its string/number details (sub-problems as the same shape). */
export function errorJson(e: VoltaError): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(e.details).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (typeof x === 'string' || typeof x === 'number') details[k] = x;
  }
  return { code: e.code, message: e.message, ...details, ...(e.problems.length ? { problems: e.problems.map(errorJson) } : {}) };
}
