// The CLI entry: builds the commander program from the command modules, and is the only place
// that turns errors into text and exit codes.
import { Command, CommanderError } from 'commander';
import { ExitCode, LvsplayError, formatDiagnostic } from '../diagnostics.js';

const EXIT_HELP = `
Exit codes (as ansible-playbook's):
  0   success, nothing failed
  1   error
  2   one or more hosts failed; or, for run, a command-line usage error (--bogus, --forks 0)
  3   one or more hosts were unreachable
  4   parse error: the playbook, inventory or a role has a mistake (nothing was touched)
  5   bad options: a file named by an option is missing or broken, an ansible.cfg error
  99  interrupted (Ctrl-C); the recap is still printed`;

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: a run loads the executor, not the lab, lint
 * or status code (every module loaded costs start-up time, paid on each run).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => {
    const [{ registerRun }, { executeFromCli }] = await Promise.all([import('./run.js'), import('./execute.js')]);
    return (p) => registerRun(p, executeFromCli);
  },
  inventory: async () => (await import('./inventory.js')).registerInventory,
  lab: async () => (await import('./lab.js')).registerLab,
  lint: async () => (await import('./lint.js')).registerLint,
  graph: async () => (await import('./graph.js')).registerGraph,
  status: async () => (await import('./status.js')).registerStatus,
  verify: async () => (await import('./verify.js')).registerVerify,
  adopt: async () => (await import('./adopt.js')).registerAdopt,
};

/** The program with every command (for help), or with the one named on the command line. */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  const registers = await Promise.all(wanted.map((c) => COMMANDS[c]!()));
  const program = new Command('lvsplay')
    .description('Idempotent, Ansible-compatible playbook runner over SSH, aware of LVS-DR + keepalived clusters')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP)
    .exitOverride();
  for (const register of registers) register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? ExitCode.ok);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return ExitCode.ok;
      // `run` answers as ansible-playbook, whose argument parser exits 2 on a usage error
      // (--forks 0, --bogus); the other commands have no Ansible counterpart and keep 5.
      return argv.slice(2).find((a) => !a.startsWith('-')) === 'run' ? ExitCode.usage : ExitCode.badOptions;
    }
    if (e instanceof LvsplayError) {
      for (const d of e.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
