import { describe, expect, it } from 'vitest';
import { hostSubnetOf, sshPatterns, subnetsText } from '../../src/lab/subnets.js';

describe("the lab's subnets", () => {
  it('take host addresses of the /24 and of the /22, not their network, broadcast or controller addresses', () => {
    const prefix = (a: string) => hostSubnetOf(a)?.prefix ?? null;
    expect(['10.0.7.11', '10.0.7.254', '10.0.8.2', '10.0.9.0', '10.0.10.255', '10.0.11.254'].map(prefix)).toEqual([
      24, 24, 22, 22, 22, 22,
    ]);
    for (const a of ['10.0.7.0', '10.0.7.255', '10.0.7.1', '10.0.8.0', '10.0.8.1', '10.0.11.255', '10.0.12.1'])
      expect(prefix(a), a).toBeNull();
    for (const a of ['10.0.6.9', '192.168.1.5', 'web1', '10.0.7', '10.0.7.300', '::1']) expect(prefix(a), a).toBeNull();
  });

  it('name themselves in messages and match every lab address in ssh_config', () => {
    expect(subnetsText()).toBe('10.0.7.0/24 or 10.0.8.0/22');
    expect(sshPatterns()).toEqual(['10.0.7.*', '10.0.8.*', '10.0.9.*', '10.0.10.*', '10.0.11.*']);
  });
});
