import type { Command } from 'commander';

export function registerInventory(program: Command): void {
  program.command('inventory').description('show the inventory as ansible-inventory does');
}
