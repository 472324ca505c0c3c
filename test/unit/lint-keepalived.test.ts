// keepalived.conf: the parser on real-world and broken files, and the rules over what they say.
import { describe, expect, test } from 'vitest';
import { lint } from '../../src/lint/index.js';
import { parseKeepalived } from '../../src/lint/keepalived/parse.js';

const K = 'test/fixtures/lint/keepalived';
const brief = (file: string) =>
  lint({ keepalived: [`${K}/${file}`] }).findings.map((f) => `${f.pos?.line}:${f.pos?.col} ${f.rule}`);

describe('keepalived.conf parser', () => {
  test('blocks, comments, quotes and positions', () => {
    const r = parseKeepalived(
      '! comment\nglobal_defs {  # trailing\n  router_id "lvs 1"\n}\nvrrp_instance VI_1\n{\n  state BACKUP ! why\n}\n',
      'k.conf',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.nodes.map((n) => n.keyword)).toEqual(['global_defs', 'vrrp_instance']);
    expect(r.nodes[0]!.children![0]).toMatchObject({ keyword: 'router_id', args: ['lvs 1'], pos: { line: 3, col: 3 } });
    expect(r.nodes[1]!.children![0]).toMatchObject({ keyword: 'state', args: ['BACKUP'], pos: { line: 7, col: 3 } });
  });

  test('an unclosed block and an unterminated string are reported where they start', () => {
    const r = lint({ keepalived: [`${K}/broken-unclosed.conf`] }).findings.filter(
      (f) => f.rule === 'keepalived-syntax',
    );
    expect(r.map((f) => `${f.pos?.line}:${f.pos?.col} ${f.message}`)).toEqual([
      '2:1 block vrrp_instance VI_1 is never closed',
      '9:19 unterminated quoted string',
    ]);
  });

  test('a stray } and an include matching nothing', () => {
    const r = lint({ keepalived: [`${K}/broken-extra-brace.conf`] }).findings.filter(
      (f) => f.rule === 'keepalived-syntax',
    );
    expect(r.map((f) => `${f.severity} ${f.pos?.line}:${f.pos?.col} ${f.message}`)).toEqual([
      'error 4:1 } closes no block',
      'warning 8:13 include missing/*.conf: no file matches',
    ]);
  });

  test('an include of a file that exists only on the host is a warning, not an error', () => {
    const r = parseKeepalived(
      'vrrp_instance VI_1 {\n  authentication {\n    include /nonexistent/lvsplay/vrrp_auth.conf\n  }\n}\n',
      'k.conf',
    );
    expect(r.diagnostics.map((d) => `${d.severity} ${d.pos?.line}:${d.pos?.col} ${d.message}`)).toEqual([
      'warning 3:13 include /nonexistent/lvsplay/vrrp_auth.conf: /nonexistent/lvsplay/vrrp_auth.conf does not exist here; its content is not checked',
    ]);
  });

  test('include pulls in files by glob, with their own positions', () => {
    const r = lint({ keepalived: [`${K}/inc/main.conf`] }).findings;
    expect(r.map((f) => `${f.pos?.file.split('/').slice(-2).join('/')}:${f.pos?.line} ${f.rule}`)).toEqual([
      'conf.d/vs.conf:1 keepalived-config-error',
      'conf.d/vs.conf:4 lvs-dr-port',
      'conf.d/vs.conf:5 lvs-weights-zero',
    ]);
    expect(r[0]!.message).toContain('no protocol');
  });
});

describe('real-world configs', () => {
  test('a kubernetes blog config: unknown scheduler, misspelt net_mask, nb_get_retry, PASS', () => {
    expect(brief('k8s-master02.conf')).toEqual([
      '13:19 vrrp-auth-pass',
      '22:13 lvs-scheduler',
      '24:5 keepalived-unknown-keyword',
      // persistence_timeout 0: both daemons answer "number '0' outside range [1, 2678400]".
      '25:25 keepalived-config-error',
      '35:13 keepalived-deprecated-keyword',
      '47:13 keepalived-deprecated-keyword',
    ]);
  });

  test('nb_get_retry: deprecated, and an error because keepalived -t of 2.2 and 2.3 rejects it', () => {
    for (const v of ['2.2', '2.3'] as const) {
      const r = lint({ keepalived: [`${K}/k8s-master02.conf`], keepalivedVersion: v }).findings.filter(
        (f) => f.rule === 'keepalived-deprecated-keyword',
      );
      expect(r.map((f) => `${f.severity} ${f.message}`)).toEqual([
        `error 'nb_get_retry' is deprecated and keepalived ${v} rejects it in SSL_GET (keepalived -t fails)`,
        `error 'nb_get_retry' is deprecated and keepalived ${v} rejects it in SSL_GET (keepalived -t fails)`,
      ]);
    }
  });

  test('a keyword 2.3 added is an error for 2.2 only; the default is the newest', () => {
    const conf = 'test/fixtures/lint/keepalived-corpus/v23-tls-compliant.conf';
    const errs = (v?: '2.2' | '2.3') =>
      lint({ keepalived: [conf], ...(v ? { keepalivedVersion: v } : {}) })
        .findings.filter((f) => f.severity === 'error')
        .map((f) => `${f.pos?.line} ${f.rule} ${f.message}`);
    expect(errs('2.2')).toEqual([
      "26 keepalived-unknown-keyword 'tls_compliant' is not a keepalived 2.2 keyword in SSL_GET",
    ]);
    expect(errs('2.3')).toEqual([]);
    expect(errs()).toEqual([]);
  });

  test('a misplaced keyword is named with its block, a typo gets a guess', () => {
    const r = lint({ keepalived: ['test/fixtures/lint/keepalived-corpus/vs-keyword-in-vrrp.conf'] }).findings;
    expect(r.find((f) => f.rule === 'keepalived-unknown-keyword')).toMatchObject({
      message: "'lb_algo' is not a keepalived 2.3 keyword in vrrp_instance",
      fix: 'move it to the block it belongs to',
    });
    const t = lint({ keepalived: ['test/fixtures/lint/keepalived-corpus/typo-priorty.conf'] }).findings;
    expect(t.find((f) => f.rule === 'keepalived-unknown-keyword')?.fix).toBe("did you mean 'priority'?");
  });

  test('two instances sharing vrid 51 on different interfaces are not a conflict', () => {
    expect(brief('kubeinit-manifest.conf')).toEqual(['16:19 vrrp-auth-pass', '31:19 vrrp-auth-pass']);
  });

  test('a template with placeholders parses; mcast_src_ip is deprecated; the placeholders are what -t rejects', () => {
    expect(brief('kubeadm-ha.conf')).toEqual([
      '7:5 keepalived-config-error',
      '14:11 keepalived-config-error',
      '16:5 keepalived-deprecated-keyword',
      '18:14 keepalived-config-error',
      '21:19 vrrp-auth-pass',
      '22:19 keepalived-config-error',
      '25:9 keepalived-config-error',
    ]);
    const deprecated = lint({ keepalived: [`${K}/kubeadm-ha.conf`] }).findings.find(
      (f) => f.rule === 'keepalived-deprecated-keyword',
    );
    expect(deprecated?.severity).toBe('warning');
  });

  test('one file per director: peers compared across files', () => {
    const r = lint({ keepalived: [`${K}/lvs1.conf`, `${K}/lvs2.conf`] }).findings;
    expect(r.map((f) => `${f.pos?.file.split('/').pop()}:${f.pos?.line} ${f.rule}`).sort()).toEqual([
      'lvs1.conf:9 vrrp-unicast-peers',
      'lvs1.conf:9 vrrp-unicast-peers',
      'lvs2.conf:2 vrrp-single-master',
      'lvs2.conf:5 vrrp-priority-distinct',
      'lvs2.conf:6 vrrp-peers-agree',
    ]);
  });
});

describe('which keepalived version decides', () => {
  const conf = 'test/fixtures/lint/keepalived-corpus/v23-json-version.conf';
  const withFacts = async (vars: string) => {
    const { cpSync, mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'lint-version-'));
    cpSync('test/fixtures/lint/inventory/group_vars', join(dir, 'group_vars'), { recursive: true });
    const inv = join(dir, 'hosts.ini');
    writeFileSync(inv, `${readFileSync('test/fixtures/lint/inventory/good.ini', 'utf8')}\n[directors:vars]\n${vars}\n`);
    return lint({ inventory: [inv], keepalived: [conf] }).findings.filter(
      (f) => f.rule === 'keepalived-unknown-keyword',
    );
  };

  test("the inventory's facts: Debian 12 directors run 2.2, which does not know json_version", async () => {
    expect((await withFacts('ansible_distribution_release=bookworm')).map((f) => f.message)).toEqual([
      "'json_version' is not a keepalived 2.2 keyword in global_defs",
    ]);
    expect(await withFacts('ansible_distribution_major_version=13')).toEqual([]);
  });

  test('keepalived_version in the inventory, and the option over it', async () => {
    expect(await withFacts('keepalived_version=2.2.7')).toHaveLength(1);
    expect(await withFacts('keepalived_version=2.3')).toEqual([]);
    expect(lint({ keepalived: [conf], keepalivedVersion: '2.2' }).findings.some((f) => f.severity === 'error')).toBe(
      true,
    );
  });
});
