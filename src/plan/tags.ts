// Which tasks --tags / --skip-tags select, as Ansible's Taggable.evaluate_tags decides:
// `always` runs unless skipped by name, `never` only when asked for by name, `all` and
// `tagged`/`untagged` are the special selectors.

export interface TagFilter {
  /** --tags (default: all). */
  only: string[];
  /** --skip-tags. */
  skip: string[];
}

export const ALL_TAGS: TagFilter = { only: ['all'], skip: [] };

export function tagsSelect(taskTags: readonly string[], f: TagFilter): boolean {
  const untagged = taskTags.length === 0;
  const tags = new Set(untagged ? ['untagged'] : taskTags);
  const only = new Set(f.only.length ? f.only : ['all']);
  const skip = new Set(f.skip);
  const meets = (sel: Set<string>) => [...tags].some((t) => sel.has(t));
  let run: boolean;
  if (tags.has('always')) run = true;
  else if (only.has('all') && !tags.has('never')) run = true;
  else if (meets(only)) run = true;
  else run = only.has('tagged') && !untagged && !tags.has('never');
  if (run && skip.size) {
    if (skip.has('all')) {
      if (!tags.has('always') || skip.has('always')) run = false;
    } else if (meets(skip)) run = false;
    else if (skip.has('tagged') && !untagged) run = false;
  }
  return run;
}

/** `--tags a,b --tags c` → ['a', 'b', 'c']. */
export function splitTagOption(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
