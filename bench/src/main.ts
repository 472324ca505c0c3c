// `npm run bench`: lvsplay against ansible-playbook on N lab hosts, side by side in one run.
// Per host count: prepared hosts, then first converge (fresh disks each run), no-op rerun with
// the floor, --check of a no-op, --check with one change; the two tools alternate which goes
// first. Results: bench/results/<date>.json, .md and .svg.
import { Command, InvalidArgumentError } from 'commander';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineFacts } from './facts.js';
import { assertLabRoute } from '../../src/lab/guard.js';
import {
  benchHosts,
  MAX_BENCH_HOSTS,
  benchInventoryText,
  BENCH_GROUP,
  CONNECTIONS,
  labInventoryText,
  type BenchHost,
  type Connection,
} from './inventory.js';
import {
  forgetHosts,
  hasSnapshot,
  installPython,
  lab,
  labInventoryNow,
  PROJECT,
  restoreSnapshots,
  saveSnapshots,
} from './lab.js';
import { measure, type Measured } from './measure.js';
import { renderSvg } from './plot-svg.js';
import { renderMarkdown } from './report-md.js';
import {
  resultProblems,
  SCENARIOS,
  summarise,
  type SiteYamlOutcome,
  withSummary,
  type BenchResults,
  type Sample,
  type Scenario,
  type Series,
  type Tool,
} from './results.js';
import { benchStartup } from './startup.js';
import { inController, parseRecap, toolArgv, toolEnv } from './tools.js';
import { parseConfig, withPrefetch, type BenchConfig } from './configs.js';

interface BenchOptions {
  hosts: number[];
  runs: number;
  quick: boolean;
  scenarios: Scenario[];
  out: string;
  site: boolean;
  keepDisks: boolean;
  timeout: number;
  /** direct: both tools inside the controller namespace, TCP to the hosts; proxy: the ProxyCommand. */
  connection: Connection;
  /** Round trip added by `lab up --delay` (ms; 0: none). */
  delayMs: number;
  tools: RunTool[];
  /** Added to the result files' names (several benches on one day). */
  label?: string;
  /** LVSPLAY_PREFETCH=1 or 0 for lvsplay; undefined: as in the bench's environment. */
  prefetch?: boolean;
  configs?: BenchConfig[];
  /** After the no-op series, one more lvsplay no-op with --cpu-prof and -o json into this directory. */
  profile?: string;
}

type RunTool = Exclude<Tool, 'floor'>;
const RUN_TOOLS: readonly RunTool[] = ['lvsplay', 'ansible'];
const PLAYBOOK = join(PROJECT, 'bench/playbooks/common.yaml');
const FLOOR = join(PROJECT, 'bench/.build/bench/src/floor.js');
const LAB_INI = join(PROJECT, 'inventory/lab.ini');
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Bench {
  readonly series: Series[] = [];
  readonly notes: string[] = [];
  readonly siteYaml: BenchResults['siteYaml'] = [];
  readonly controlDir = mkdtempSync(join(tmpdir(), 'lvsplay-bench-cp-'));
  readonly env: NodeJS.ProcessEnv;
  labInventory = '';

  constructor(readonly o: BenchOptions) {
    this.env = withPrefetch(toolEnv(PROJECT, this.controlDir), o.prefetch);
  }

  record(tool: Tool, scenario: Series['scenario'], hosts: number, m: Measured): void {
    if (this.labInventory) this.labUnchanged(this.labInventory);
    const { output, ...sample } = m;
    const recap = tool === 'floor' ? undefined : parseRecap(output);
    const s: Sample = recap ? { ...sample, changed: recap.changed } : sample;
    let series = this.series.find((x) => x.tool === tool && x.scenario === scenario && x.hosts === hosts);
    if (!series) this.series.push((series = { tool, scenario, hosts, samples: [] }));
    series.samples.push(s);
    log(
      `${hosts} hosts ${scenario} ${tool}: ${(s.wallMs / 1000).toFixed(2)} s, exit ${s.exitCode}${recap ? `, changed=${recap.changed}` : ''}`,
    );
    if (s.exitCode !== 0)
      this.notes.push(`${tool} ${scenario} on ${hosts} hosts exited ${s.exitCode}: ${tail(output)}`);
  }

  /** The lab is shared: a `lab up` by anyone else mid-bench powers our hosts off. Stop rather
   * than record the timings of unreachable hosts. */
  labUnchanged(labInventory: string): void {
    const now = labInventoryNow();
    if (now !== labInventory)
      throw new Error(
        `the lab was brought up with ${now ?? 'nothing'} during the bench (expected ${labInventory}); run it again when the lab is free`,
      );
  }

  /** The command as the configuration runs it: inside the controller namespace for direct TCP. */
  argv(argv: string[]): string[] {
    return this.o.connection === 'direct' ? inController(argv) : argv;
  }

  /** `lvsplay lab up -i INVENTORY`, with the bench's link delay. */
  async up(inventory: string): Promise<void> {
    await lab('up', '-i', inventory, ...(this.o.delayMs > 0 ? ['--delay', `${this.o.delayMs}ms`] : []));
  }

  async time(tool: RunTool, scenario: Scenario, inventory: string, hosts: number): Promise<Measured> {
    this.labUnchanged(this.labInventory);
    const argv = toolArgv(tool, PROJECT, { playbook: PLAYBOOK, inventory, forks: hosts, scenario });
    return measure(this.argv(argv), {
      cwd: PROJECT,
      env: this.env,
      timeoutMs: this.o.timeout * 1000,
    });
  }

  /** Brings the bench hosts up on their prepared disks (python3 installed), preparing them once. */
  async upPrepared(hosts: BenchHost[], labInventory: string): Promise<void> {
    if (this.o.quick) {
      // the cluster's hosts stay up; a bench host not running yet starts from a blank disk
      await this.up(labInventory);
      await installPython(hosts);
      return;
    }
    await lab('down');
    const missing = hosts.filter((h) => !hasSnapshot(h));
    forgetHosts(missing);
    await restoreSnapshots(hosts.filter((h) => !missing.includes(h)));
    await this.up(labInventory);
    if (missing.length > 0 && !this.o.tools.includes('ansible')) {
      // lvsplay alone needs no python3 on its targets: new hosts stay as the lab makes them
      this.notes.push(`${missing.length} hosts without a prepared disk ran as the lab made them (no python3)`);
    } else if (missing.length > 0) {
      log(`installing python3 on ${missing.length} new hosts`);
      await installPython(missing);
      await lab('down');
      await saveSnapshots(missing);
      await this.up(labInventory);
    }
    await sleep(1000);
  }

  async freshHosts(hosts: BenchHost[], labInventory: string): Promise<void> {
    if (this.o.quick) return;
    await lab('down');
    await restoreSnapshots(hosts);
    await this.up(labInventory);
    await sleep(1000);
  }

  async hostCount(n: number): Promise<void> {
    const hosts = benchHosts(n);
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-bench-inv-'));
    const labIni = readFileSync(LAB_INI, 'utf8');
    const inventory = join(dir, `bench-${n}.ini`);
    const labInventory = join(dir, `lab-${n}.ini`);
    writeFileSync(inventory, benchInventoryText(hosts, labIni, this.o.connection));
    writeFileSync(labInventory, labInventoryText(hosts, labIni, this.o.quick));
    this.labInventory = labInventory;
    log(`${n} hosts: preparing`);
    await this.upPrepared(hosts, labInventory);
    // direct TCP starts in the controller namespace without the ProxyCommand's route guard: the
    // same check, once per host, before anything connects (it asks the kernel, sends nothing)
    if (this.o.connection === 'direct') for (const h of hosts) await assertLabRoute(h.address);
    const order = (i: number): RunTool[] =>
      (i % 2 === 0 ? ['lvsplay', 'ansible'] : ['ansible', 'lvsplay']).filter((t): t is RunTool =>
        this.o.tools.includes(t as RunTool),
      );
    const want = new Set(this.o.scenarios);

    if (want.has('converge')) {
      for (let i = 0; i < this.o.runs; i++) {
        for (const tool of order(i)) {
          await this.freshHosts(hosts, labInventory);
          this.record(tool, 'converge', n, await this.time(tool, 'converge', inventory, n));
        }
      }
    }
    if (!this.o.quick) {
      // untimed: converge, then each tool once on the other's result (a no-op must stay a no-op)
      for (const tool of this.o.tools) {
        const m = await this.time(tool, 'converge', inventory, n);
        const recap = parseRecap(m.output);
        this.notes.push(
          `${n} hosts: untimed ${tool} run before the no-op series: exit ${m.exitCode}, changed=${recap?.changed ?? '?'}`,
        );
      }
    }
    for (const sc of ['noop', 'check-noop', 'check-change'] as const) {
      if (!want.has(sc)) continue;
      for (let i = 0; i < this.o.runs; i++) {
        // the floor is taken beside the no-op runs, on the same hosts in the same state
        if (sc === 'noop')
          this.record(
            'floor',
            'floor',
            n,
            await measure(this.argv([process.execPath, FLOOR, inventory, BENCH_GROUP]), {
              cwd: PROJECT,
              timeoutMs: 120_000,
            }),
          );
        for (const tool of order(i)) this.record(tool, sc, n, await this.time(tool, sc, inventory, n));
      }
    }
    if (this.o.profile && this.o.tools.includes('lvsplay')) await this.profile(inventory, n);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Where a no-op rerun's time goes: a CPU profile and the per-task timings of `-o json`. */
  async profile(inventory: string, n: number): Promise<void> {
    const dir = join(resolve(this.o.profile!), `${n}-hosts-${this.o.label ?? 'bench'}`);
    mkdirSync(dir, { recursive: true });
    const [node, cli, ...rest] = toolArgv('lvsplay', PROJECT, {
      playbook: PLAYBOOK,
      inventory,
      forks: n,
      scenario: 'noop',
    });
    const m = await measure(this.argv([node!, '--cpu-prof', '--cpu-prof-dir', dir, cli!, ...rest, '-o', 'json']), {
      cwd: PROJECT,
      env: this.env,
      timeoutMs: this.o.timeout * 1000,
    });
    writeFileSync(join(dir, 'run.json'), m.output);
    log(`${n} hosts: profiled no-op in ${(m.wallMs / 1000).toFixed(2)} s into ${dir}`);
  }

  /**
   * The project's own job: playbooks/site.yaml on the bundled six-host cluster under each tool,
   * as a user runs it (the project's ansible.cfg, the lab inventory): the first converge of
   * freshly made hosts, then no-op reruns and --check runs (`runs` of each, 1 with --quick).
   * Each tool gets its own fresh lab (`lab down --purge`: the hosts' disks wiped), with Ansible's
   * prerequisites (python3, python3-apt) installed for both alike.
   */
  async site(): Promise<void> {
    const site = join(PROJECT, 'playbooks/site.yaml');
    const env: NodeJS.ProcessEnv = {
      ...this.env,
      // what the project's ansible.cfg leaves to the user, set as the bench's own peer settings
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=60s',
    };
    delete env.ANSIBLE_CONFIG; // the project's own ansible.cfg: roles_path, the vault password
    const runs = this.o.quick ? 1 : this.o.runs;
    for (const tool of ['lvsplay', 'ansible'] as const) {
      // fresh hosts: their disks wiped (the cached base stays), so the first run converges all
      await lab('down', '--purge');
      await lab('up', '-i', LAB_INI);
      const cluster = [...readFileSync(LAB_INI, 'utf8').matchAll(/^(\S+)\s+ansible_host=(\S+)/gm)].map((m) => ({
        name: m[1]!,
        address: m[2]!,
      }));
      await installPython(cluster);
      const phases: [SiteYamlOutcome['phase'], string[], number][] = [
        ['converge', [], 1],
        ['rerun', [], runs],
        ['check', ['--check'], runs],
      ];
      for (const [phase, extra, times] of phases) {
        const argv =
          tool === 'lvsplay'
            ? [process.execPath, join(PROJECT, 'bin/lvsplay.js'), 'run', site, '-i', LAB_INI, '-f', '6', ...extra]
            : ['ansible-playbook', site, '-i', LAB_INI, '-f', '6', ...extra];
        const samples: Sample[] = [];
        let problems: string[] = [];
        for (let i = 0; i < times; i++) {
          const m = await measure(argv, { cwd: PROJECT, env, timeoutMs: this.o.timeout * 1000 });
          const { output, ...sample } = m;
          const recap = parseRecap(output);
          if (recap) sample.changed = recap.changed;
          samples.push(sample);
          if (m.exitCode !== 0)
            problems = output
              .split('\n')
              .filter((l) => /ERROR|fatal:|FAILED|error:|couldn't resolve/i.test(l))
              .slice(0, 8)
              .map((l) => l.trim().slice(0, 300));
          log(
            `site.yaml ${tool} ${phase}: exit ${m.exitCode} in ${(m.wallMs / 1000).toFixed(1)} s, changed ${sample.changed ?? '?'}`,
          );
          if (m.exitCode !== 0) break;
        }
        this.siteYaml.push({ hosts: cluster.length, tool, phase, samples, summary: summarise(samples), problems });
        if (problems.length > 0) break;
      }
    }
  }

  results(): BenchResults {
    return {
      format: 'lvsplay-bench/1',
      date: new Date().toISOString(),
      mode: this.o.quick ? 'quick' : 'full',
      machine: machineFacts(PROJECT),
      settings: {
        playbook: 'bench/playbooks/common.yaml (15 tasks, 1 handler), unchanged for both tools',
        'gather facts': 'no, for either tool (gather_facts: false)',
        forks: 'equal to the host count (-f N), both tools',
        'ansible.cfg':
          'bench/ansible.cfg (ANSIBLE_CONFIG, both tools): pipelining = True, ssh_args = -o ControlMaster=auto -o ControlPersist=60s, host_key_checking = True, interpreter_python = /usr/bin/python3',
        connection:
          this.o.connection === 'direct'
            ? "direct TCP: both tools (and the floor) run inside the lab's controller namespace (ip netns exec lvsplay-ctl) and connect to the hosts' addresses themselves; inventory/lab.ini's [all:vars] without the ProxyCommand: root, lab key, lab known_hosts with StrictHostKeyChecking=yes"
            : "ProxyCommand: inventory/lab.ini's [all:vars]: root, lab key, ProxyCommand through the controller namespace (ip netns exec + route guard + socat per host), lab known_hosts with StrictHostKeyChecking=yes",
        'link delay':
          this.o.delayMs > 0
            ? `${this.o.delayMs} ms round trip added to every ssh connection (lab up --delay: a delaying relay in the controller namespace)`
            : 'none',
        LVSPLAY_PREFETCH: this.env.LVSPLAY_PREFETCH ?? '(unset)',
        tools: this.o.tools.join(', '),
        'target prerequisites':
          'python3 and python3-apt installed on every host before anything is timed (ansible needs them; lvsplay does not)',
        'first converge': this.o.quick
          ? 'quick mode: on whatever state the host had (not fresh)'
          : 'fresh hosts each run: lab down, prepared disk (base + python3) restored, lab up',
        runs: this.o.runs,
        'tool order': 'alternates each run (lvsplay first on even runs, ansible-playbook first on odd)',
        'CPU and RSS':
          'CPU: user+sys of the process and its waited-for children (GNU time). RSS: peak sum over the live process tree, sampled every 250 ms; ssh ControlPersist masters detach and are not counted',
      },
      series: this.series.map(withSummary),
      siteYaml: this.siteYaml,
      notes: this.notes,
    };
  }

  write(): string {
    const r = this.results();
    const problems = resultProblems(r);
    if (problems.length > 0) throw new Error(`the results are not well formed: ${problems.join('; ')}`);
    mkdirSync(this.o.out, { recursive: true });
    const base = join(
      this.o.out,
      `${r.date.slice(0, 10)}${this.o.quick ? '-quick' : ''}${this.o.label ? `-${this.o.label}` : ''}`,
    );
    writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
    writeFileSync(`${base}.md`, renderMarkdown(r));
    if (r.series.length > 0) writeFileSync(`${base}.svg`, renderSvg(r));
    return base;
  }
}

/** A checkout's short commit, or its directory's name. */
function gitLabel(dir: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  } catch {
    return dir.split('/').pop() ?? dir;
  }
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
}

const counts = (v: string): number[] => {
  const xs = v.split(',').map((x) => Number(x.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x < 1 || x > MAX_BENCH_HOSTS))
    throw new InvalidArgumentError(`host counts are whole numbers from 1 to ${MAX_BENCH_HOSTS}, comma separated`);
  return xs;
};
const positive = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('give a whole number of 1 or more');
  return Number(v);
};
const wholeMs = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) > 10_000) throw new InvalidArgumentError('give a whole number of ms, 0 to 10000');
  return Number(v);
};
const labelValue = (v: string): string => {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(v)) throw new InvalidArgumentError('a label is lower-case letters, digits and -');
  return v;
};
const oneOfList =
  <T extends string>(what: string, choices: readonly T[]) =>
  (v: string): T => {
    if (!(choices as readonly string[]).includes(v))
      throw new InvalidArgumentError(`unknown ${what} ${v}; choose from ${choices.join(', ')}`);
    return v as T;
  };
const toolList = (v: string): RunTool[] => v.split(',').map((x) => oneOfList('tool', RUN_TOOLS)(x.trim()));
const scenarioList = (v: string): Scenario[] => {
  const xs = v.split(',').map((x) => x.trim());
  const bad = xs.filter((x) => !(SCENARIOS as readonly string[]).includes(x));
  if (bad.length)
    throw new InvalidArgumentError(`unknown scenario ${bad.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  return xs as Scenario[];
};

async function main(argv: string[]): Promise<number> {
  const program = new Command('bench')
    .description('lvsplay against ansible-playbook on lab hosts (as root; the lab must be buildable)')
    .option('--hosts <list>', 'host counts, comma separated', counts, [6, 20, 50])
    .option('--runs <n>', 'timed runs per scenario and tool', positive, 5)
    .option('--scenarios <list>', `scenarios: ${SCENARIOS.join(', ')}`, scenarioList, [...SCENARIOS])
    .option('--quick', 'smoke: 1 host beside the running cluster, 1 run of each scenario, converge not fresh')
    .option(
      '--startup',
      'only start-up: --help, --version and --syntax-check of both tools (no lab); 20 runs by default',
    )
    .option(
      '--baseline <dir>',
      'with --startup: also time an earlier checkout of lvsplay (its dist/ built) in the same runs',
    )
    .option(
      '--site',
      'playbooks/site.yaml on the six-host cluster under both tools: first converge, no-op rerun, --check (alone unless --hosts is given)',
    )
    .option('--keep-disks', "keep the bench hosts' prepared disks for the next bench (python3 stays installed)")
    .option('--timeout <seconds>', 'a timed run is killed (and counts as failed) after this long', positive, 1800)
    .option(
      '--connect <how>',
      "direct: both tools run inside the lab's controller namespace and open TCP to the hosts; proxy: through the ProxyCommand of inventory/lab.ini",
      oneOfList('connection', CONNECTIONS),
      'direct',
    )
    .option('--delay <ms>', 'round trip added to every ssh connection (lab up --delay), in ms', wholeMs, 0)
    .option('--tools <list>', 'the tools timed: lvsplay, ansible (the floor is always taken)', toolList, [...RUN_TOOLS])
    .option(
      '--configs <list>',
      'several configurations in one bench, each with its own result files: direct|proxy, then +prefetch, +noprefetch, +delayN (ms), +lvsplay (lvsplay alone); e.g. direct,direct+prefetch+lvsplay,proxy',
      (v: string) => {
        try {
          return v.split(',').map(parseConfig);
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      },
    )
    .option('--profile <dir>', 'after the no-op series, one lvsplay no-op more with --cpu-prof and -o json into DIR')
    .option('--label <name>', "added to the result files' names: <date>-<name>.json", labelValue)
    .option('--out <dir>', 'where results go', resolve(PROJECT, 'bench/results'));
  program.parse(argv);
  const f = program.opts<
    Omit<BenchOptions, 'quick' | 'site' | 'keepDisks'> & { quick?: boolean; site?: boolean; keepDisks?: boolean }
  >();
  const o: BenchOptions = {
    ...f,
    quick: !!f.quick,
    site: !!f.site,
    keepDisks: !!f.keepDisks,
    out: resolve(f.out),
    connection: program.opts<{ connect: Connection }>().connect,
    delayMs: program.opts<{ delay: number }>().delay,
  };
  if (program.opts<{ startup?: boolean }>().startup) {
    const runs = program.getOptionValueSource('runs') === 'default' ? 20 : o.runs;
    const baseline = program.opts<{ baseline?: string }>().baseline;
    const base = await benchStartup({
      project: PROJECT,
      runs,
      out: o.out,
      log,
      ...(baseline ? { baseline: { dir: resolve(baseline), label: gitLabel(resolve(baseline)) } } : {}),
    });
    process.stdout.write(`${base}.json\n${base}.md\n`);
    return 0;
  }
  if (o.quick) {
    if (program.getOptionValueSource('hosts') === 'default') o.hosts = [1];
    if (program.getOptionValueSource('runs') === 'default') o.runs = 1;
  }
  if (o.site && program.getOptionValueSource('hosts') === 'default') o.hosts = [];
  const benches = (o.configs ?? [undefined]).map(
    (c) =>
      new Bench(
        c
          ? {
              ...o,
              connection: c.connection,
              delayMs: c.delayMs,
              tools: c.lvsplayOnly ? ['lvsplay'] : o.tools,
              ...(c.prefetch === undefined ? {} : { prefetch: c.prefetch }),
              label: o.label ? `${o.label}-${c.name}` : c.name,
            }
          : o,
      ),
  );
  const hostsUsed = o.hosts.length > 0 ? benchHosts(Math.max(...o.hosts)) : [];
  try {
    for (const n of o.hosts) {
      for (const bench of benches) {
        await bench.hostCount(n);
        log(`results so far: ${bench.write()}.json`);
      }
    }
    if (o.site) await benches[0]!.site();
  } finally {
    // leave the machine with the six-host lab, as the rest of the project expects it
    if (!o.quick) await lab('down').catch((e: Error) => log(e.message));
    await lab('up', '-i', LAB_INI).catch((e: Error) => log(e.message));
    if (!o.keepDisks) forgetHosts(hostsUsed);
    for (const bench of benches) rmSync(bench.controlDir, { recursive: true, force: true });
  }
  for (const bench of benches) {
    const base = bench.write();
    process.stdout.write(`${base}.json\n${base}.md\n${bench.series.length > 0 ? `${base}.svg\n` : ''}`);
  }
  return 0;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exitCode = 1;
  },
);
