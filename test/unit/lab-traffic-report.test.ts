import { describe, expect, it } from 'vitest';
import { pageIdentity, summarize, trafficText, type TrafficRecord } from '../../src/lab/traffic-report.js';

const page = (host: string, version: string) =>
  `<!DOCTYPE html>\n<html><head><title>${host}</title><meta name="site-version" content="${version}"></head>\n<body><h1>${host}</h1></body></html>\n`;

const ok = (seq: number, at: number, server: string, version = '1', ms = 2): TrafficRecord => ({
  seq,
  at,
  ms,
  status: 200,
  server,
  version,
});

describe('pageIdentity', () => {
  it("reads the real server and the site version from the realserver role's page", () => {
    expect(pageIdentity(page('web1', '2'))).toEqual({ server: 'web1', version: '2' });
  });

  it('gives the server alone for a page without a version (an adopted cluster keeps its pages)', () => {
    expect(pageIdentity('<html><head><title> hand-web1 </title></head></html>')).toEqual({ server: 'hand-web1' });
    expect(pageIdentity('<h1>hand-web1</h1>\n')).toEqual({});
  });

  it('reads the database server from the page that reads the database, and counts answers per database', () => {
    const dbPage = page('web2', '1').replace('</head>', '<meta name="db-server" content="db2"></head>');
    expect(pageIdentity(dbPage)).toEqual({ server: 'web2', version: '1', db: 'db2' });
    const s = summarize([
      { ...ok(0, 0, 'web2'), db: 'db2' },
      { ...ok(1, 20, 'web2'), db: 'db1' },
      { ...ok(2, 40, 'web2'), db: 'db1' },
      { seq: 3, at: 60, ms: 5, status: 503, server: 'web2', version: '1' },
    ]);
    expect(s.answers).toEqual({ 'web2 v1 via db2': 1, 'web2 v1 via db1': 2 });
    expect(trafficText(s, 'http://10.0.7.247:80/db')).toContain('  #3 at 0.1 s: HTTP 503 (from web2 v1)\n');
  });
});

describe('summarize', () => {
  it('counts requests, failures, and answers per server and version, overall and per window', () => {
    const rs = [
      ok(0, 0, 'web1'),
      ok(1, 20, 'web2'),
      { seq: 2, at: 40, ms: 2000, error: 'no answer within 2000 ms' },
      { seq: 3, at: 60, ms: 3, status: 503, server: 'web1' },
      ok(4, 5000, 'web1', '2'),
      ok(5, 5020, 'web1', '2'),
    ];
    const s = summarize(rs, 5000);
    expect(s.requests).toBe(6);
    expect(s.failures).toBe(2);
    expect(s.failed.map((r) => r.seq)).toEqual([2, 3]);
    expect(s.answers).toEqual({ 'web1 v1': 1, 'web2 v1': 1, 'web1 v2': 2 });
    expect(s.windows).toEqual([
      { from: 0, answers: { 'web1 v1': 1, 'web2 v1': 1 }, failures: 2 },
      { from: 5000, answers: { 'web1 v2': 2 }, failures: 0 },
    ]);
  });

  it('finds the longest time without a successful answer, failures included in it', () => {
    // answers end at 2, 22, then nothing good until 1502 (a failure in between), then 1522
    const rs = [
      ok(0, 0, 'web1'),
      ok(1, 20, 'web2'),
      { seq: 2, at: 40, ms: 1, error: 'ECONNREFUSED' },
      ok(3, 1500, 'web2'),
      ok(4, 1520, 'web2'),
    ];
    const s = summarize(rs);
    expect(s.longestGapMs).toBe(1480);
    expect(s.longestGapAt).toBe(22);
    expect(s.spanMs).toBe(1522);
  });

  it('counts a run that ends in failures as a gap up to its end', () => {
    const rs = [ok(0, 0, 'web1'), { seq: 1, at: 20, ms: 2000, error: 'timeout' }];
    expect(summarize(rs).longestGapMs).toBe(2018);
  });

  it('takes the records in the order they were sent, whatever order they ended in', () => {
    const rs = [ok(1, 20, 'web2', '1', 1), ok(0, 0, 'web1', '1', 30)];
    expect(summarize(rs).longestGapMs).toBe(21);
  });

  it('gives latency percentiles of the answers only', () => {
    const rs = Array.from({ length: 100 }, (_, i) => ok(i, i * 20, 'web1', '1', i + 1));
    rs.push({ seq: 100, at: 2000, ms: 5000, error: 'timeout' });
    expect(summarize(rs).latencyMs).toEqual({ median: 50, p99: 99, max: 100 });
  });

  it('is empty, not broken, without records', () => {
    const s = summarize([]);
    expect(s).toMatchObject({ requests: 0, failures: 0, longestGapMs: 0, windows: [] });
  });
});

describe('trafficText', () => {
  it('reports the figures, the answers over time and each failed request', () => {
    const s = summarize([ok(0, 0, 'web1'), { seq: 1, at: 5100, ms: 1, error: 'ECONNREFUSED' }, ok(2, 5200, 'web2')]);
    const text = trafficText(s, 'http://10.0.7.247:80/');
    expect(text).toContain('traffic to http://10.0.7.247:80/: 3 requests in 5.2 s, 1 failed\n');
    expect(text).toContain('answered by: web1 v1: 1, web2 v1: 1\n');
    expect(text).toContain('     0.0 s  web1 v1: 1\n');
    expect(text).toContain('     5.0 s  web2 v1: 1; failed 1\n');
    expect(text).toContain('  #1 at 5.1 s: ECONNREFUSED\n');
  });
});
