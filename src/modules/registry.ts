// Resolves a task's module name (short name, Ansible name or FQCN) to its spec.
import { aptKeyModule } from './apt_key.js';
import { aptRepositoryModule } from './apt_repository.js';
import { blockinfileModule } from './blockinfile.js';
import { commandModule, shellModule } from './command.js';
import { assertModule, debugModule, failModule, includeVarsModule, metaModule, setFactModule } from './controller.js';
import { copyModule } from './copy.js';
import { fetchModule } from './fetch.js';
import { fileModule } from './file.js';
import { firewallModule } from './firewall.js';
import { iptablesModule } from './iptables.js';
import { iptablesStateModule } from './iptables_state.js';
import { getUrlModule } from './get_url.js';
import { groupModule } from './group.js';
import { lineinfileModule } from './lineinfile.js';
import { mysqlDbModule } from './mysql_db.js';
import { mysqlReplicationModule } from './mysql_replication.js';
import { mysqlUserModule } from './mysql_user.js';
import { iniFileModule } from './ini_file.js';
import { packageModule } from './package.js';
import { pingModule } from './ping.js';
import { pauseModule } from './pause.js';
import { rawModule } from './raw.js';
import { replaceModule } from './replace.js';
import { addHostModule, groupByModule } from './runtime-groups.js';
import { serviceModule } from './service.js';
import { setupModule } from './setup.js';
import { slurpModule } from './slurp.js';
import { statModule } from './stat.js';
import { sysctlModule } from './sysctl.js';
import { templateModule } from './template.js';
import type { ModuleSpec } from './types.js';
import { unarchiveModule } from './unarchive.js';
import { userModule } from './user.js';
import { waitForModule } from './wait_for.js';

export const MODULES: readonly ModuleSpec[] = [
  packageModule,
  copyModule,
  templateModule,
  fileModule,
  lineinfileModule,
  blockinfileModule,
  replaceModule,
  iniFileModule,
  sysctlModule,
  serviceModule,
  commandModule,
  shellModule,
  rawModule,
  firewallModule,
  iptablesModule,
  iptablesStateModule,
  groupModule,
  userModule,
  mysqlUserModule,
  mysqlDbModule,
  mysqlReplicationModule,
  waitForModule,
  pingModule,
  statModule,
  slurpModule,
  fetchModule,
  unarchiveModule,
  getUrlModule,
  aptRepositoryModule,
  aptKeyModule,
  setupModule,
  assertModule,
  debugModule,
  failModule,
  setFactModule,
  metaModule,
  pauseModule,
  includeVarsModule,
  groupByModule,
  addHostModule,
];

const byName = new Map<string, ModuleSpec>();
for (const m of MODULES) {
  for (const n of [m.name, ...m.aliases]) {
    byName.set(n, m);
    // ansible.legacy.* is how Ansible itself spells a builtin that may be overridden locally.
    const short = n.startsWith('ansible.builtin.')
      ? n.slice('ansible.builtin.'.length)
      : !n.includes('.')
        ? n
        : undefined;
    if (short) byName.set(`ansible.legacy.${short}`, m);
  }
}

export function resolveModule(name: string): ModuleSpec | undefined {
  return byName.get(name);
}

/** Every name a task may use, for "did you mean". */
export function moduleNames(): string[] {
  return [...byName.keys()];
}
