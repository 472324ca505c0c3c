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
      'conf.d/vs.conf:4 lvs-dr-port',
      'conf.d/vs.conf:5 lvs-weights-zero',
    ]);
  });
});

describe('real-world configs', () => {
  test('a kubernetes blog config: unknown scheduler, misspelt net_mask, nb_get_retry, PASS', () => {
    expect(brief('k8s-master02.conf')).toEqual([
      '13:19 vrrp-auth-pass',
      '22:13 lvs-scheduler',
      '24:5 keepalived-unknown-keyword',
      '35:13 keepalived-deprecated-keyword',
      '47:13 keepalived-deprecated-keyword',
    ]);
  });

  test('two instances sharing vrid 51 on different interfaces are not a conflict', () => {
    expect(brief('kubeinit-manifest.conf')).toEqual(['16:19 vrrp-auth-pass', '31:19 vrrp-auth-pass']);
  });

  test('a template with placeholders parses; mcast_src_ip is deprecated', () => {
    expect(brief('kubeadm-ha.conf')).toEqual(['16:5 keepalived-deprecated-keyword', '21:19 vrrp-auth-pass']);
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
