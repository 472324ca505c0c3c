// ansible_ssh_common_args / ansible_ssh_extra_args hold ssh command-line text. We read the
// options that shape a connection from them (-o, -F, -i, -p, -l, -J) the way ssh would, after
// splitting the text into words as Ansible does (Python's shlex).
import { shlexSplit } from '../shlex.js';

/** Splits the option text into words as Ansible does (Python's shlex). */
export function shellWords(text: string): string[] {
  return shlexSplit(text);
}

/** ssh_config keyword/value pairs in the order ssh would obtain them from a command line. */
export interface SshArgs {
  options: [keyword: string, value: string][];
  configFile?: string;
  /** Options we do not act on, to be reported, never silently dropped. */
  ignored: string[];
}

// ssh(1) flags that take an argument, so their argument is not mistaken for a flag.
const FLAGS_WITH_ARG = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

/** Parses ssh command-line words into ssh_config options (`-p 22` is `Port 22`). */
export function parseSshArgs(text: string): SshArgs {
  const out: SshArgs = { options: [], ignored: [] };
  const words = shellWords(text);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-') || w.length < 2) {
      out.ignored.push(w);
      continue;
    }
    // Flags may be bundled (-qC) and an argument may be glued on (-p2222).
    for (let j = 1; j < w.length; j++) {
      const f = w[j]!;
      if (!FLAGS_WITH_ARG.has(f)) {
        if (!'46AaCfGgKkMNnqsTtVvXxYy'.includes(f)) out.ignored.push(`-${f}`);
        continue;
      }
      let arg = w.slice(j + 1);
      if (arg === '') {
        arg = words[++i] ?? '';
      }
      applyFlag(out, f, arg);
      break;
    }
  }
  return out;
}

function applyFlag(out: SshArgs, flag: string, arg: string): void {
  switch (flag) {
    case 'o': {
      // -o Key=Value, -o "Key Value", -o Key Value... (first separator is '=' or whitespace)
      const m = /^\s*([A-Za-z0-9]+)\s*(?:=\s*|\s+)([\s\S]*)$/.exec(arg);
      if (m) out.options.push([m[1]!, m[2]!.trim()]);
      else out.ignored.push(`-o ${arg}`);
      return;
    }
    case 'F':
      out.configFile = arg;
      return;
    case 'i':
      out.options.push(['IdentityFile', arg]);
      return;
    case 'p':
      out.options.push(['Port', arg]);
      return;
    case 'l':
      out.options.push(['User', arg]);
      return;
    case 'J':
      out.options.push(['ProxyJump', arg]);
      return;
    default:
      out.ignored.push(`-${flag} ${arg}`);
  }
}

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** Parses a ProxyJump value: `[user@]host[:port]` hops separated by commas; `none` is none. */
export function parseProxyJump(value: string): JumpSpec[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((hop) => {
    let rest = hop.trim().replace(/^ssh:\/\//, '');
    let user: string | undefined;
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      user = rest.slice(0, at);
      rest = rest.slice(at + 1);
    }
    let host = rest;
    let port: number | undefined;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
    const plain = /^([^:]+):(\d+)$/.exec(rest);
    if (bracket) {
      host = bracket[1]!;
      if (bracket[2]) port = Number(bracket[2]);
    } else if (plain) {
      host = plain[1]!;
      port = Number(plain[2]);
    }
    const spec: JumpSpec = { host };
    if (user) spec.user = user;
    if (port !== undefined) spec.port = port;
    return spec;
  });
}
