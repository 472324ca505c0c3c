// The fault suite in miniature (bench/src/faults.ts; `npm run faults -- --kills 50` is the full
// one), in one pass so the lab is converged once: the controller killed at 3 random points of a
// site.yaml run, a full disk under a template, a host unplugged mid-task. Each part reports what
// it found; none may find anything. The seed is printed: LVSPLAY_FAULT_SEED=N repeats the kill
// points.
import { beforeAll, describe, expect, it } from 'vitest';
import { runFaults, type FaultFigures } from '../../bench/src/faults.js';

const seed = Number(process.env.LVSPLAY_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
let fig: FaultFigures;
const found = (...parts: string[]) => fig.findings.filter((f) => parts.some((p) => f.startsWith(p)));

beforeAll(async () => {
  console.log(`fault suite seed ${seed}`);
  fig = await runFaults({ kills: 3, seed, timeLimitSec: 400, disk: true, link: true, log: (l) => console.log(l) });
  console.log(JSON.stringify(fig));
}, 720_000);

describe(`faults on the lab (seed ${seed})`, () => {
  it('converges before the faults', () => {
    expect(found('initial')).toEqual([]);
  });

  it('the controller killed at 3 random points: no half-written file, no temp file, the lock free, no handler lost; a rerun runs the journaled handlers and converges', () => {
    expect(found('kill', 'rerun after the kills', 'second rerun')).toEqual([]);
    expect(fig.killRuns).toBe(3);
    expect(fig.filesChecked).toBe(3 * 18);
  });

  it('a full disk under a template: that task fails naming host, task and what to do; the old file is intact', () => {
    expect(found('disk')).toEqual([]);
    expect(fig.disk?.exitCode).toBe(2);
    expect(fig.disk?.message).toMatch(/^web1 \/ .*Serve a page.*No space left on device.*free space there/s);
  });

  it('a host unplugged mid-task: it is unreachable (exit 4), the others finish', () => {
    expect(found('link', 'rerun after the link drop')).toEqual([]);
    expect(fig.link?.exitCode).toBe(4);
    expect(fig.link?.recap.web2?.unreachable).toBeGreaterThan(0);
  });
});
