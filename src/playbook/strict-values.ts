// Values Ansible resolves to plugins: a connection type and a become method. A misspelt one
// (`lcoal`, `sudoo`) must not fall back to ssh or sudo: it is refused, with its place, before
// any host is touched. Names Ansible knows but lvsplay does not implement are refused too.
import { closest, diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { isTemplated } from '../modules/args.js';

const fq = (names: string[], collection: string) => [...names, ...names.map((n) => `${collection}.${n}`)];

/** What lvsplay runs: its own SSH client (for ssh, smart and paramiko alike) or the controller. */
const CONNECTIONS = new Set(fq(['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'local'], 'ansible.builtin'));
/** Connection plugins of Ansible and its usual collections that lvsplay does not have. */
const OTHER_CONNECTIONS = new Set([
  ...fq(['psrp', 'winrm'], 'ansible.builtin'),
  ...fq(['docker', 'docker_api'], 'community.docker'),
  ...fq(
    ['chroot', 'jail', 'lxc', 'lxd', 'iocage', 'zone', 'funcd', 'qubes', 'saltstack', 'libvirt_lxc'],
    'community.general',
  ),
  ...fq(['podman', 'buildah'], 'containers.podman'),
  ...fq(['kubectl'], 'kubernetes.core'),
  ...fq(['network_cli', 'netconf', 'httpapi'], 'ansible.netcommon'),
]);

const BECOME_METHODS = new Set(fq(['sudo', 'su'], 'ansible.builtin'));
const OTHER_BECOME_METHODS = new Set([
  ...fq(['runas'], 'ansible.builtin'),
  ...fq(['doas', 'dzdo', 'ksu', 'machinectl', 'pbrun', 'pfexec', 'pmrun', 'sesu', 'sudosu'], 'community.general'),
  ...fq(['enable'], 'ansible.netcommon'),
]);

function check(
  what: string,
  value: unknown,
  pos: SourcePos | undefined,
  supported: Set<string>,
  other: Set<string>,
): Diagnostic | undefined {
  if (value === undefined || value === null || isTemplated(value)) return undefined;
  const v = String(value);
  if (supported.has(v)) return undefined;
  const short = [...supported].filter((s) => !s.includes('.'));
  if (other.has(v)) return diag(`${what} '${v}' is not supported by lvsplay`, pos, `use ${short.join(' or ')}`);
  const near = closest(
    v,
    [...supported, ...other].filter((s) => !s.includes('.')),
  );
  return diag(`unknown ${what} '${v}'`, pos, near ? `did you mean '${near}'?` : `use ${short.join(' or ')}`);
}

/** A connection type (`connection:`, `ansible_connection`) lvsplay cannot use, or undefined. */
export const checkConnection = (value: unknown, pos?: SourcePos): Diagnostic | undefined =>
  check('connection type', value, pos, CONNECTIONS, OTHER_CONNECTIONS);

/** A become method (`become_method:`, `ansible_become_method`) lvsplay cannot use, or undefined. */
export const checkBecomeMethod = (value: unknown, pos?: SourcePos): Diagnostic | undefined =>
  check('become method', value, pos, BECOME_METHODS, OTHER_BECOME_METHODS);

/** The become method lvsplay runs for a supported name (FQCN or short). */
export const becomeMethodName = (v: string): 'sudo' | 'su' => (v.endsWith('su') && !v.endsWith('sudo') ? 'su' : 'sudo');
