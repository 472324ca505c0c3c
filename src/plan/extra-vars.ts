// -e / --extra-vars as ansible-playbook reads them: `@file` (YAML or JSON), a YAML/JSON
// document starting with { or [, or key=value words (values stay text).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { diag, ExitCode, LvsplayError, type Diagnostic, type ExitCodeValue } from '../diagnostics.js';
import { parseKv } from '../playbook/kv.js';
import { isMapping } from '../playbook/context.js';
import type { Vars } from '../vars/precedence.js';
import { loadYaml, loadYamlFile } from '../yaml/load.js';

export function parseExtraVars(values: readonly string[] | undefined, cwd = process.cwd()): Vars {
  const out: Vars = {};
  const problems: Diagnostic[] = [];
  // ansible-playbook's codes: a missing file is a plain error (1), text that does not parse a
  // parse error (4), a document of the wrong shape an options error (5); the first one counts.
  let code: ExitCodeValue | undefined;
  const fail = (c: ExitCodeValue, ...ds: Diagnostic[]) => {
    code ??= c;
    problems.push(...ds);
  };
  for (const raw of values ?? []) {
    const v = raw.trim();
    if (v.startsWith('@')) {
      const file = resolve(cwd, v.slice(1));
      if (!existsSync(file)) {
        fail(
          ExitCode.error,
          diag(`extra vars file ${v.slice(1)} does not exist`, undefined, 'check the path after -e @'),
        );
        continue;
      }
      const r = loadYamlFile(file, v.slice(1));
      if (r.diagnostics.length) fail(ExitCode.parseError, ...r.diagnostics);
      else if (r.value === null) continue;
      else if (!isMapping(r.value))
        fail(
          ExitCode.badOptions,
          diag(
            `extra vars file ${v.slice(1)} must hold a mapping of variables`,
            { file: v.slice(1), line: 1, col: 1 },
            'write name: value lines',
          ),
        );
      else Object.assign(out, r.value);
    } else if (v.startsWith('{') || v.startsWith('[')) {
      const r = loadYaml(v, '-e');
      if (r.diagnostics.length)
        fail(
          ExitCode.parseError,
          ...r.diagnostics.map((d) => ({ ...d, message: `in -e ${JSON.stringify(v)}: ${d.message}` })),
        );
      else if (!isMapping(r.value))
        fail(
          ExitCode.badOptions,
          diag(`-e ${JSON.stringify(v)} must be a mapping of variables`, undefined, `write -e '{"name": "value"}'`),
        );
      else Object.assign(out, r.value);
    } else if (v) {
      const kv = parseKv(v);
      if (kv.rest !== undefined)
        fail(
          ExitCode.badOptions,
          diag(
            `-e '${v}': '${kv.rest}' is not name=value`,
            undefined,
            'write -e name=value, -e @file.yml or -e \'{"name": "value"}\'',
          ),
        );
      Object.assign(out, kv.args);
    }
  }
  if (problems.length) throw new LvsplayError(problems, code ?? ExitCode.badOptions);
  return out;
}
