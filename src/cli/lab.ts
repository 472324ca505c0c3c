import type { Command } from 'commander';

export function registerLab(program: Command): void {
  program.command('lab').description('the built-in test lab');
}
