// What the run knows while it goes: per host, its facts, the variables tasks set, the handlers
// notified, and its tally for the recap.
import type { HostCounts } from './events.js';
import type { Vars } from '../vars/precedence.js';
import type { PredictedFile } from '../modules/fileinfo.js';
import { ProbeCache, type Generations } from './prefetch.js';

export interface HostState {
  name: string;
  /** Gathered facts (ansible_facts). */
  facts: Vars;
  /** set_fact and register results, kept for the rest of the run as in Ansible. */
  setFacts: Vars;
  /** Handler names or `listen` topics notified and not yet run. */
  notified: Set<string>;
  /** Handlers an earlier, unfinished run notified: they join `notified` at the end of the play. */
  carriedOver: Set<string>;
  failed: boolean;
  unreachable: boolean;
  counts: HostCounts;
  /** In check mode: changes predicted and not made, so later failures can be called unknown. */
  unapplied: string[];
  /** In check mode: files predicted to be written, by path (for later tasks' overlays). */
  predictedFiles: Map<string, PredictedFile>;
  /** Probe results read ahead for the next tasks, valid until the host changes. */
  probes: ProbeCache;
  /** Tasks whose check-mode result was 'unknown'. */
  unknown: number;
}

/**
 * `generations`: the run's, shared by its hosts (see forgetRenderedArgs). A host failing,
 * becoming unreachable or being rescued changes ansible_play_hosts, a variable every host sees:
 * that counts as a change of the run's variables too.
 */
export function newHostState(name: string, generations: Generations = { vars: 0, probes: 0 }): HostState {
  let failed = false;
  let unreachable = false;
  return {
    name,
    facts: {},
    setFacts: {},
    notified: new Set(),
    carriedOver: new Set(),
    get failed() {
      return failed;
    },
    set failed(v: boolean) {
      if (v !== failed) generations.vars++;
      failed = v;
    },
    get unreachable() {
      return unreachable;
    },
    set unreachable(v: boolean) {
      if (v !== unreachable) generations.vars++;
      unreachable = v;
    },
    counts: { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 },
    unapplied: [],
    predictedFiles: new Map(),
    probes: new ProbeCache(generations),
    unknown: 0,
  };
}

/** Facts as Ansible exposes them: `ansible_facts.x` and, for compatibility, `ansible_x`. */
export function factVars(facts: Vars): Vars {
  if (!Object.keys(facts).length) return {};
  const out: Vars = { ansible_facts: facts };
  for (const [k, v] of Object.entries(facts)) out[k.startsWith('ansible_') ? k : `ansible_${k}`] = v;
  return out;
}
