#!/usr/bin/env python3
"""Regenerates src/lint/keepalived/keywords.json: the keywords each keepalived release accepts in
each block, read from the daemon itself (not from documentation).

Candidates are every identifier-like tail of every string in the binary (the linker merges a
keyword such as `state` into the tail of a longer string such as `wantstate`, so whole strings are
not enough). Each candidate is written, with an argument, into its own copy of the block under test
and the file is given to `keepalived -t`: a candidate it does not answer with "Unknown keyword" is
a keyword of that block. A run that stops early (a keyword that needs another argument) is resumed
after the line where it stopped.

Usage (as root, after scripts/keepalived-binaries.sh): scripts/keepalived-keywords.py CACHE
"""
import json, os, re, subprocess, sys

RELEASES = {'2.2': 'bookworm', '2.3': 'trixie'}
VS = 'virtual_server 10.{a}.{b}.{c} 80 {'
RS = VS + '\nreal_server 10.0.0.1 80 {'
URL = '\nurl {\npath /\n}'
# block -> (lines before the candidate, lines after); {i} etc. keep each copy's name unique.
CONTEXTS = {
    'global_defs': ('global_defs {', '}'),
    'vrrp_instance': ('vrrp_instance X{i} {', '}'),
    'authentication': ('vrrp_instance X{i} {\nauthentication {', '}\n}'),
    'vrrp_script': ('vrrp_script S{i} {', '}'),
    'vrrp_sync_group': ('vrrp_sync_group G{i} {', '}'),
    'vrrp_track_process': ('vrrp_track_process P{i} {', '}'),
    'vrrp_track_file': ('vrrp_track_file F{i} {', '}'),
    'virtual_server': (VS, '}'),
    'real_server': (RS, '}\n}'),
    'TCP_CHECK': (RS + '\nTCP_CHECK {', '}\n}\n}'),
    'HTTP_GET': (RS + '\nHTTP_GET {' + URL, '}\n}\n}'),
    'SSL_GET': (RS + '\nSSL_GET {' + URL, '}\n}\n}'),
    'url': (RS + '\nHTTP_GET {\nurl {\npath /', '}\n}\n}\n}'),
    'MISC_CHECK': (RS + '\nMISC_CHECK {', '}\n}\n}'),
    'SMTP_CHECK': (RS + '\nSMTP_CHECK {', '}\n}\n}'),
    'DNS_CHECK': (RS + '\nDNS_CHECK {', '}\n}\n}'),
    'UDP_CHECK': (RS + '\nUDP_CHECK {', '}\n}\n}'),
    'PING_CHECK': (RS + '\nPING_CHECK {', '}\n}\n}'),
    'FILE_CHECK': (RS + '\nFILE_CHECK {', '}\n}\n}'),
}
# Top-level blocks are probed one by one (a block keyword without its braces swallows what follows).
TOP_CANDIDATES = {'virtual_server_group', 'static_ipaddress', 'static_routes', 'static_rules', 'linkbeat_interfaces',
                  'garp_group', 'bfd_instance', 'track_file'}


def run(root, text):
    with open(os.path.join(root, 'cfg', 'probe.conf'), 'w') as f:
        f.write(text)
    r = subprocess.run(['chroot', root, '/usr/sbin/keepalived', '-l', '-t', '-f', '/cfg/probe.conf'],
                       capture_output=True, text=True, errors='replace')
    return r.returncode, r.stdout + r.stderr


def candidates(binary):
    out = subprocess.run(['strings', '-n', '2', binary], capture_output=True, text=True, errors='replace').stdout
    words = set()
    for line in out.splitlines():
        m = re.search(r'[A-Za-z0-9_-]+$', line)
        for i in range(len(m.group(0)) if m else 0):
            s = m.group(0)[i:]
            if re.fullmatch(r'[a-z][a-z0-9_-]*[a-z0-9]|[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]', s) and not re.search(
                    r'^[a-z]{1,2}[0-9]|[0-9][a-z]', s):
                words.add(s)
    words.discard('include')
    return sorted(words)


def probe(root, cands, pre, post):
    todo, known = list(cands), set()
    while todo:
        lines, where = [], []
        for i, w in enumerate(todo):
            sub = lambda p: p.replace('{i}', str(i)).replace('{a}', str(i // 65536)).replace(
                '{b}', str(i // 256 % 256)).replace('{c}', str(i % 256))
            lines += [sub(p) for p in pre.split('\n')]
            where.append(len(lines) + 1)
            lines.append(f'{w} 1')
            lines += [sub(p) for p in post.split('\n')]
        rc, out = run(root, '\n'.join(lines) + '\n')
        unknown = {int(n) for n in re.findall(r"Line (\d+)\) Unknown keyword '", out)}
        done = len(todo)
        if rc not in (0, 5) or 'missing a parameter' in out:
            last = max([int(x) for x in re.findall(r'Line (\d+)\)', out)] or [0])
            done = max([i for i, l in enumerate(where) if l <= last] or [0]) + 1
        known.update(todo[i] for i in range(done) if where[i] not in unknown)
        todo = todo[done:]
    return sorted(known)


def main():
    cache = sys.argv[1]
    out = {}
    for version, rel in RELEASES.items():
        root = os.path.join(cache, rel, 'root')
        os.makedirs(os.path.join(root, 'cfg'), exist_ok=True)
        cands = candidates(os.path.join(root, 'usr/sbin/keepalived'))
        tables = {name: probe(root, cands, pre, post) for name, (pre, post) in CONTEXTS.items()}
        top = sorted(set(CONTEXTS) | TOP_CANDIDATES | {w for v in tables.values() for w in v})
        tables['top'] = [w for w in top if f"Unknown keyword '{w}'" not in run(root, f'{w} X {{\n}}\n')[1]]
        out[version] = tables
        print(f'keepalived {version}: ' + ', '.join(f'{k} {len(v)}' for k, v in tables.items()), file=sys.stderr)
    dest = os.path.join(os.path.dirname(__file__), '..', 'src', 'lint', 'keepalived', 'keywords.json')
    with open(dest, 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write('\n')


main()
