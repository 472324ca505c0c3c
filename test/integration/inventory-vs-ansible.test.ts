// lvsplay inventory --list must print what ansible-inventory --list prints, for inventories
// taken from public Ansible projects and for fixtures that exercise each feature. The real
// ansible-inventory (ansible-core, installed by scripts/install-deps.sh) is run here as the
// reference; it is never a dependency of lvsplay itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadInventory, selectHosts } from '../../src/inventory/index.js';
import { runCli } from '../helpers/cli.js';
import { decryptVaultText, readVaultPasswordFile } from '../../src/vars/vault.js';
import { parse } from 'yaml';

const FIX = join(import.meta.dirname, '../fixtures/inventory');
const ANSIBLE_INVENTORY = '/usr/bin/ansible-inventory';
const scratch = mkdtempSync(join(tmpdir(), 'lvsplay-inv-'));

function ansibleEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: scratch,
    ANSIBLE_CONFIG: join(scratch, 'none.cfg'),
    ANSIBLE_LOCAL_TEMP: scratch,
  };
}

function ansibleText(args: string[]): string {
  return execFileSync(ANSIBLE_INVENTORY, args, { cwd: FIX, encoding: 'utf8', timeout: 60_000, env: ansibleEnv() });
}

function ansibleInventory(args: string[]): unknown {
  const out = execFileSync(ANSIBLE_INVENTORY, args, {
    cwd: FIX,
    encoding: 'utf8',
    timeout: 60_000,
    // No ansible.cfg of the machine or the user may change the reference output.
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: scratch,
      ANSIBLE_CONFIG: join(scratch, 'none.cfg'),
      ANSIBLE_LOCAL_TEMP: scratch,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

/** The string values of a vaulted variables file. */
function readVaultedStrings(file: string, passwordFile: string): Set<string> {
  const text = decryptVaultText(readFileSync(file, 'utf8'), readVaultPasswordFile(passwordFile));
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(parse(text));
  return out;
}

function maskStrings(v: unknown, secrets: Set<string>): unknown {
  if (typeof v === 'string') return secrets.has(v) ? '********' : v;
  if (Array.isArray(v)) return v.map((x) => maskStrings(x, secrets));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskStrings(x, secrets)]));
  return v;
}

const lvsplayInventory = (args: string[]) => runCli(['inventory', ...args], FIX);

const cases: Array<[string, string[]]> = [
  [
    'ansible-examples lamp_haproxy (INI + group_vars files without extension)',
    ['public/ansible-examples-lamp_haproxy/hosts'],
  ],
  ['ansible-examples mongodb (inline vars, hosts in several groups)', ['public/ansible-examples-mongodb/hosts']],
  ['kubespray local (group_vars/all/ directory of YAML files)', ['public/kubespray-local/hosts.ini']],
  ["ansible's example hosts (ranges [:5] and [001:006])", ['public/ansible-core-examples/hosts']],
  ['patroni/keepalived inventory directory (two YAML files, .ini skipped)', ['public/patroni-keepalived-dir']],
  [
    'INI features: ranges, typing, :children before definition, priorities, group_vars dirs',
    ['compare/ini-features/hosts.ini'],
  ],
  ['YAML features: nesting, ranges with ports, string hosts, group_vars', ['compare/yaml-features/hosts.yml']],
  [
    'several sources merged in order, each with its own host_vars',
    ['compare/multi-a/hosts.ini', 'compare/multi-b/hosts.yml'],
  ],
  ['a comma list of hosts', ['alpha,beta:2222,10.0.0.5,']],
  ["the project's own lab inventory", ['../../../inventory/lab.ini']],
];

const withVault: Array<[string, string[]]> = [
  [
    'vault-encrypted group_vars file and an inline !vault value',
    ['-i', 'vault/hosts.ini', '--vault-password-file', 'vault/vault-pass.txt'],
  ],
];

describe('lvsplay inventory --list matches ansible-inventory --list', () => {
  test('ansible-inventory is installed (scripts/install-deps.sh installs ansible-core)', () => {
    expect(existsSync(ANSIBLE_INVENTORY)).toBe(true);
  });
  for (const [name, sources] of cases) {
    test(name, async () => {
      const iArgs = sources.flatMap((s) => ['-i', s]);
      const expected = ansibleInventory([...iArgs, '--list']);
      const ours = await lvsplayInventory([...iArgs, '--list']);
      expect(ours.err).toBe('');
      expect(ours.code).toBe(0);
      expect(JSON.parse(ours.out)).toEqual(expected);
    });
  }
  for (const [name, args] of withVault) {
    test(name, async () => {
      // ansible-inventory prints the values of a file vaulted as a whole in clear; lvsplay masks
      // them (they are secrets like inline !vault values): the rest must be the same.
      const vaulted = readVaultedStrings(
        join(FIX, 'vault/group_vars/all/vault.yml'),
        join(FIX, 'vault/vault-pass.txt'),
      );
      expect(vaulted.size).toBeGreaterThan(0);
      const expected = maskStrings(ansibleInventory([...args, '--list']), vaulted);
      const ours = await lvsplayInventory([...args, '--list']);
      expect(ours.err).toBe('');
      for (const v of vaulted) expect(ours.out).not.toContain(JSON.stringify(v));
      expect(JSON.parse(ours.out)).toEqual(expected);
    });
  }
  test('--host prints the same variables as ansible-inventory --host', async () => {
    for (const [src, host] of [
      ['compare/ini-features/hosts.ini', 'db1'],
      ['compare/ini-features/hosts.ini', 'web02.example.com'],
      ['compare/yaml-features/hosts.yml', 'rs01'],
    ] as const) {
      const expected = ansibleInventory(['-i', src, '--host', host]);
      const ours = await lvsplayInventory(['-i', src, '--host', host]);
      expect(JSON.parse(ours.out)).toEqual(expected);
    }
  });
  test('--list --yaml prints what ansible-inventory --list --yaml prints, byte for byte, and reads back', async () => {
    for (const src of ['compare/yaml-strings/hosts.yml', 'compare/yaml-features/hosts.yml']) {
      const expected = ansibleText(['-i', src, '--list', '--yaml']);
      const ours = await lvsplayInventory(['-i', src, '--list', '--yaml']);
      // PyYAML names a value met twice with an anchor (&id001); lvsplay writes it out again.
      if (expected.includes('&id0'))
        expect(parse(ours.out, { version: '1.1' })).toEqual(parse(expected, { version: '1.1' }));
      else expect(ours.out).toBe(expected);
      const json = await lvsplayInventory(['-i', src, '--list']);
      const all = JSON.parse(json.out) as Record<string, { vars?: unknown }>;
      const readBack = parse(ours.out, { version: '1.1' }) as { all: { vars?: unknown } };
      if (src.includes('strings')) expect(readBack.all.vars).toEqual(all['all']?.vars);
    }
  });
  test('--host of a host the inventory lacks: the same exit code as ansible-inventory', async () => {
    const src = 'compare/yaml-strings/hosts.yml';
    const theirs = spawnSync(ANSIBLE_INVENTORY, ['-i', src, '--host', 'nosuchhost'], { cwd: FIX, env: ansibleEnv() });
    const ours = await lvsplayInventory(['-i', src, '--host', 'nosuchhost']);
    expect(ours.code).toBe(theirs.status);
    expect(ours.err).toMatch(/nosuchhost/);
  });
  test('a YAML host key written as a number: ansible-inventory cannot parse the source; lvsplay refuses it at its place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-inv-int-'));
    writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    web1:\n    10:\n');
    const theirs = spawnSync(ANSIBLE_INVENTORY, ['-i', join(dir, 'hosts.yml'), '--list'], {
      cwd: FIX,
      env: ansibleEnv(),
      encoding: 'utf8',
    });
    // Ansible wraps its warnings at the terminal's width: a long temp path goes on the next line.
    expect(theirs.stderr.replace(/\s+/g, ' ')).toMatch(/(Failed|Unable) to parse .*hosts\.yml/);
    const ours = await lvsplayInventory(['-i', join(dir, 'hosts.yml'), '--list']);
    // Ansible goes on with an empty inventory (exit 0); lvsplay stops (a parse error, exit 4),
    // saying where and what to do.
    expect(theirs.status).toBe(0);
    expect(ours.code).toBe(4);
    expect(ours.err).toMatch(
      /hosts\.yml:4:5: host name 10 must be a string, not a number; enclose it in quotation marks/,
    );
  });
  test('--graph prints the same tree as ansible-inventory --graph', async () => {
    for (const [src, ...extra] of [
      ['compare/ini-features/hosts.ini'],
      ['compare/yaml-features/hosts.yml'],
      ['public/ansible-core-examples/hosts'],
      ['compare/ini-features/hosts.ini', '--vars'],
      ['compare/yaml-features/hosts.yml', '--vars'],
      ['compare/yaml-features/hosts.yml', 'realservers', '--vars'],
    ] as const) {
      const expected = execFileSync(ANSIBLE_INVENTORY, ['-i', src, '--graph', ...extra], {
        cwd: FIX,
        encoding: 'utf8',
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: scratch,
          ANSIBLE_CONFIG: join(scratch, 'none.cfg'),
          ANSIBLE_LOCAL_TEMP: scratch,
        },
      });
      const ours = await lvsplayInventory(['-i', src, '--graph', ...extra]);
      expect(ours.out.trimEnd()).toBe(expected.trimEnd());
    }
  });
  test('host patterns select what `ansible PATTERN --list-hosts` lists, in the same order', () => {
    const src = 'compare/patterns/hosts.ini';
    const inv = loadInventory([src], { cwd: FIX }).inventory;
    const patterns = [
      'all',
      '*',
      'cluster',
      'dbservers:directors',
      'dbservers,directors,db1',
      'realservers:&staging',
      'cluster:!directors',
      '!staging:realservers',
      '&staging',
      'web*',
      'lvs?',
      'web[!2]',
      '~(web|db)[13]',
      '*servers',
      'realservers[0]',
      'realservers[-1]',
      'realservers[1:2]',
      'cluster[1:]',
      'ungrouped',
      'staging:dbservers:!web3',
    ];
    for (const p of patterns) {
      const out = execFileSync('/usr/bin/ansible', ['-i', src, p, '--list-hosts'], {
        cwd: FIX,
        encoding: 'utf8',
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: scratch,
          ANSIBLE_CONFIG: join(scratch, 'none.cfg'),
          ANSIBLE_LOCAL_TEMP: scratch,
        },
      });
      const theirs = out
        .split('\n')
        .slice(1)
        .map((l) => l.trim())
        .filter(Boolean);
      expect([p, selectHosts(inv, p).hosts]).toEqual([p, theirs]);
    }
  });
});
