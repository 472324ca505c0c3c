// Opens an authenticated ssh2 Client for a target: a TCP socket of our own (so Nagle can be
// off before the first byte: ~4 ms per round trip instead of ~46 ms), or a ProxyCommand child,
// or a channel forwarded through ProxyJump hops; then host key checking and authentication.
// Every failure becomes an UnreachableError whose message says what to do.

import { spawn } from 'node:child_process';
import { Socket, isIP } from 'node:net';
import { Duplex } from 'node:stream';
import ssh2, { type ConnectConfig, type Client as SshClient, type ServerHostKeyAlgorithm } from 'ssh2';

// ssh2 is CommonJS: its named exports exist only on the default export under Node's ESM loader.
const { Client } = ssh2;
import { planAuth } from './auth.js';
import { blobKeyType, checkHostKey, fingerprint, knownHostsName, knownKeyTypes, recordHostKey } from './knownhosts.js';
import type { ConnectTarget } from './target.js';
import { UnreachableError, type UnreachableReason } from './types.js';

export interface OpenClient {
  client: SshClient;
  /** Closes the client and whatever carries it (jump connections, proxy process). */
  close(): void;
  warnings: string[];
}

const DEFAULT_HOST_KEY_ALGOS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Asks first for key types known_hosts already holds, as ssh does, so a host known by its
 * RSA key is not mistaken for a changed host when it also offers ed25519. */
function hostKeyAlgorithms(known: string[]): ServerHostKeyAlgorithm[] {
  const first = known.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const offered = first.filter((a): a is ServerHostKeyAlgorithm => (DEFAULT_HOST_KEY_ALGOS as string[]).includes(a));
  return [...new Set([...offered, ...DEFAULT_HOST_KEY_ALGOS])];
}

function unreachable(t: ConnectTarget, reason: UnreachableReason, message: string): UnreachableError {
  return new UnreachableError(t.name, reason, message);
}

function where(t: ConnectTarget): string {
  return `${t.user}@${t.host}:${t.port}`;
}

function tcpSocket(t: ConnectTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    const timer = setTimeout(() => {
      sock.destroy();
      reject(
        unreachable(
          t,
          'timeout',
          `no answer from ${t.host}:${t.port} within ${t.connectTimeoutMs / 1000}s (ConnectTimeout); check the address and any firewall`,
        ),
      );
    }, t.connectTimeoutMs);
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const code = e.code ?? '';
      if (code === 'ECONNREFUSED')
        reject(
          unreachable(
            t,
            'refused',
            `connection refused by ${t.host}:${t.port}; is sshd running there and is the port right?`,
          ),
        );
      else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
        reject(unreachable(t, 'dns', `cannot resolve host name ${t.host}; check ansible_host or HostName`));
      else if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
        reject(unreachable(t, 'timeout', `${t.host}:${t.port} is unreachable (${code})`));
      else reject(unreachable(t, 'refused', `cannot connect to ${t.host}:${t.port}: ${e.message}`));
    });
    sock.connect({ host: t.host, port: t.port }, () => {
      clearTimeout(timer);
      sock.setNoDelay(true);
      sock.removeAllListeners('error');
      resolve(sock);
    });
  });
}

interface Carrier {
  sock: Duplex;
  close(): void;
  /** Why the carrier died, when it did (a proxy's stderr). */
  failure(): Promise<string | undefined>;
}

function proxyCommandSocket(t: ConnectTarget, command: string): Carrier {
  const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let exited: string | undefined;
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  // 'close', not 'exit': only then has all that the proxy wrote to stderr been read.
  child.on('close', (code, signal) => {
    exited = `ProxyCommand exited with ${signal ?? `code ${code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`;
    ended();
  });
  child.on('error', (e) => {
    exited = `ProxyCommand could not start: ${e.message}`;
    ended();
  });
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  sock.on('error', () => {}); // reported through failure()
  return {
    sock,
    close: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
    // The handshake may fail a moment before the child's end is seen (longer on a loaded
    // machine): wait for it, up to 2 s.
    failure: async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([end, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      return exited ?? (stderr.trim() ? `ProxyCommand said: ${stderr.trim()}` : undefined);
    },
  };
}

async function jumpSocket(t: ConnectTarget): Promise<Carrier> {
  const hops: OpenClient[] = [];
  const closeAll = () => hops.reverse().forEach((h) => h.close());
  try {
    let carrier: Duplex | undefined;
    const chain = [...t.jump];
    for (let i = 0; i < chain.length; i++) {
      const hop = chain[i]!;
      const opened = await openClient(hop, carrier);
      hops.push(opened);
      const next = chain[i + 1] ?? t;
      carrier = await forward(opened.client, next, hop);
    }
    return { sock: carrier!, close: closeAll, failure: async () => undefined };
  } catch (e) {
    closeAll();
    if (e instanceof UnreachableError && e.reason !== 'proxy-failed') {
      throw unreachable(t, 'proxy-failed', `jump host ${e.message}`);
    }
    throw e;
  }
}

function forward(client: SshClient, to: ConnectTarget, via: ConnectTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, to.host, to.port, (err, stream) => {
      if (err)
        reject(
          unreachable(
            to,
            'proxy-failed',
            `jump host ${via.host} cannot open a connection to ${to.host}:${to.port}: ${err.message}`,
          ),
        );
      else resolve(stream);
    });
  });
}

/** Connects and authenticates; `carrier` is a stream to use instead of a fresh TCP socket. */
export async function openClient(t: ConnectTarget, carrier?: Duplex): Promise<OpenClient> {
  let owned: Carrier | undefined;
  let sock: Duplex;
  if (carrier) sock = carrier;
  else if (t.jump.length) {
    owned = await jumpSocket(t);
    sock = owned.sock;
  } else if (t.proxyCommand) {
    owned = proxyCommandSocket(t, t.proxyCommand);
    sock = owned.sock;
  } else sock = await tcpSocket(t);

  const warnings: string[] = [...t.warnings];
  const hostName = knownHostsName(t.hostKeyAlias ?? t.host, t.hostKeyAlias ? 22 : t.port);
  const allKnown = [...t.knownHostsFiles, ...t.globalKnownHostsFiles];
  let hostKeyProblem: UnreachableError | undefined;
  const verify = (key: Buffer): boolean => {
    if (t.strictHostKeyChecking === 'no' && !t.knownHostsFiles.length) return true;
    const v = checkHostKey(allKnown, hostName, key);
    const fp = `${blobKeyType(key)} key ${fingerprint(key)}`;
    if (v.kind === 'known') return true;
    if (v.kind === 'revoked') {
      hostKeyProblem = unreachable(
        t,
        'hostkey-revoked',
        `host key for ${hostName} (${fp}) is marked @revoked in ${v.file}:${v.line}; refusing to connect`,
      );
      return false;
    }
    if (v.kind === 'changed') {
      // Even with StrictHostKeyChecking=no, ssh refuses to trust a changed key silently.
      hostKeyProblem = unreachable(
        t,
        'hostkey-changed',
        `HOST KEY CHANGED for ${hostName}: the server offered ${fp}, but ${v.file}:${v.line} holds a different ${v.knownType} key. This may be an attack, or the host was reinstalled. If the change is expected, remove the old key with: ssh-keygen -R ${quoteArg(hostName)} -f ${quoteArg(v.file)}`,
      );
      return false;
    }
    if (t.strictHostKeyChecking === 'yes') {
      hostKeyProblem = unreachable(
        t,
        'hostkey-unknown',
        `host key for ${hostName} is not known (${fp}) and StrictHostKeyChecking is yes; add it to ${t.knownHostsFiles[0] ?? 'known_hosts'} (ssh-keyscan -p ${t.port} ${t.host}) after checking its fingerprint`,
      );
      return false;
    }
    if (t.strictHostKeyChecking === 'accept-new' && t.knownHostsFiles[0]) {
      recordHostKey(t.knownHostsFiles[0], hostName, key, t.hashKnownHosts);
      warnings.push(
        `Permanently added ${hostName} (${fp}) to ${t.knownHostsFiles[0]}${v.otherTypes.length ? ` (keys of type ${v.otherTypes.join(', ')} were already known)` : ''}`,
      );
    } else {
      warnings.push(`host key for ${hostName} (${fp}) accepted without checking (StrictHostKeyChecking=no)`);
    }
    return true;
  };

  const auth = planAuth(t);
  warnings.push(...auth.notes);
  const client = new Client();
  const config: ConnectConfig = {
    sock: sock as unknown as ConnectConfig['sock'],
    username: t.user,
    readyTimeout: t.connectTimeoutMs,
    keepaliveInterval: t.keepaliveIntervalMs,
    keepaliveCountMax: t.keepaliveCountMax,
    hostVerifier: verify,
    authHandler: auth.methods,
    algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(allKnown, hostName)) },
  };
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.on('error', (e: Error & { level?: string }) => reject(e)); // the first one counts
      client.once('close', () => reject(new Error('connection closed during handshake')));
      client.connect(config);
    });
  } catch (e) {
    client.end();
    const err = e as Error & { level?: string };
    // A proxy that failed has ended by itself: read why before ending one still running.
    const proxyFailure = err.level === 'client-timeout' ? undefined : await owned?.failure();
    owned?.close();
    if (sock instanceof Socket) sock.destroy();
    throw classify(t, err, hostKeyProblem, auth.tried, auth.notes, proxyFailure);
  }
  client.setNoDelay(true);
  client.on('error', () => {}); // later errors surface on channels and close
  return {
    client,
    warnings,
    close: () => {
      client.end();
      owned?.close();
    },
  };
}

function quoteArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function classify(
  t: ConnectTarget,
  e: Error & { level?: string },
  hostKey: UnreachableError | undefined,
  tried: string[],
  notes: string[],
  proxyFailure: string | undefined,
): UnreachableError {
  if (e instanceof UnreachableError) return e;
  if (hostKey) return hostKey;
  // before the proxy's exit: at the timeout the ProxyCommand is ended by us, not by a fault
  if (e.level === 'client-timeout') {
    return unreachable(
      t,
      'timeout',
      `ssh handshake with ${where(t)} did not finish within ${t.connectTimeoutMs / 1000}s (ConnectTimeout)`,
    );
  }
  if (proxyFailure) return unreachable(t, 'proxy-failed', `${proxyFailure} (while connecting to ${where(t)})`);
  if (e.level === 'client-authentication') {
    const what = tried.length ? tried.join(', ') : 'nothing (no key, agent or password available)';
    return unreachable(
      t,
      'auth',
      `authentication failed for ${where(t)}; tried ${what}${notes.length ? `; ${notes.join('; ')}` : ''}. Check ansible_user, the key (ansible_ssh_private_key_file) or ansible_password`,
    );
  }
  if (isIP(t.host) === 0 && /ENOTFOUND|EAI_AGAIN/.test(e.message)) {
    return unreachable(t, 'dns', `cannot resolve host name ${t.host}`);
  }
  return unreachable(t, 'closed', `ssh connection to ${where(t)} failed: ${e.message}`);
}
