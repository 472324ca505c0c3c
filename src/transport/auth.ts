// Client authentication in OpenSSH's order: public keys (agent first, then identity files),
// then keyboard-interactive and password. Keys are read up front so an unreadable or encrypted
// key becomes a note in the error message instead of a silent skip.

import { existsSync, readFileSync } from 'node:fs';
import ssh2, { type AnyAuthMethod } from 'ssh2';

// ssh2 is CommonJS: its named exports exist only on the default export under Node's ESM loader.
const { utils } = ssh2;
import type { ConnectTarget } from './target.js';

export interface AuthPlan {
  methods: AnyAuthMethod[];
  /** What was tried, for the error message (never a secret). */
  tried: string[];
  /** Problems with identity files, for the operator. */
  notes: string[];
}

export function planAuth(target: ConnectTarget): AuthPlan {
  const username = target.user;
  const methods: AnyAuthMethod[] = [];
  const tried: string[] = [];
  const notes: string[] = [];
  if (target.agent && !target.identitiesOnly && existsSync(target.agent)) {
    methods.push({ type: 'agent', username, agent: target.agent });
    tried.push(`ssh-agent (${target.agent})`);
  }
  for (const file of target.identityFiles) {
    if (!existsSync(file)) {
      notes.push(`identity file ${file} does not exist`);
      continue;
    }
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      notes.push(`identity file ${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}`);
      continue;
    }
    const parsed = utils.parseKey(data);
    if (parsed instanceof Error) {
      notes.push(
        /encrypt|passphrase/i.test(parsed.message)
          ? `identity file ${file} is encrypted and lvsplay does not ask for passphrases: load it into ssh-agent (ssh-add ${file}) or use a key without a passphrase`
          : `identity file ${file} is not a private key ssh2 can read (${parsed.message})`,
      );
      continue;
    }
    methods.push({ type: 'publickey', username, key: data });
    tried.push(`key ${file}`);
  }
  const password = target.password;
  if (password) {
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => {
        // Answer password prompts only; anything else (an OTP) gets nothing, so it fails.
        finish(prompts.map((p) => (/password/i.test(p.prompt) ? password.reveal() : '')));
      },
    });
    methods.push({ type: 'password', username, password: password.reveal() });
    tried.push('password');
  }
  return { methods, tried, notes };
}
