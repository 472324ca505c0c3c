// A host's way through a play: a generator over the task tree that yields the next task to run
// and is told how it went. Block/rescue/always, dynamic includes and the handler flush points
// between sections live here, so the scheduler only decides who runs when.
import type { Block, Node } from '../playbook/model.js';
import type { CompiledPlay, PlannedTask, Section } from '../plan/compile.js';
import { tagsSelect, type TagFilter } from '../plan/tags.js';

export interface StepOutcome {
  /** The task failed and the failure was not ignored. */
  failed: boolean;
  /** The host cannot be reached: it stops here, rescue does not apply. */
  unreachable?: boolean;
  /** The host leaves the play without failing (meta: end_host). */
  ended?: boolean;
  /** include_tasks / include_role: what to run next, inside a block carrying the include's vars. */
  included?: { nodes: Node[]; block: Block };
}

/** A point where notified handlers run (after pre_tasks, after roles+tasks, after post_tasks). */
export interface FlushPoint {
  kind: 'flush';
  after: Section;
}

export type WalkItem =
  | { kind: 'task'; planned: PlannedTask }
  | FlushPoint
  /** The host failed inside a block and its rescue starts: the failure counts as rescued. */
  | { kind: 'rescue' };

export type WalkEnd = 'ok' | 'failed' | 'unreachable' | 'ended';
export type HostWalk = Generator<WalkItem, WalkEnd, StepOutcome | undefined>;

// One object per flush point, shared by every host, so the scheduler runs them together.
const FLUSH: Record<'pre_tasks' | 'tasks' | 'post_tasks', FlushPoint> = {
  pre_tasks: { kind: 'flush', after: 'pre_tasks' },
  tasks: { kind: 'flush', after: 'tasks' },
  post_tasks: { kind: 'flush', after: 'post_tasks' },
};

interface Inherited {
  tags: string[];
  when: string[];
  blocks: Block[];
}

export function* walkPlay(compiled: CompiledPlay, playTags: string[], filter: TagFilter): HostWalk {
  const base: Inherited = { tags: [...playTags], when: [], blocks: [] };
  for (const { section, nodes } of compiled.sections) {
    const end = yield* walkNodes(nodes, base, section, filter);
    if (end !== 'ok') return end;
    // Ansible flushes handlers after pre_tasks, after roles and tasks together, after post_tasks.
    if (section !== 'roles') yield FLUSH[section];
  }
  return 'ok';
}

function* walkNodes(nodes: Node[], inh: Inherited, section: Section, filter: TagFilter): HostWalk {
  for (const n of nodes) {
    if (n.kind === 'task') {
      const planned: PlannedTask = {
        task: n,
        section,
        tags: [...new Set([...inh.tags, ...n.tags])],
        when: [...inh.when, ...n.when],
        blocks: inh.blocks,
      };
      if (!tagsSelect(planned.tags, filter)) continue;
      const outcome = (yield { kind: 'task', planned }) ?? { failed: false };
      if (outcome.unreachable) return 'unreachable';
      if (outcome.ended) return 'ended';
      if (outcome.failed) return 'failed';
      if (outcome.included) {
        const inner: Inherited = {
          tags: planned.tags,
          when: planned.when,
          blocks: [...inh.blocks, outcome.included.block],
        };
        const end = yield* walkNodes(outcome.included.nodes, inner, section, filter);
        if (end !== 'ok') return end;
      }
      continue;
    }
    const inner: Inherited = {
      tags: [...inh.tags, ...n.tags],
      when: [...inh.when, ...n.when],
      blocks: [...inh.blocks, n],
    };
    let end = yield* walkNodes(n.block, inner, section, filter);
    if (end === 'failed' && n.rescue.length) {
      yield { kind: 'rescue' };
      end = yield* walkNodes(n.rescue, inner, section, filter);
    }
    if (end !== 'unreachable' && end !== 'ended' && n.always.length) {
      const after = yield* walkNodes(n.always, inner, section, filter);
      if (after !== 'ok') end = after;
    }
    if (end !== 'ok') return end;
  }
  return 'ok';
}

/** Handlers are walked like tasks (a handler may be a block or an include). */
export function* walkHandlers(handlers: PlannedTask[], chosen: Set<PlannedTask>): HostWalk {
  for (const h of handlers) {
    if (!chosen.has(h)) continue;
    const outcome = (yield { kind: 'task', planned: h }) ?? { failed: false };
    if (outcome.unreachable) return 'unreachable';
    if (outcome.failed) return 'failed';
  }
  return 'ok';
}
