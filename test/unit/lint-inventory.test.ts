// lint over the inventory and the roles' variables, with positions, disables and formats.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { groupNamesOf, groupsMap, hostVarsOf } from '../../src/inventory/index.js';
import { render } from '../../src/lint/format.js';
import { lint } from '../../src/lint/index.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { createTemplar } from '../../src/vars/templar.js';
import { main } from '../../src/cli/main.js';

const I = 'test/fixtures/lint/inventory';

describe('lint over the inventory', () => {
  test('the lab inventory has no error (the seed timings and PASS are warnings)', () => {
    const r = lint({ inventory: ['inventory/lab.ini'] });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect([...new Set(r.findings.map((f) => f.rule))].sort()).toEqual(['lvs-failure-detection', 'vrrp-auth-pass']);
    expect(r.findings.find((f) => f.rule === 'lvs-failure-detection')!.pos).toMatchObject({
      file: 'inventory/group_vars/all/cluster.yml',
      line: 18,
    });
  });

  test('mistakes point at the inventory line and column of the variable', () => {
    const r = lint({ inventory: [`${I}/bad.ini`] });
    const errs = r.findings.filter((f) => f.severity === 'error').map((f) => `${f.pos?.line}:${f.pos?.col} ${f.rule}`);
    expect(errs).toEqual([
      '4:29 vrrp-priority-distinct',
      '4:47 vrrp-single-master',
      '7:30 lvs-weights-zero',
      '7:30 lvs-weights-zero',
      '8:42 fw-service-port',
      '12:28 db-server-id-unique',
    ]);
    expect(lint({ inventory: [`${I}/good.ini`] }).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('per-host disable needs a reason; with one, the finding is reported as disabled', () => {
    const r = lint({ inventory: [`${I}/disabled.ini`] });
    expect(r.suppressed.map((s) => `${s.rule} ${s.reason}`)).toEqual([
      'vrrp-auth-pass lab network, no untrusted hosts',
    ]);
    expect(r.findings.map((f) => `${f.pos?.line} ${f.rule}`)).toEqual(['3 lint-config', '6 vrrp-auth-pass']);
    expect(r.findings[0]!.message).toBe('rule vrrp-auth-pass is disabled without a reason for lvs2; it stays on');
  });

  test('config file: disable with reason works, without a reason or misspelt is an error', () => {
    const r = lint({ inventory: ['inventory/lab.ini'], config: 'test/fixtures/lint/lint-config.yml' });
    expect(r.suppressed.map((s) => s.rule)).toEqual(['lvs-failure-detection']);
    expect(r.findings.filter((f) => f.rule === 'lint-config').map((f) => `${f.pos?.line} ${f.message}`)).toEqual([
      '4 rule vrrp-auth-pass is disabled without a reason; it stays on',
      "5 'vrrp-auth-pas' is not a lint rule",
    ]);
  });

  test('the bundled keepalived.conf template rendered for lvs1 lints with no error', () => {
    const plan = loadAndPlan({ playbook: 'playbooks/site.yaml', inventory: ['inventory/lab.ini'] });
    const play = plan.plays.find((p) => p.hosts.includes('lvs1'))!;
    const vars = {
      ...play.varsOf('lvs1'),
      inventory_hostname: 'lvs1',
      groups: groupsMap(plan.inventory),
      group_names: groupNamesOf(plan.inventory, 'lvs1'),
      ansible_managed: 'managed',
      hostvars: Object.fromEntries([...plan.inventory.hosts.keys()].map((h) => [h, hostVarsOf(plan.inventory, h)])),
    };
    // Laid out as on the director: keepalived.conf includes the password file beside it.
    const dir = mkdtempSync(join(tmpdir(), 'lint-'));
    const file = join(dir, 'keepalived.conf');
    const templar = createTemplar({ vault: plan.vault });
    const render = (t: string, v: Record<string, unknown>) => {
      const out = templar.renderFile(`roles/director/templates/${t}`, v);
      return typeof out === 'string' ? out : out.reveal();
    };
    const withAuth = { ...vars, keepalived_auth_file: join(dir, 'vrrp_auth.conf') };
    writeFileSync(join(dir, 'vrrp_auth.conf'), render('vrrp_auth.conf.j2', withAuth));
    writeFileSync(file, render('keepalived.conf.j2', withAuth));
    const r = lint({ keepalived: [file], inventory: ['inventory/lab.ini'] });
    const fromFile = r.findings.filter((f) => f.pos?.file === file);
    expect(fromFile.filter((f) => f.severity === 'error')).toEqual([]);
    expect(fromFile.some((f) => f.rule.startsWith('keepalived-'))).toBe(false);
  });
});

describe('output formats and exit codes', () => {
  test('text lines carry file:line:col, severity[rule], what, why, fix', () => {
    const out = render(lint({ inventory: [`${I}/bad.ini`] }), 'text');
    expect(out.split('\n')[0]).toMatch(
      /^test\/fixtures\/lint\/inventory\/bad\.ini:4:29: error\[vrrp-priority-distinct\]: lvs1 and lvs2 share VRRP priority 100 in VI_1; .+; give each director/,
    );
    expect(out).toContain('6 error(s), 2 warning(s)');
  });

  test('SARIF 2.1.0 has the rules and located results', () => {
    const sarif = JSON.parse(render(lint({ inventory: [`${I}/bad.ini`] }), 'sarif'));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toContain('vrrp-single-master');
    const res = run.results.find((r: { ruleId: string }) => r.ruleId === 'vrrp-single-master');
    expect(res.level).toBe('error');
    expect(res.message.text).toContain('all state MASTER');
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: `${I}/bad.ini` },
      region: { startLine: 4, startColumn: 47 },
    });
    expect(run.tool.driver.rules[res.ruleIndex].id).toBe('vrrp-single-master');
  });

  test('json lists findings and disabled ones', () => {
    const j = JSON.parse(render(lint({ inventory: [`${I}/disabled.ini`] }), 'json'));
    expect(j.suppressed[0]).toMatchObject({ rule: 'vrrp-auth-pass', reason: 'lab network, no untrusted hosts' });
    expect(j.findings[0]).toMatchObject({ rule: 'lint-config', severity: 'error' });
  });

  test('the CLI exits 1 on errors, 0 on warnings only', async () => {
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      process.exitCode = undefined;
      expect(await main(['node', 'lvsplay', 'lint', '-i', `${I}/bad.ini`])).toBe(1);
      process.exitCode = undefined;
      expect(await main(['node', 'lvsplay', 'lint', '-i', `${I}/good.ini`, '--format', 'json'])).toBe(0);
      process.exitCode = undefined;
      expect(
        await main([
          'node',
          'lvsplay',
          'lint',
          '--keepalived',
          'test/fixtures/lint/keepalived/lvs1.conf',
          'test/fixtures/lint/keepalived/lvs2.conf',
        ]),
      ).toBe(1);
    } finally {
      process.stdout.write = write;
      process.exitCode = undefined;
    }
  });
});
