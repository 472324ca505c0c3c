// Option parsers the commands share.
import { InvalidArgumentError } from 'commander';

/** A repeatable option (`-i a -i b`): every value, in order. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** An option that takes one of a few words; anything else is a bad option (exit 5). */
export function oneOf<T extends string>(name: string, values: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`${name} must be ${values.join(' or ')}.`);
    return v as T;
  };
}
