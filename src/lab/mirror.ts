// The Debian mirror the base is built from: the machine's own apt configuration (one-line
// `sources.list` and deb822 `.sources`), so the lab builds wherever apt already works.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
}

export const FALLBACK_MIRROR = 'http://deb.debian.org/debian';
export const FALLBACK_SUITE = 'bookworm';

export function parseOneLineSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ')) continue;
    // `deb [opts] uri suite comp...`
    const words = line
      .replace(/\[[^\]]*\]/, '')
      .split(/\s+/)
      .slice(1);
    const [uri, suite, ...components] = words;
    if (uri && suite) out.push({ uri, suites: [suite], components });
  }
  return out;
}

export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last) ?? ''} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (m) {
        last = m[1]!.toLowerCase();
        fields.set(last, m[2]!.trim());
      }
    }
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
    const uris = (fields.get('uris') ?? '').split(/\s+/).filter(Boolean);
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    const components = (fields.get('components') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of uris) if (suites.length) out.push({ uri, suites, components });
  }
  return out;
}

export function machineAptSources(etc = '/etc/apt'): AptSource[] {
  const out: AptSource[] = [];
  const list = join(etc, 'sources.list');
  if (existsSync(list)) out.push(...parseOneLineSources(readFileSync(list, 'utf8')));
  const dir = join(etc, 'sources.list.d');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f.endsWith('.list')) out.push(...parseOneLineSources(text));
      else if (f.endsWith('.sources')) out.push(...parseDeb822Sources(text));
    }
  }
  return out;
}

export interface DebianMirror {
  suite: string;
  /** Mirror for debootstrap (the entry carrying the release suite itself). */
  mirror: string;
  /** Every Debian entry of the machine for that release (updates, security), for the build's upgrade. */
  sources: AptSource[];
}

/** Picks the machine's Debian entries for `suite`; deb.debian.org when it has none. */
export function debianMirror(sources: AptSource[], suite = FALLBACK_SUITE): DebianMirror {
  const ours = sources
    .map((s) => ({
      ...s,
      suites: s.suites.filter((x) => x === suite || x.startsWith(`${suite}-`) || x.startsWith(`${suite}/`)),
    }))
    .filter((s) => s.suites.length > 0 && s.components.includes('main'));
  const main = ours.find((s) => s.suites.includes(suite));
  if (!main) {
    return {
      suite,
      mirror: FALLBACK_MIRROR,
      sources: [{ uri: FALLBACK_MIRROR, suites: [suite, `${suite}-updates`], components: ['main'] }],
    };
  }
  return { suite, mirror: main.uri, sources: ours.map((s) => ({ ...s, components: ['main'] })) };
}

export function oneLineSources(sources: AptSource[]): string {
  return sources.flatMap((s) => s.suites.map((suite) => `deb ${s.uri} ${suite} ${s.components.join(' ')}\n`)).join('');
}
