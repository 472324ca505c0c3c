// `lvsplay lab ...`: the built-in lab of namespace hosts. Thin: parse flags, call src/lab, print.
import { spawn } from 'node:child_process';
import { InvalidArgumentError, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { ExitCode, LvsplayError, diag } from '../diagnostics.js';
import type { LabStatus } from '../lab/index.js';
import { HOST_KIND_CHOICES, RELEASES, type HostKindChoice } from '../lab/host-kinds.js';
import { oneOf, positiveInt, textOrJson } from './options.js';

const kindValue = oneOf('kind', HOST_KIND_CHOICES);
const releaseValue = oneOf('release', RELEASES);

interface TrafficFlags {
  from: string;
  address?: string;
  port: number;
  path: string;
  rate: number;
  seconds: number;
  timeout: number;
  window: number;
  format: 'text' | 'json';
  records?: string;
}

interface KindFlags {
  all?: HostKindChoice;
  groups?: Record<string, HostKindChoice>;
}

/** `--kind uml`, `--kind directors=uml` (repeatable). */
function collectKinds(v: string, prev: KindFlags = {}): KindFlags {
  const eq = v.indexOf('=');
  if (eq < 0) return { ...prev, all: kindValue(v) };
  const group = v.slice(0, eq);
  if (!group) throw new InvalidArgumentError('kind must be KIND or GROUP=KIND.');
  return { ...prev, groups: { ...prev.groups, [group]: kindValue(v.slice(eq + 1)) } };
}

const out = (s: string) => process.stdout.write(`${s}\n`);
/** The lab's code, loaded by the subcommand that uses it (not by `lvsplay --help`). */
const labApi = () => import('../lab/index.js');

export function registerLab(program: Command): void {
  const lab = program
    .command('lab')
    .description('the built-in test lab: Debian hosts in Linux namespaces on this machine (needs root)');

  lab
    .command('up')
    .description('build (once) and start the lab hosts listed in the inventory; safe to repeat')
    .option('-i, --inventory <file>', 'inventory listing the lab hosts (default: inventory/lab.ini of the project)')
    .option(
      '--kind <kind>',
      'how hosts whose inventory sets no lab_host_kind are made: auto (the default: directors are UML guests ' +
        'when this kernel has no IPVS and linux.uml is installed, the rest namespace hosts on Debian 12 and ' +
        'systemd hosts on Debian 13), netns (SysV init), uml (Debian 12), systemd (systemd-nspawn, systemd as ' +
        'PID 1), or GROUP=KIND for one group (repeatable)',
      collectKinds,
    )
    .option(
      '--release <release>',
      'Debian release of the hosts whose inventory sets no lab_release: bookworm (the default) or trixie ' +
        '(systemd hosts only)',
      releaseValue,
    )
    .option(
      '--delay <time>',
      "slow links: this round trip (e.g. 20ms, 0.1s) added to every connection to a host's ssh port from the " +
        'controller namespace, by a delaying relay there (the kernel has no netem); without it, no delay',
    )
    .action(
      async (o: { inventory?: string; kind?: KindFlags; release?: (typeof RELEASES)[number]; delay?: string }) => {
        const { labUp, labPaths, parseDelay } = await labApi();
        const delayMs = o.delay === undefined ? 0 : parseDelay(o.delay);
        const r = await labUp({
          delayMs,
          ...(o.inventory ? { inventory: o.inventory } : {}),
          ...(o.release ? { release: o.release } : {}),
          ...(o.kind?.all ? { kind: o.kind.all } : {}),
          ...(o.kind?.groups ? { groupKinds: o.kind.groups } : {}),
        });
        const uml = r.hosts.filter((h) => h.kind === 'uml').map((h) => h.name);
        out(
          `lab up: ${r.hosts.length} hosts in ${(r.ms / 1000).toFixed(1)} s${r.builtBase ? ' (base built)' : ''}` +
            (uml.length ? `; UML guests: ${uml.join(', ')}` : '') +
            (delayMs > 0 ? `; ${delayMs} ms round trip added to ssh connections` : ''),
        );
        out(`ssh: ssh -F ${labPaths().sshConfig} ${r.hosts[0]?.name ?? 'HOST'}`);
      },
    );

  lab
    .command('down')
    .description('stop every lab host and remove the lab from the machine; disks and keys stay')
    .option('--purge', "also wipe the hosts' disks, the lab key and ssh files (the cached base stays)")
    .action(async (o: { purge?: boolean }) => {
      const { labDown } = await labApi();
      const r = await labDown({ purge: Boolean(o.purge) });
      out(`lab down${o.purge ? ' (purged)' : ''} in ${(r.ms / 1000).toFixed(1)} s`);
    });

  lab
    .command('status')
    .description('hosts, addresses, kind, Debian release, power, cable, memory, who holds the VIP, IPVS support')
    .option('--format <format>', 'text or json', 'text')
    .action(async (o: { format: string }) => {
      if (o.format !== 'text' && o.format !== 'json') {
        throw new LvsplayError(
          diag(`lab status: unknown format "${o.format}"`, undefined, 'use --format text or --format json'),
          5,
        );
      }
      const { labStatus } = await labApi();
      const s = await labStatus();
      out(o.format === 'json' ? JSON.stringify(s, null, 2) : statusText(s));
    });

  lab
    .command('traffic')
    .description(
      'client traffic to the VIP from a lab host: GET requests at a fixed rate, each on a new connection, for a bounded time or until interrupted; reports failures, the longest gap and which server/version answered over time',
    )
    .option('--from <host>', 'the lab host the requests leave from (a namespace host)', 'client')
    .option('--address <ip>', "where to send (default: the lab's VIP)")
    .option('--port <port>', 'TCP port', positiveInt('port'), 80)
    .option('--path <path>', 'URL path', '/')
    .option('--rate <n>', 'requests per second', positiveInt('rate'), 50)
    .option('--seconds <n>', 'stop after this many seconds (Ctrl-C stops sooner)', positiveInt('seconds'), 60)
    .option('--timeout <ms>', 'a request without an answer in this time fails', positiveInt('timeout'), 2000)
    .option('--window <s>', 'seconds per line of the report over time', positiveInt('window'), 5)
    .option('--format <format>', 'text or json (the summary and every request)', textOrJson, 'text')
    .option('--records <file>', 'also write every request as a JSON line to this file')
    .addHelpText(
      'after',
      '\nExit codes: 0 no request failed, 2 some failed, 1 the traffic could not be sent. A request fails when no 2xx answer came within --timeout.',
    )
    .action(async (o: TrafficFlags) => {
      const { labTraffic, labStatus } = await labApi();
      const { summarize, trafficText } = await import('../lab/traffic-report.js');
      const address = o.address ?? (await labStatus()).vip;
      if (!address)
        throw new LvsplayError(
          diag('lab traffic: the lab inventory names no VIP (lvs_vip)', undefined, 'give --address'),
        );
      const ac = new AbortController();
      const onSignal = () => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const records = await labTraffic({
          from: o.from,
          address,
          port: o.port,
          path: o.path,
          rate: o.rate,
          seconds: o.seconds,
          timeoutMs: o.timeout,
          signal: ac.signal,
        });
        if (o.records) writeFileSync(o.records, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
        const summary = summarize(records, o.window * 1000);
        const target = `http://${address}:${o.port}${o.path}`;
        out(
          o.format === 'json'
            ? JSON.stringify({ target, ...summary, records }, null, 2)
            : trafficText(summary, target).trimEnd(),
        );
        process.exitCode = summary.failures ? ExitCode.failedHosts : ExitCode.ok;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  lab
    .command('exec')
    .description('run a command inside a lab host (nsenter; over ssh for a UML guest); its exit code is passed through')
    .argument('<host>')
    .argument('[command...]', 'command and arguments (after --); a login shell when none')
    .action(async (host: string, argv: string[]) => {
      const { labExec } = await labApi();
      const r = await labExec(host, argv, { stdio: 'inherit' });
      process.exitCode = r.code;
    });

  lab
    .command('ssh')
    .description(
      "interactive ssh to a lab host as root (as admin where the host's sshd refuses root), through the controller namespace",
    )
    .argument('<host>')
    .argument('[command...]', 'remote command (after --)')
    .action(async (host: string, argv: string[]) => {
      const { labStatus, labPaths } = await labApi();
      const s = await labStatus();
      const sshConfig = labPaths().sshConfig;
      const h = s.hosts.find((x) => x.name === host);
      if (!s.up || !h)
        throw new LvsplayError(diag(`lab: no running lab host named "${host}"`, undefined, 'see `lvsplay lab status`'));
      const code = await new Promise<number>((resolve) => {
        const child = spawn('ssh', ['-F', sshConfig, host, ...argv], { stdio: 'inherit' });
        child.on('error', () => resolve(127));
        child.on('close', (c) => resolve(c ?? 255));
      });
      process.exitCode = code;
    });

  type Fault = 'labCrash' | 'labStop' | 'labBoot' | 'labUnplug' | 'labPlug';
  const faults: [string, string, Fault][] = [
    ['crash', 'power cut: kill everything in the host at once (disk and keys stay)', 'labCrash'],
    ['stop', 'clean shutdown: services get TERM (up to 10 s), then power off', 'labStop'],
    ['boot', 'power on (after crash or stop) with the same disk and host keys', 'labBoot'],
    ['unplug', "pull the host's cable out of the lab switch (the host keeps running)", 'labUnplug'],
    ['plug', "put the host's cable back", 'labPlug'],
  ];
  for (const [name, what, fn] of faults) {
    lab
      .command(name)
      .description(what)
      .argument('<host>')
      .action(async (host: string) => {
        const api = await labApi();
        await api[fn](host);
        out(`lab ${name} ${host}: done`);
      });
  }

  lab
    .command('reboot')
    .description(
      'clean reboot from inside each host, all at once (SysV init: runlevel 6; systemd: systemctl reboot); ' +
        'services are stopped by init and disks synced; waits until each host is back: sshd answers, new boot id',
    )
    .argument('<hosts...>')
    .addHelpText(
      'after',
      '\nA namespace host has no kernel of its own: its init runs the K scripts of rc6.d and exits, and the lab ' +
        'boots it again in fresh namespaces (network included: addresses, routes and net.* sysctls start from ' +
        'nothing, as after a real reboot). A UML guest runs runlevel 6, powers off and is booted again (a new ' +
        'kernel). A systemd host runs `systemctl reboot` and is booted again in a fresh network namespace. ' +
        'An unplugged host stays unplugged. A host not back within the boot timeout plus 60 s is an error naming it.',
    )
    .action(async (hosts: string[]) => {
      const { labReboot } = await labApi();
      for (const r of await labReboot(hosts))
        out(
          `lab reboot ${r.host}: back in ${(r.ms / 1000).toFixed(1)} s (${r.bootIdAfter ? `boot id ${r.bootIdAfter}` : 'unplugged: boot id unknown'})`,
        );
    });

  lab
    .command('wipe')
    .description("wipe a powered-off host's disk: its next boot is a fresh host from the base")
    .argument('<host>')
    .action(async (host: string) => {
      const { labWipe } = await labApi();
      out(`lab wipe ${host}: ${(await labWipe(host)) ? 'done' : 'no such host disk, nothing to wipe'}`);
    });

  lab
    .command('partition')
    .description('drop all traffic between two hosts, both ways, in the lab switch')
    .argument('<a>')
    .argument('<b>')
    .action(async (a: string, b: string) => {
      const { labPartition } = await labApi();
      await labPartition(a, b);
      out(`lab partition ${a} ${b}: done`);
    });

  lab
    .command('heal')
    .description('remove every partition')
    .action(async () => {
      const { labHeal } = await labApi();
      await labHeal();
      out('lab heal: done');
    });
}

export function statusText(s: LabStatus): string {
  const lines: string[] = [];
  lines.push(`lab: ${s.up ? 'up' : 'down'} (state ${s.stateDir}${s.inventory ? `, inventory ${s.inventory}` : ''})`);
  lines.push(
    `ipvs: ${
      s.ipvs === 'loaded'
        ? 'loaded'
        : s.ipvs === 'module-available'
          ? 'module available but not loaded (modprobe ip_vs)'
          : 'absent from this kernel (run keepalived VRRP-only: --vrrp)'
    }`,
  );
  if (s.vip)
    lines.push(
      `vip ${s.vip}: ${s.vipHolders.length ? `held by ${s.vipHolders.join(', ')}${s.vipHolders.length > 1 ? ' (split brain)' : ''}` : 'held by nobody'}`,
    );
  if (s.partitions.length) lines.push(`partitions: ${s.partitions.map(([a, b]) => `${a} x ${b}`).join(', ')}`);
  const rows = [['HOST', 'ADDRESS', 'GROUPS', 'KIND', 'RELEASE', 'STATE', 'CABLE', 'PROCS', 'MEM(PSS)']];
  for (const h of s.hosts) {
    rows.push([
      h.name + (h.holdsVip ? ' *' : ''),
      h.address,
      h.groups.join(',') || '-',
      h.kind,
      h.release,
      h.state,
      h.state === 'running' ? (h.plugged ? 'plugged' : 'unplugged') : '-',
      String(h.processes),
      h.state === 'running' ? `${(h.pssKb / 1024).toFixed(1)} MB` : '-',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    lines.push(
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}
