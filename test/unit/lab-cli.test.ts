// `lvsplay lab up --kind`: a bad value is a bad option (exit 5), refused before the lab is touched.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('lab up --kind', () => {
  it('refuses an unknown kind, alone or for a group', async () => {
    for (const v of ['vm', 'directors=vm']) {
      const r = await runCli(['lab', 'up', '--kind', v]);
      expect(r.code).toBe(5);
      expect(r.err).toContain('kind must be auto or netns or uml');
    }
  });

  it('refuses a group with no name', async () => {
    const r = await runCli(['lab', 'up', '--kind', '=uml']);
    expect(r.code).toBe(5);
    expect(r.err).toContain('kind must be KIND or GROUP=KIND');
  });

  it('help names the kinds and what auto does', async () => {
    const r = await runCli(['lab', 'up', '--help']);
    expect(r.out.replace(/\s+/g, ' ')).toContain(
      'auto (the default: directors are UML guests when this kernel has no IPVS and linux.uml is installed',
    );
    expect(r.out.replace(/\s+/g, ' ')).toContain('systemd (systemd-nspawn, systemd as PID 1)');
    expect(r.out.replace(/\s+/g, ' ')).toContain('--release <release> Debian release');
  });
});
