// `lvsplay lab up --delay`: the values it accepts and the redirect rules it gives the controller
// namespace (every host's ssh port to its own relay port, the relay's own group let through).
import { describe, expect, it } from 'vitest';
import { parseDelay, RELAY_GID, redirectRules } from '../../src/lab/delay.js';
import type { LabHost } from '../../src/lab/topology.js';

describe('lab link delay', () => {
  it('reads a round trip in ms or s', () => {
    expect(parseDelay('20ms')).toBe(20);
    expect(parseDelay('0.1s')).toBe(100);
    expect(parseDelay('100')).toBe(100);
    expect(parseDelay('0')).toBe(0);
  });
  it('refuses what is not a delay, saying what is', () => {
    for (const bad of ['fast', '-5ms', '20 min', '11s', ''])
      expect(() => parseDelay(bad)).toThrow(/not a round trip of 0 to 10 s/);
  });
  it('redirects each host to its own relay port, except the relay itself', () => {
    const hosts = [
      { name: 'lvs1', address: '10.0.7.11' },
      { name: 'web1', address: '10.0.7.211' },
    ] as LabHost[];
    const rules = redirectRules(hosts, 41000);
    expect(rules).toContain('type nat hook output priority -100;');
    expect(rules).toContain(`meta skgid != ${RELAY_GID} ip daddr 10.0.7.11 tcp dport 22 redirect to :41000`);
    expect(rules).toContain(`meta skgid != ${RELAY_GID} ip daddr 10.0.7.211 tcp dport 22 redirect to :41001`);
  });
});
