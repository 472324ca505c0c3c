// Timing a command as the bench does: wall time, exit code, the largest process and the sum
// over the process tree, and a run that overstays its time-box is ended.
import { describe, expect, it } from 'vitest';
import { measure } from '../../bench/src/measure.js';

// holds `mb` megabytes resident for `ms` milliseconds
const hold = (mb: number, ms: number) =>
  `${process.execPath} -e "const b = Buffer.alloc(${mb} * 2 ** 20, 1); setTimeout(() => b.length, ${ms})"`;

describe('measure', () => {
  it('times a command and passes its exit code through', async () => {
    const m = await measure(['sh', '-c', 'sleep 0.3; echo done; exit 3']);
    expect(m.wallMs).toBeGreaterThanOrEqual(300);
    expect(m.wallMs).toBeLessThan(3000);
    expect(m.exitCode).toBe(3);
    expect(m.output).toContain('done');
    expect(m.cpuMs).toBeGreaterThanOrEqual(0);
  });

  it('counts memory held by several children at once in the tree sum, not in the largest process', async () => {
    const m = await measure(['sh', '-c', `${hold(80, 1500)} & ${hold(80, 1500)} & wait`], { sampleEveryMs: 100 });
    expect(m.exitCode).toBe(0);
    expect(m.maxRssKb).toBeGreaterThan(80 * 1024);
    expect(m.maxRssKb).toBeLessThan(150 * 1024);
    expect(m.treeRssKb).toBeGreaterThan(160 * 1024);
  });

  it('ends a run that overstays its time-box and marks it failed', async () => {
    const m = await measure(['sh', '-c', 'sleep 20 & sleep 20; wait'], { timeoutMs: 400 });
    expect(m.exitCode).toBe(124);
    expect(m.wallMs).toBeLessThan(5000);
  });
});
