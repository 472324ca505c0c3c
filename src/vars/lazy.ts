// Ansible templates variables lazily: `a: "{{ b }}"` is rendered only when something reads `a`,
// against the same variables, recursively, so `a: "{{ b }}", b: 1` gives a = 1. A scope is a
// Proxy over the raw variables that renders each value on first read (and remembers it for the
// rest of the render), detects `a -> b -> a` loops, decrypts `!vault` values and turns
// `!unsafe` values into plain, never-templated text. `hostvars[h]` is a scope over h's vars.
import { diag, ExitCode, LvsplayError, type SourcePos } from '../diagnostics.js';
import { UnsafeText, VaultText, keyPosOf, valuePosOf } from '../yaml/load.js';
import type { Vars } from './precedence.js';
import { Secret } from '../secret.js';
import { passwordAsSecret } from './password-vars.js';
import { decryptVaultValue, NO_VAULT_SECRETS, SecretTemplate, type VaultSecrets } from './vault.js';
import { isDict } from './jinja/python.js';

export type RenderValue = (value: unknown, scope: Vars, where: SourcePos | undefined, label: string) => unknown;

const scopes = new WeakSet<object>();

export function isLazyScope(v: unknown): boolean {
  return typeof v === 'object' && v !== null && scopes.has(v);
}

const MARKERS = /\{\{|\{%|\{#/;

/** Does reading this value need the templar (templates, vault or unsafe values inside)? */
export function needsRendering(v: unknown): boolean {
  if (typeof v === 'string') return MARKERS.test(v);
  if (v instanceof SecretTemplate) return true;
  if (v instanceof VaultText || v instanceof UnsafeText) return true;
  if (Array.isArray(v)) return v.some(needsRendering);
  if (isDict(v) && !isLazyScope(v)) return Object.values(v).some(needsRendering);
  return false;
}

export interface ScopeOptions {
  render: RenderValue;
  vault?: VaultSecrets;
}

export function lazyScope(raw: Vars, opts: ScopeOptions): Vars {
  if (isLazyScope(raw)) return raw;
  const cache = new Map<string, unknown>();
  const resolving: string[] = [];
  let hostvars: Vars | undefined;

  const read = (key: string): unknown => {
    if (cache.has(key)) return cache.get(key);
    let v = raw[key];
    if (key === 'hostvars' && isDict(v)) {
      hostvars ??= hostvarsScope(v, opts);
      return hostvars;
    }
    if (v instanceof VaultText) v = decryptVaultValue(v, opts.vault ?? NO_VAULT_SECRETS);
    if (v instanceof UnsafeText) v = v.text;
    else if (needsRendering(v)) {
      const where = keyPosOf(raw, key) ? valuePosOf(raw, key) : undefined;
      if (resolving.includes(key)) {
        const chain = [...resolving.slice(resolving.indexOf(key)), key].join(' -> ');
        throw new LvsplayError(
          diag(
            `recursive loop detected in variable '${key}': ${chain}`,
            where,
            'break the loop: one of these variables must not refer back to the others',
          ),
          ExitCode.error,
        );
      }
      resolving.push(key);
      try {
        v = opts.render(v, proxy, where, `variable '${key}'`);
      } finally {
        resolving.pop();
      }
    }
    v = passwordAsSecret(key, v, opts.vault?.revealed);
    // A variable holding a secret (a vault value rendered, a fact derived from one): its text
    // joins the run's list, so a host echoing it back is masked too.
    if (v instanceof Secret) opts.vault?.revealed?.add(v.reveal());
    cache.set(key, v);
    return v;
  };

  const proxy: Vars = new Proxy(raw, {
    get(target, key) {
      if (typeof key !== 'string') return Reflect.get(target, key);
      if (cache.has(key)) return cache.get(key);
      if (Object.hasOwn(target, key)) return read(key);
      if (key === 'vars') return proxy;
      return undefined;
    },
    has(target, key) {
      return (typeof key === 'string' && (cache.has(key) || key === 'vars')) || Reflect.has(target, key);
    },
    set(_target, key, value) {
      if (typeof key === 'string') cache.set(key, value);
      return true;
    },
    ownKeys(target) {
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key !== 'string' || !Object.hasOwn(target, key)) return Reflect.getOwnPropertyDescriptor(target, key);
      return { value: read(key), writable: true, enumerable: true, configurable: true };
    },
  });
  scopes.add(proxy);
  return proxy;
}

function hostvarsScope(hv: Vars, opts: ScopeOptions): Vars {
  const perHost = new Map<string, Vars>();
  const get = (host: string): unknown => {
    const vars = hv[host];
    if (!isDict(vars)) return vars;
    let s = perHost.get(host);
    if (!s) {
      s = lazyScope(vars, opts);
      perHost.set(host, s);
    }
    return s;
  };
  return new Proxy(hv, {
    get: (target, key) => (typeof key === 'string' && Object.hasOwn(target, key) ? get(key) : Reflect.get(target, key)),
    getOwnPropertyDescriptor(target, key) {
      if (typeof key !== 'string' || !Object.hasOwn(target, key)) return Reflect.getOwnPropertyDescriptor(target, key);
      return { value: get(key), writable: true, enumerable: true, configurable: true };
    },
  });
}

/** `scope` with a few names added or replaced (template_path, lookup template_vars). */
export function overlay(scope: Vars, extra: Vars): Vars {
  const proxy = new Proxy(scope, {
    get: (target, key) =>
      typeof key === 'string' && Object.hasOwn(extra, key) ? extra[key] : Reflect.get(target, key),
    has: (target, key) => (typeof key === 'string' && Object.hasOwn(extra, key)) || Reflect.has(target, key),
  });
  scopes.add(proxy);
  return proxy;
}
