// Serial batches as Ansible cuts them (PlaybookExecutor._get_serialized_batches): each entry is
// a count or a percentage of ALL the play's hosts; the last entry repeats until none are left.

function batchSize(entry: number | string, total: number): number {
  if (typeof entry === 'string' && entry.trim().endsWith('%')) {
    const pct = Number.parseInt(entry, 10);
    return Math.floor((pct / 100) * total) || 1;
  }
  return Math.trunc(Number(entry));
}

export function serialBatches(
  hosts: readonly string[],
  serial: ReadonlyArray<number | string> | undefined,
): string[][] {
  const list = serial && serial.length ? serial : [0];
  const rest = [...hosts];
  const out: string[][] = [];
  let i = 0;
  while (rest.length) {
    let n = batchSize(list[i]!, hosts.length);
    if (!(n > 0)) n = rest.length;
    out.push(rest.splice(0, n));
    if (i < list.length - 1) i++;
  }
  return out;
}

/** play `order:` applied to the selected hosts. */
export function orderHosts(hosts: readonly string[], order: string): string[] {
  switch (order) {
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle': {
      const a = [...hosts];
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    }
    default:
      return [...hosts];
  }
}
