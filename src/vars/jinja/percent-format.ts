// Python's `'%s:%d' % (host, port)`, which older roles still use inside templates.
import { TemplateFault } from './undefined.js';
import { isDict, repr, str } from './python.js';
import { reveal } from './taint.js';

export function percentFormat(fmt: string, arg: unknown): string {
  const a = reveal(arg);
  const positional = Array.isArray(a) ? a : [a];
  let i = 0;
  return fmt.replace(
    /%(\(([^)]+)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdirfx%])/g,
    (
      _m,
      _named,
      name: string | undefined,
      flags: string,
      width: string | undefined,
      prec: string | undefined,
      conv: string,
    ) => {
      if (conv === '%') return '%';
      let v: unknown;
      if (name !== undefined) {
        if (!isDict(a)) throw new TemplateFault('format requires a mapping for %(name)s fields');
        v = a[name];
      } else {
        if (i >= positional.length)
          throw new TemplateFault('not enough arguments for format string', 'give one value per % field');
        v = positional[i++];
      }
      let out: string;
      switch (conv) {
        case 'd':
        case 'i':
          out = String(Math.trunc(Number(reveal(v))));
          break;
        case 'f':
          out = Number(reveal(v)).toFixed(prec === undefined ? 6 : Number(prec));
          break;
        case 'x':
          out = Math.trunc(Number(reveal(v))).toString(16);
          break;
        case 'r':
          out = repr(v);
          break;
        default:
          out = str(v);
          if (prec !== undefined) out = out.slice(0, Number(prec));
      }
      const w = width === undefined ? 0 : Number(width);
      if (flags.includes('-')) return out.padEnd(w);
      return out.padStart(w, flags.includes('0') && conv !== 's' ? '0' : ' ');
    },
  );
}
