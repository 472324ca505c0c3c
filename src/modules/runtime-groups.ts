// group_by and add_host: tasks that change the run's inventory, as Ansible's action plugins of
// those names do. The module only says what to change (InventoryChange); the executor applies
// it to the run's inventory and reports `changed` when something was new, and later plays
// resolve their host patterns against the result.
import * as z from 'zod';
import { isDict } from '../vars/jinja/python.js';
import type { Vars } from '../vars/precedence.js';
import { list, moduleArgs, str } from './args.js';
import type { ActionResult, ControllerModule } from './runtime.js';

/** Ansible replaces the spaces of a group name made at run time with dashes. */
const groupName = (s: string): string => s.replace(/ /g, '-');

const groupByArgs = moduleArgs({ key: str(), parents: list().optional() });

export const groupByModule: ControllerModule<z.output<typeof groupByArgs>> = {
  name: 'group_by',
  aliases: ['ansible.builtin.group_by'],
  local: true,
  inHostOrder: true,
  exec: 'action',
  args: groupByArgs,
  async run(a, ctx) {
    const group = groupName(String(a.key));
    const parents = (a.parents ?? ['all']).map((p) => groupName(String(p)));
    return {
      status: 'ok',
      changes: [],
      warnings: [],
      data: { add_group: group, parent_groups: parents },
      inventory: [{ groupBy: { host: ctx.host, group, parents } }],
    };
  },
};

const NAME_KEYS = ['name', 'host', 'hostname'] as const;
const GROUP_KEYS = ['groups', 'group', 'groupname'] as const;

/** add_host takes its own arguments and any number of host variables. */
const addHostArgs = z.record(z.string(), z.unknown()).superRefine((a, ctx) => {
  const names = NAME_KEYS.filter((k) => a[k] !== undefined && a[k] !== null);
  if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required' });
  if (names.length > 1)
    ctx.addIssue({ code: 'custom', path: [names[1]!], message: `is an alias of '${names[0]}', which is also given` });
  for (const k of GROUP_KEYS) {
    const v = a[k];
    if (v !== undefined && v !== null && typeof v !== 'string' && !Array.isArray(v))
      ctx.addIssue({ code: 'custom', path: [k], message: 'must be a list of group names or a comma-separated string' });
  }
});

function groupList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((g) => String(g).trim()).filter(Boolean);
  return String(v)
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
}

export const addHostModule: ControllerModule<z.output<typeof addHostArgs>> = {
  name: 'add_host',
  aliases: ['ansible.builtin.add_host'],
  local: true,
  exec: 'action',
  bypassHostLoop: true,
  args: addHostArgs,
  async run(a): Promise<ActionResult> {
    const nameKey = NAME_KEYS.find((k) => a[k] !== undefined && a[k] !== null)!;
    let name = String(a[nameKey]);
    const vars: Vars = {};
    const groups: string[] = [];
    for (const [k, v] of Object.entries(a)) {
      if ((NAME_KEYS as readonly string[]).includes(k)) continue;
      if ((GROUP_KEYS as readonly string[]).includes(k)) {
        if (v !== null && v !== undefined) groups.push(...groupList(v));
        continue;
      }
      vars[k] = v;
    }
    // `host:port`, as Ansible's parse_address reads it (not an IPv6 address, which has more colons).
    const port = /^([^:[\]]+):(\d+)$/.exec(name);
    if (port) {
      name = port[1]!;
      vars.ansible_ssh_port = Number(port[2]);
    }
    return {
      status: 'ok',
      changes: [],
      warnings: [],
      data: { add_host: { host_name: name, groups, host_vars: isDict(vars) ? vars : {} } },
      inventory: [{ addHost: { name, groups, vars } }],
    };
  },
};
