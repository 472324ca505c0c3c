// A string as Python's repr() writes it: single quotes unless the text holds a single quote and
// no double one. Ansible's output (and Jinja2's `{{ list }}`) shows strings this way.
export function pyQuote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(new RegExp(q, 'g'), `\\${q}`);
  return q + body + q;
}
