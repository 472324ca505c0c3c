// Probes read ahead in one batch give exactly what each would give run on its own.
import { describe, expect, it } from 'vitest';
import { runProbeBatch } from '../../src/exec/prefetch.js';
import { LocalTransport } from '../../src/transport/local.js';
import { sh } from '../../src/transport/quote.js';

describe('probe batches', () => {
  it("keep every probe's stdout, stderr and exit code apart, byte for byte", async () => {
    const t = new LocalTransport('localhost');
    const probes = [
      sh`printf 'a\\nb'`,
      sh`echo hi; echo oops >&2; exit 3`,
      sh`printf '\\n\\n'`,
      sh`exit 0`,
      // Output that looks like the framing (with another tag) stays output.
      sh`printf '%s\\n' 'lvsplay-probe-0123456789ab 0 rc 1'`,
      sh`cd /; x=1; exit 7`,
      sh`printf 'after %s' "$x"; pwd`,
    ];
    const batch = await runProbeBatch(t, probes, {});
    const alone = await Promise.all(probes.map((p) => t.run(p)));
    expect(batch?.map((r) => [r.code, r.stdout, r.stderr])).toEqual(alone.map((r) => [r.code, r.stdout, r.stderr]));
  });
});
