// Findings as text (one line each, file:line:col first), JSON, or SARIF 2.1.0 for code scanning.
import { ALL_RULES } from './rules/index.js';
import type { LintReport } from './index.js';
import type { Finding } from './types.js';
import type { LintFormat } from './options.js';

export { FORMATS, type LintFormat } from './options.js';

export function formatText(f: Finding): string {
  const where = f.pos ? `${f.pos.file}:${f.pos.line}:${f.pos.col}: ` : '';
  return `${where}${f.severity}[${f.rule}]: ${f.message}; ${f.why}; ${f.fix}`;
}

export function summary(r: LintReport): string {
  const count = (s: string): number => r.findings.filter((f) => f.severity === s).length;
  const off = r.suppressed.length ? `, ${r.suppressed.length} disabled` : '';
  return `${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info${off}`;
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function toSarif(r: LintReport, version: string): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lvsplay-lint',
            version,
            informationUri: 'https://github.com/lvsplay/lvsplay/blob/main/docs/lint.md',
            rules: ALL_RULES.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.why },
              help: { text: rule.fix },
              defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
            })),
          },
        },
        results: r.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ALL_RULES.findIndex((x) => x.id === f.rule),
          level: SARIF_LEVEL[f.severity],
          message: { text: `${f.message}; ${f.why}; ${f.fix}` },
          locations: f.pos
            ? [
                {
                  physicalLocation: {
                    artifactLocation: { uri: f.pos.file },
                    region: { startLine: f.pos.line, startColumn: f.pos.col },
                  },
                },
              ]
            : [],
        })),
      },
    ],
  };
}

export function render(r: LintReport, format: LintFormat, version = '0.1.0'): string {
  if (format === 'json') return `${JSON.stringify({ findings: r.findings, suppressed: r.suppressed }, null, 2)}\n`;
  if (format === 'sarif') return `${JSON.stringify(toSarif(r, version), null, 2)}\n`;
  const lines = r.findings.map(formatText);
  lines.push(summary(r));
  return `${lines.join('\n')}\n`;
}
