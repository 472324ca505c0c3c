// `lvsplay init DIR`: writes a project that deploys the bundled cluster roles.
import type { Command } from 'commander';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a new cluster project (inventory, group_vars, ansible.cfg, playbooks/site.yaml) into DIR')
    .argument('<dir>', 'a new or empty directory')
    .addHelpText(
      'after',
      '\nThe roles come from the installed lvsplay (ansible.cfg roles_path). Exit codes: 0 written, 1 DIR is not empty.',
    )
    .action(async (dir: string) => {
      // loaded with the action, as every command's work is (start-up time)
      const { initProject } = await import('../init/index.js');
      const r = initProject(dir);
      const lines = [`lvsplay init: wrote ${r.files.join(', ')} into ${r.dir}`, 'next, in that directory:'];
      lines.push('  edit inventory/hosts.ini (your hosts) and inventory/group_vars/all/cluster.yml (the VIP...)');
      lines.push('  lvsplay lint', '  lvsplay run site.yaml --check --diff', '  lvsplay run site.yaml');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
