// Text-shaping filters of Ansible and Jinja whose exact bytes end up in configuration files:
// `comment` (how `{{ ansible_managed | comment }}` heads a file) and `wordwrap`.
import { TemplateFault } from './undefined.js';
import { str, type Dict } from './python.js';
import { splitArgs } from './args.js';
import type { FilterFn } from './filters.js';

/** Ansible's predefined comment styles. */
const COMMENT_STYLES: Record<string, Dict> = {
  plain: { decoration: '# ' },
  erlang: { decoration: '% ' },
  c: { decoration: '// ' },
  cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
  xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
};

/**
 * `text | comment(style, **options)` as Ansible writes it: an optional first line (beginning),
 * the prefix line(s), every line of the text behind the decoration (a decoration alone on a line
 * loses its trailing spaces), the postfix line(s) and an optional last line (end).
 */
function comment(text: unknown, ...raw: unknown[]): string {
  const { pos, kw } = splitArgs(raw);
  const styleName = str(pos[0] ?? kw.style ?? 'plain');
  const style = COMMENT_STYLES[styleName];
  if (!style)
    throw new TemplateFault(
      `comment: unknown style '${styleName}'`,
      `use one of ${Object.keys(COMMENT_STYLES).join(', ')}`,
    );
  const around = str(kw.decoration ?? style.decoration).trimEnd();
  const p: Dict = {
    newline: '\n',
    beginning: '',
    prefix: around,
    prefix_count: 1,
    decoration: '',
    postfix: around,
    postfix_count: 1,
    end: '',
    ...style,
    ...kw,
  };
  const nl = str(p.newline);
  const deco = str(p.decoration);
  const beginning = p.beginning ? `${str(p.beginning)}${nl}` : '';
  const prefixLine = str(p.prefix) === nl ? nl : `${str(p.prefix)}${nl}`;
  const prefix = p.prefix ? prefixLine.repeat(Number(p.prefix_count)) : '';
  const body = (
    deco +
    str(text)
      .split(nl)
      .join(nl + deco)
  )
    .split(deco + nl)
    .join(deco.trimEnd() + nl);
  const postfix = ['', ...Array.from({ length: Number(p.postfix_count) }, () => str(p.postfix))].join(nl);
  const end = p.end ? `${nl}${str(p.end)}` : '';
  return beginning + prefix + body + postfix + end;
}

/** Jinja's `wordwrap(width=79, break_long_words=True, wrapstring=newline)`, line by line. */
function wordwrap(text: unknown, ...raw: unknown[]): string {
  const { pos, kw } = splitArgs(raw);
  const width = Number(pos[0] ?? kw.width ?? 79);
  const breakLong = (pos[1] ?? kw.break_long_words ?? true) !== false;
  const joiner = str(pos[2] ?? kw.wrapstring ?? '\n');
  const wrapLine = (line: string): string[] => {
    const out: string[] = [];
    let cur = '';
    for (let word of line.split(/\s+/).filter(Boolean)) {
      while (breakLong && word.length > width) {
        if (cur) out.push(cur);
        out.push(word.slice(0, width));
        word = word.slice(width);
        cur = '';
      }
      if (!cur) cur = word;
      else if (cur.length + 1 + word.length <= width) cur += ` ${word}`;
      else {
        out.push(cur);
        cur = word;
      }
    }
    if (cur) out.push(cur);
    return out;
  };
  return str(text)
    .split(/\r\n|\r|\n/)
    .map((l) => wrapLine(l).join(joiner))
    .join(joiner);
}

export const TEXT_FILTERS: Record<string, FilterFn> = { comment, wordwrap };
