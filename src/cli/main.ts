// The CLI entry: builds the commander program from the command modules, and is the only place
// that turns errors into text and exit codes.
import { Command, CommanderError } from 'commander';
import { ExitCode, LvsplayError, formatDiagnostic } from '../diagnostics.js';
import { registerAdopt } from './adopt.js';
import { registerGraph } from './graph.js';
import { registerInit } from './init.js';
import { registerInventory } from './inventory.js';
import { registerLab } from './lab.js';
import { registerLint } from './lint.js';
import { registerRun } from './run.js';
import { registerStatus } from './status.js';
import { registerVerify } from './verify.js';

const EXIT_HELP = `
Exit codes (as ansible-playbook's):
  0   success, nothing failed
  1   error
  2   one or more hosts failed; or, for run, a command-line usage error (--bogus, --forks 0)
  3   status, adopt: a host did not answer
  4   parse error: the playbook, inventory or a role has a mistake (nothing was touched);
      for run, also: one or more hosts were unreachable (even when others failed)
  5   bad options: a file named by an option is missing or broken, an ansible.cfg error
  99  interrupted (Ctrl-C); the recap is still printed`;

/**
 * Each command's registration: its name, options and help, light to load. What a command does
 * (the executor, the lab, lint, ssh2, the reporters) its action loads by a dynamic import, so
 * `lvsplay --help` and a parse error load none of it (every module loaded costs start-up time,
 * paid on each run).
 */
const COMMANDS: ((program: Command) => void)[] = [
  // the executor only once a run gets past loading and planning
  (p) => registerRun(p, async (plan, flags) => (await import('./execute.js')).executeFromCli(plan, flags)),
  registerInventory,
  registerLab,
  registerLint,
  registerGraph,
  registerStatus,
  registerVerify,
  registerAdopt,
  registerInit,
];

/** The program with every command. */
export function buildProgram(): Command {
  const program = new Command('lvsplay')
    .description('Idempotent, Ansible-compatible playbook runner over SSH, aware of LVS-DR + keepalived clusters')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP)
    .exitOverride();
  for (const register of COMMANDS) register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
