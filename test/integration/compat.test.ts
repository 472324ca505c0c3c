// The compatibility corpus (test/fixtures/compat), run through ansible-playbook 2.14 and lvsplay:
// every playbook loads and lists the same (--syntax-check, --list-tasks, --list-hosts,
// --list-tags), and every template of its roles renders to the same bytes. Cases that still
// differ are named in test/fixtures/compat/known-differences.txt; any other difference fails.
import { describe, expect, it } from 'vitest';
import {
  compareListings,
  compareRenders,
  corpusPlaybooks,
  explainListing,
  knownDifferences,
  LISTING_MODES,
  type RenderRun,
} from '../helpers/compat.js';
import { runCli } from '../helpers/cli.js';

const playbooks = corpusPlaybooks();
const known = knownDifferences();
let rendering: Promise<RenderRun> | undefined;
/** Both tools render the corpus once, for whichever test asks first. */
const renders = () => (rendering ??= compareRenders());

describe('compatibility corpus', () => {
  it('holds real-world-shaped playbooks for keepalived, LVS and MySQL', () => {
    expect(playbooks.length).toBeGreaterThanOrEqual(10);
    for (const name of ['keepalived.yml', 'lvs-director.yml', 'mysql.yml']) expect(playbooks).toContain(name);
  });

  it('names only cases that exist in known-differences.txt', async () => {
    const listing = playbooks.flatMap((pb) => LISTING_MODES.map((m) => `${pb} ${m}`));
    const rendered = (await renders()).cases.map((c) => c.name);
    const all = new Set([...listing, ...rendered]);
    expect(known.filter((k) => !all.has(k))).toEqual([]);
  }, 180_000);

  it('loads and lists every playbook as ansible-playbook does', async () => {
    const cases = await compareListings(playbooks, runCli);
    const differing = cases.filter((c) => !c.identical);
    report(
      'listing',
      cases.length,
      differing.map((c) => c.name),
    );
    const unexpected = differing.filter((c) => !known.includes(c.name));
    expect(unexpected.map(explainListing)).toEqual([]);
    expect(fixedButListed(cases, differing), 'fixed: remove from known-differences.txt').toEqual([]);
  }, 180_000);

  it('renders every template to the bytes ansible-playbook writes', async () => {
    const run = await renders();
    // The corpus's templates are valid for Ansible: it renders every one of them.
    expect(
      run.cases.filter((c) => !c.ansible).map((c) => c.name),
      run.ansible.out,
    ).toEqual([]);
    const differing = run.cases.filter((c) => !c.identical);
    report(
      'render',
      run.cases.length,
      differing.map((c) => c.name),
    );
    const unexpected = differing.filter((c) => !known.includes(c.name));
    expect(
      unexpected.map(
        (c) =>
          `${c.name}\n--- ansible-playbook\n${c.ansible?.toString('utf8')}\n--- lvsplay\n` +
          (c.lvsplay?.toString('utf8') ?? `(not written)\n${run.lvsplay.out}\n${run.lvsplay.err}`),
      ),
    ).toEqual([]);
    expect(fixedButListed(run.cases, differing), 'fixed: remove from known-differences.txt').toEqual([]);
  }, 180_000);
});

/** Listed as differing, yet identical now: the list must shrink as fixes land. */
function fixedButListed(cases: { name: string }[], differing: { name: string }[]): string[] {
  const still = new Set(differing.map((c) => c.name));
  return cases.filter((c) => known.includes(c.name) && !still.has(c.name)).map((c) => c.name);
}

/** The figures the issue asks for: how many cases are identical, and which differ. */
function report(kind: string, total: number, differing: string[]): void {
  const lines = [`compat ${kind}: ${total - differing.length} of ${total} identical`];
  for (const d of differing) lines.push(`  differs: ${d}${known.includes(d) ? '' : ' (not in known-differences.txt)'}`);
  console.log(lines.join('\n'));
}
