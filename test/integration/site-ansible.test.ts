// The bundled site.yaml and roles load under ansible-playbook 2.14 as they are (no lock-in):
// from the project's root, with its ansible.cfg (roles_path) and the lab inventory, both tools
// print the same --syntax-check, --list-tasks, --list-hosts and --list-tags.
import { describe, expect, it } from 'vitest';
import { compareListings, explainListing, LISTING_MODES, ROOT } from '../helpers/compat.js';
import { runCli } from '../helpers/cli.js';

describe('site.yaml under ansible-playbook', () => {
  it('loads and lists the same tasks, hosts and tags as with lvsplay', async () => {
    const cases = await compareListings(['playbooks/site.yaml'], runCli, {
      cwd: ROOT,
      args: ['-i', 'inventory/lab.ini'],
    });
    expect(cases.map((c) => c.name)).toEqual(LISTING_MODES.map((m) => `playbooks/site.yaml ${m}`));
    expect(cases.filter((c) => !c.identical).map(explainListing)).toEqual([]);
    // the roles' own modules, not only the play's shape: the rule tasks are listed by both
    const tasks = cases.find((c) => c.name.endsWith('--list-tasks'))!;
    expect(tasks.ansible.out).toContain('firewall : Accept loopback traffic\tTAGS: [firewall]');
    expect(tasks.ansible.out).toContain('director : Find out whether the kernel has IPVS');
  }, 180_000);
});
