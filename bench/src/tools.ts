// The command lines both tools are timed with: the same playbook, inventory, forks and config.
import { join } from 'node:path';
import { CONTROLLER_NS } from '../../src/lab/paths.js';
import type { Scenario, Tool } from './results.js';

export interface ToolRun {
  playbook: string;
  inventory: string;
  forks: number;
  scenario: Scenario | 'converge';
}

/** Extra flags per scenario; the one change is a variable the template prints. */
export function scenarioFlags(s: Scenario): string[] {
  switch (s) {
    case 'converge':
    case 'noop':
      return [];
    case 'check-noop':
      return ['--check'];
    case 'check-change':
      return ['--check', '-e', 'bench_change=one-change'];
  }
}

export function toolArgv(tool: Exclude<Tool, 'floor'>, project: string, r: ToolRun): string[] {
  const common = ['-i', r.inventory, '-f', String(r.forks), ...scenarioFlags(r.scenario)];
  return tool === 'lvsplay'
    ? [process.execPath, join(project, 'bin/lvsplay.js'), 'run', r.playbook, ...common]
    : ['ansible-playbook', r.playbook, ...common];
}

/** A command run inside the lab's controller namespace (where every lab connection starts). */
export function inController(argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', CONTROLLER_NS, ...argv];
}

/** Environment for both tools: the bench's ansible.cfg, no colour, a private ControlPath dir. */
export function toolEnv(project: string, controlPathDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANSIBLE_CONFIG: join(project, 'bench/ansible.cfg'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlPathDir,
    ANSIBLE_NOCOLOR: '1',
    NO_COLOR: '1',
  };
  delete env.ANSIBLE_FORCE_COLOR;
  delete env.FORCE_COLOR;
  return env;
}

export interface Recap {
  hosts: number;
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
}

/** Totals of the PLAY RECAP lines ("host : ok=15 changed=0 unreachable=0 failed=0 ..."). */
export function parseRecap(output: string): Recap | undefined {
  const rows = [...output.matchAll(/^\S+\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
  if (rows.length === 0) return undefined;
  const sum = (i: number) => rows.reduce((a, m) => a + Number(m[i]), 0);
  return { hosts: rows.length, ok: sum(1), changed: sum(2), unreachable: sum(3), failed: sum(4) };
}
