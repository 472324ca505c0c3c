// Copies of what adopt read (keepalived.conf, init scripts) under DIR/found/HOST/, so findings
// and "not reproduced" lines point at a file the user can open. The VRRP password is replaced
// in the copy (line numbers kept): it goes to the vault only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { parseKeepalived } from '../lint/keepalived/parse.js';
import type { NotReproduced } from './model.js';
import type { FoundKeepalived } from './derive.js';
import { KEEPALIVED_AUTH, KEEPALIVED_CONF, type AdoptReading } from './probe.js';

export const FOUND_DIR = 'found';

export interface FoundFile {
  host: string;
  /** Path on the host. */
  remote: string;
  /** Path of the copy (under the output directory, as given). */
  local: string;
  text: string;
}

/** Replaces every auth_pass value by VAULT-n (one n per distinct password, so peers can still be compared; at most 8 characters, as keepalived reads auth_pass, so lint finds no length error the host does not have). */
export function redactAuthPass(text: string, numbering: Map<string, number>): string {
  return text.replace(/^(\s*auth_pass\s+)("[^"]*"|\S+)(.*)$/gm, (_m, head: string, value: string) => {
    const n = numbering.get(value) ?? numbering.size + 1;
    numbering.set(value, n);
    return `${head}VAULT-${n}  # adopt moved the password to the vault (vrrp_auth_pass)`;
  });
}

/** The files to copy: keepalived.conf of each host that has one, and the init scripts that touch LVS. */
export function foundFiles(readings: AdoptReading[], outDir: string): FoundFile[] {
  const numbering = new Map<string, number>();
  const out: FoundFile[] = [];
  for (const r of readings) {
    for (const [remote, text] of r.status.files) {
      if (text === null) continue;
      const isConf = remote === KEEPALIVED_CONF;
      if (!isConf && !remote.startsWith('/etc/init.d/')) continue;
      out.push({
        host: r.host,
        remote,
        local: join(outDir, FOUND_DIR, r.host, remote),
        text: isConf ? redactAuthPass(text, numbering) : text,
      });
    }
  }
  return out;
}

export function writeFound(cwd: string, files: FoundFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(resolve(cwd, f.local)), { recursive: true });
    writeFileSync(resolve(cwd, f.local), f.text);
  }
}

/** The copies of keepalived.conf, parsed (positions name the copy). */
export function parseFoundKeepalived(files: FoundFile[]): {
  byHost: Map<string, FoundKeepalived>;
  diagnostics: Diagnostic[];
  includes: NotReproduced[];
} {
  const byHost = new Map<string, FoundKeepalived>();
  const diagnostics: Diagnostic[] = [];
  const includes: NotReproduced[] = [];
  for (const f of files.filter((x) => x.remote === KEEPALIVED_CONF)) {
    f.text.split('\n').forEach((line, i) => {
      // the director role's own include of the VRRP password is read (and goes to the vault)
      if (/^\s*include\b/.test(line) && !line.includes(KEEPALIVED_AUTH))
        includes.push({
          host: f.host,
          what: `keepalived.conf: \`${line.trim()}\`: the included file is on the host and was not read`,
          pos: { file: f.local, line: i + 1, col: 1 },
        });
    });
    // include lines name files on the host, not here: they are reported, not followed
    const parsed = parseKeepalived(f.text.replace(/^(\s*include\b.*)$/gm, '#$1'), f.local);
    diagnostics.push(...parsed.diagnostics);
    byHost.set(f.host, { nodes: parsed.nodes, origin: f.local });
  }
  return { byHost, diagnostics, includes };
}
