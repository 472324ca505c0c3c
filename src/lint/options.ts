// What `lvsplay lint` can be asked for, apart from the rules, so the CLI can state its options
// without loading them.
export type LintFormat = 'text' | 'json' | 'sarif';
export const FORMATS: LintFormat[] = ['text', 'json', 'sarif'];

export const DEFAULT_PLAYBOOK = 'playbooks/site.yaml';

/** The keepalived releases lint knows (their keyword tables load with the rules). */
export const KEEPALIVED_VERSIONS = ['2.2', '2.3'] as const;
export type KeepalivedVersion = (typeof KEEPALIVED_VERSIONS)[number];
