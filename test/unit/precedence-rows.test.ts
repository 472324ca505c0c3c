// docs/variables.md's precedence table, row by row: every layer sets `winner` to its own name;
// layers are removed from the highest down and each time the next row must win.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';

// Highest first, as docs/variables.md lists them (runtime-only rows are tested elsewhere).
const ROWS = [
  'extraVars',
  'roleParams',
  'taskVars',
  'blockVars',
  'roleVars',
  'playVarsFiles',
  'playVars',
  'playbookHostVars',
  'inventoryHostVars',
  'inventoryFileHostVars',
  'playbookGroupVars',
  'inventoryGroupVars',
  'playbookGroupVarsAll',
  'inventoryGroupVarsAll',
  'inventoryFileGroupVars',
  'roleDefaults',
] as const;

const fixture = join(import.meta.dirname, '../fixtures/playbooks/precedence');
const work = mkdtempSync(join(tmpdir(), 'lvsplay-precedence-'));
cpSync(fixture, work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Takes the layer's `winner` setting out of whichever file holds it. */
function removeLayer(layer: string): void {
  const setting = new RegExp(`[ \\t]*winner[:=][ \\t]*${layer}[ \\t]*$`);
  for (const f of files(work)) {
    const lines = readFileSync(f, 'utf8').split('\n');
    const i = lines.findIndex((l) => setting.test(l));
    if (i < 0) continue;
    // An INI host line keeps its host; a YAML line goes entirely.
    const head = lines[i]!.replace(setting, '');
    if (head.trim() === '') lines.splice(i, 1);
    else lines[i] = head;
    writeFileSync(f, lines.join('\n'));
    return;
  }
  if (layer !== 'extraVars') throw new Error(`no file sets winner=${layer}`);
}

function winner(extra: boolean): unknown {
  const plan = loadAndPlan({
    playbook: join(work, 'play/site.yml'),
    inventory: [join(work, 'inventory/hosts.ini')],
    extraVars: extra ? ['winner=extraVars'] : [],
    cwd: work,
  });
  const play = plan.plays[0]!;
  const task = play.compiled.tasks.find((t) => t.task.name === 'show the winner')!;
  return play.varsOf('web1', task).winner;
}

describe('variable precedence, row by row', () => {
  it('each layer beats every layer below it', () => {
    const seen: unknown[] = [];
    for (const [i, row] of ROWS.entries()) {
      const w = winner(i === 0);
      seen.push(w);
      expect(w, `with every layer up to ${row} present`).toBe(row);
      removeLayer(row);
    }
    expect(seen).toEqual([...ROWS]);
  });
});
