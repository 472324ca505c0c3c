// -e / --extra-vars as ansible-playbook reads them: `@file` (YAML or JSON), a YAML/JSON
// document starting with { or [, or key=value words (values stay text).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { diag, ExitCode, LvsplayError, type Diagnostic } from '../diagnostics.js';
import { parseKv } from '../playbook/kv.js';
import { isMapping } from '../playbook/context.js';
import type { Vars } from '../vars/precedence.js';
import { loadYaml, loadYamlFile } from '../yaml/load.js';

export function parseExtraVars(values: readonly string[] | undefined, cwd = process.cwd()): Vars {
  const out: Vars = {};
  const problems: Diagnostic[] = [];
  for (const raw of values ?? []) {
    const v = raw.trim();
    if (v.startsWith('@')) {
      const file = resolve(cwd, v.slice(1));
      if (!existsSync(file)) {
        problems.push(diag(`extra vars file ${v.slice(1)} does not exist`, undefined, 'check the path after -e @'));
        continue;
      }
      const r = loadYamlFile(file, v.slice(1));
      if (r.diagnostics.length) problems.push(...r.diagnostics);
      else if (r.value === null) continue;
      else if (!isMapping(r.value))
        problems.push(
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
        problems.push(...r.diagnostics.map((d) => ({ ...d, message: `in -e ${JSON.stringify(v)}: ${d.message}` })));
      else if (!isMapping(r.value))
        problems.push(
          diag(`-e ${JSON.stringify(v)} must be a mapping of variables`, undefined, `write -e '{"name": "value"}'`),
        );
      else Object.assign(out, r.value);
    } else if (v) {
      const kv = parseKv(v);
      if (kv.rest !== undefined)
        problems.push(
          diag(
            `-e '${v}': '${kv.rest}' is not name=value`,
            undefined,
            'write -e name=value, -e @file.yml or -e \'{"name": "value"}\'',
          ),
        );
      Object.assign(out, kv.args);
    }
  }
  if (problems.length) throw new LvsplayError(problems, ExitCode.badOptions);
  return out;
}
