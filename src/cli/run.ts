// `lvsplay run PLAYBOOK`: load, validate and plan; then list what was asked for, or hand the
// plan to the executor. Thin: options in, exit code out.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { diag, ExitCode, formatDiagnostic, LvsplayError } from '../diagnostics.js';
import type { Plan, RunOptions } from '../plan/load-and-plan.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../report/formats.js';
import type { ExecuteFlags } from './execute.js';
import { collect } from './options.js';

/** Runs a plan on its hosts and returns the exit code (ansible-playbook's). */
export type Executor = (plan: Plan, flags: ExecuteFlags) => Promise<number>;

interface RunFlags extends ExecuteFlags {
  inventory: string[];
  limit?: string;
  tags: string[];
  skipTags: string[];
  check?: boolean;
  diff?: boolean;
  forks?: number;
  forceHandlers?: boolean;
  extraVars: string[];
  verbose: number;
  vaultPasswordFile: string[];
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  syntaxCheck?: boolean;
  /** false with --no-lint: run even when the cluster rules find an error. */
  lint?: boolean;
}

const increase = (_: string, prev: number): number => prev + 1;

function outputValue(v: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`output must be one of ${OUTPUT_FORMATS.join(', ')}.`);
  return v as OutputFormat;
}

function timeoutValue(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
    throw new InvalidArgumentError('timeout must be a whole number of seconds, 1 or more.');
  return Number(v);
}

function lockWaitValue(v: string): number {
  if (!/^\d+$/.test(v.trim()))
    throw new InvalidArgumentError('lock-wait must be a whole number of seconds, 0 or more.');
  return Number(v);
}

function forksValue(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
    throw new InvalidArgumentError('forks must be a whole number of 1 or more.');
  return Number(v);
}

export function registerRun(program: Command, execute?: Executor): void {
  program
    .command('run')
    .description('run a playbook (or, with a --list-*/--syntax-check option, show what it would do)')
    .argument('<playbook>', 'playbook file; a bare name is also looked for under playbooks/ of the project')
    .option('-i, --inventory <source>', 'inventory file, directory or host list "h1,h2," (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'run only on hosts matching the pattern')
    .option('-t, --tags <tags>', 'run only tasks tagged so (comma separated, repeatable)', collect, [])
    .option('--skip-tags <tags>', 'skip tasks tagged so (comma separated, repeatable)', collect, [])
    .option('-C, --check', 'predict the changes without making them')
    .option('-D, --diff', 'show the differences in files and state')
    .option('-f, --forks <n>', 'hosts worked on at once', forksValue)
    .option('--force-handlers', 'run notified handlers even on a host that failed')
    .option(
      '-e, --extra-vars <vars>',
      'k=v words, YAML/JSON text, or @file (repeatable; highest precedence)',
      collect,
      [],
    )
    .option('-v, --verbose', 'more detail (repeat for more)', increase, 0)
    .option('--vault-password-file <file>', 'vault password file (repeatable)', collect, [])
    .option('-K, --ask-become-pass', 'ask for the become (sudo/su) password')
    .option('-T, --timeout <seconds>', 'ssh connection timeout (default 10)', timeoutValue)
    .option(
      '--lock-wait <seconds>',
      'wait this long for a host another run is changing (default 0: that host fails at once, naming the other run)',
      lockWaitValue,
    )
    .option(
      '-o, --output <format>',
      `output: ${OUTPUT_FORMATS.join(', ')} (auto: a task tree on a terminal, plain lines otherwise)`,
      outputValue,
    )
    .option('--list-hosts', 'list the hosts each play would run on; touch nothing')
    .option('--list-tasks', 'list the tasks each play would run; touch nothing')
    .option('--list-tags', 'list the tags in each play; touch nothing')
    .option('--syntax-check', 'check the playbook, roles and inventory; touch nothing')
    .option('--no-lint', 'run even when `lvsplay lint` finds an error in the cluster (not advised)')
    .action(async (playbook: string, flags: RunFlags) => {
      process.exitCode = await runPlaybook(playbook, flags, execute);
    });
}

export async function runPlaybook(playbook: string, flags: RunFlags, execute?: Executor): Promise<number> {
  const opts: RunOptions = {
    playbook,
    inventory: flags.inventory,
    tags: flags.tags,
    skipTags: flags.skipTags,
    extraVars: flags.extraVars,
    check: flags.check ?? false,
    diff: flags.diff ?? false,
    verbosity: flags.verbose,
    vaultPasswordFile: flags.vaultPasswordFile,
  };
  if (flags.limit !== undefined) opts.limit = flags.limit;
  if (flags.forks !== undefined) opts.forks = flags.forks;
  if (flags.forceHandlers) opts.forceHandlers = true;
  // loaded here, not at the top: `lvsplay --help` registers this command without them
  const { loadAndPlan } = await import('../plan/load-and-plan.js');
  const plan = loadAndPlan(opts);
  for (const w of plan.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  if (flags.syntaxCheck) {
    process.stdout.write(`\nplaybook: ${plan.playbookPath}\n`);
    return ExitCode.ok;
  }
  if (flags.listHosts || flags.listTasks || flags.listTags) {
    const { formatListing } = await import('../plan/listing.js');
    process.stdout.write(
      formatListing(plan, { hosts: !!flags.listHosts, tasks: !!flags.listTasks, tags: !!flags.listTags }),
    );
    return ExitCode.ok;
  }
  if (flags.lint !== false) {
    // The cluster mistakes that take LVS clusters down are refused before any host is touched.
    const [{ lintErrorsOfPlan }, { formatText }] = await Promise.all([
      import('../lint/index.js'),
      import('../lint/format.js'),
    ]);
    const errors = lintErrorsOfPlan(plan, process.cwd());
    if (errors.length) {
      for (const f of errors) process.stderr.write(`${formatText(f)}\n`);
      throw new LvsplayError(
        diag(
          `lint found ${errors.length} error${errors.length > 1 ? 's' : ''} in the cluster; nothing was run`,
          undefined,
          'fix them (see `lvsplay lint`), or pass --no-lint to run anyway',
        ),
        ExitCode.parseError,
      );
    }
  }
  if (!execute)
    throw new LvsplayError(
      diag(
        'execution is not available in this build',
        undefined,
        'use --list-hosts, --list-tasks, --list-tags or --syntax-check',
      ),
      ExitCode.error,
    );
  return execute(plan, flags);
}
