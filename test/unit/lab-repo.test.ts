// The offline repository's index as `lab up` reads it to add the packages it lacks.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPO_ADDED_PACKAGES,
  REPO_PACKAGES,
  baseListedPackages,
  baseSpec,
  repoPackageNames,
  specHash,
} from '../../src/lab/base.js';

describe('the offline repository', () => {
  it('reads the package names of a dpkg-scanpackages index', () => {
    const index = [
      'Package: python3',
      'Version: 3.11.2-1+b1',
      'Depends: python3.11 (>= 3.11.2-1~)',
      '',
      'Package: python3-pymysql',
      'Source: python-pymysql',
      'Description: Pure-Python MySQL Driver',
      ' Package: not a field of its own',
      '',
    ].join('\n');
    expect([...repoPackageNames(index)]).toEqual(['python3', 'python3-pymysql']);
    expect(repoPackageNames('').size).toBe(0);
  });

  it('adds python3-pymysql without changing what the base is built from (hosts are overlays of it)', () => {
    expect(REPO_ADDED_PACKAGES).toContain('python3-pymysql');
    expect(REPO_PACKAGES).not.toContain('python3-pymysql');
    expect(JSON.stringify(baseSpec())).not.toContain('pymysql');
    expect(specHash(baseSpec())).toMatch(/^[0-9a-f]{64}$/);
  });

  it("knows which packages the base's apt lists hold, so lab up refreshes stale lists", () => {
    const base = mkdtempSync(join(tmpdir(), 'lvsplay-base-'));
    expect(baseListedPackages(base).size).toBe(0);
    const lists = join(base, 'var/lib/apt/lists');
    mkdirSync(lists, { recursive: true });
    writeFileSync(join(lists, '_srv_lvsplay-repo_._Packages'), 'Package: keepalived\n\nPackage: ipvsadm\n');
    writeFileSync(join(lists, 'lock'), '');
    expect([...baseListedPackages(base)].sort()).toEqual(['ipvsadm', 'keepalived']);
    writeFileSync(join(lists, 'other_Packages'), 'Package: python3-pymysql\n');
    expect(baseListedPackages(base).has('python3-pymysql')).toBe(true);
  });
});
