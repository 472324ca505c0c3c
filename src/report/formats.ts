// The output formats `run -o` takes: apart from the reporters, so the CLI can check the option
// without loading them (the task tree brings listr2).
export type OutputFormat = 'auto' | 'tree' | 'plain' | 'json' | 'jsonl';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['auto', 'tree', 'plain', 'json', 'jsonl'];
