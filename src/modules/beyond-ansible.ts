// Arguments lvsplay takes under an Ansible module name although ansible-core 2.14's module of
// that name (as listed in ansible-modules.ts) lacks them, each with the reason it is right to take
// them. Any other argument of lvsplay's module that Ansible's module of the name used lacks is
// refused at load, as Ansible refuses it where the task runs ("Unsupported parameters"): `sleep`
// belongs to service and sysvinit, not to systemd. A test walks every module name against this.

/** FQCN -> the arguments taken beyond Ansible's list, and why. */
export const BEYOND_ANSIBLE: Readonly<Record<string, { args: readonly string[]; why: string }>> = {
  'ansible.builtin.service': {
    args: ['daemon_reload', 'daemon_reexec', 'masked', 'scope'],
    why: "Ansible's service action runs the systemd module on a systemd host, which takes them; elsewhere the task fails as Ansible's sysvinit module does",
  },
  'ansible.builtin.package': {
    args: ['update_cache', 'cache_valid_time', 'install_recommends', 'purge', 'policy_rc_d'],
    why: "Ansible's package action runs apt on Debian and passes every argument on; apt takes them",
  },
  'ansible.builtin.yum': {
    args: ['use'],
    why: "an argument of Ansible's yum action (the backend: yum, yum4 or dnf), not of the module the option lists come from",
  },
  'ansible.builtin.gather_facts': {
    args: ['gather_subset', 'gather_timeout', 'filter', 'fact_path'],
    why: "Ansible's gather_facts action passes them on to setup",
  },
  'ansible.builtin.shell': {
    args: ['strip_empty_ends'],
    why: 'shell runs the command module, which takes it',
  },
  'ansible.builtin.blockinfile': {
    args: ['append_newline', 'prepend_newline'],
    why: 'arguments of ansible-core 2.16 and later',
  },
  'community.mysql.mysql_user': {
    args: ['column_case_sensitive'],
    why: 'an argument of community.mysql 3.8 and later',
  },
};

/** The arguments lvsplay takes beyond Ansible's list for the module Ansible runs as `fqcn`. */
export function beyondAnsible(fqcn: string | undefined): readonly string[] {
  return fqcn !== undefined && Object.hasOwn(BEYOND_ANSIBLE, fqcn) ? BEYOND_ANSIBLE[fqcn]!.args : [];
}
