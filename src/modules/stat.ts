import { bool, choice, moduleArgs, str } from './args.js';
import type { ModuleSpec } from './types.js';

export const statModule: ModuleSpec = {
  name: 'stat',
  aliases: ['ansible.builtin.stat'],
  args: moduleArgs(
    {
      path: str(),
      follow: bool().optional(),
      get_checksum: bool().optional(),
      checksum_algorithm: choice('md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512').optional(),
      get_mime: bool().optional(),
      get_attributes: bool().optional(),
    },
    { dest: 'path', name: 'path', checksum: 'checksum_algorithm', checksum_algo: 'checksum_algorithm' },
  ),
};
