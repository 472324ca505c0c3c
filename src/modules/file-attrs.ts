// The owner/group/mode arguments every file-writing module shares (Ansible's add_file_common_args).
import { mode, str } from './args.js';

export const fileAttrs = {
  owner: str().optional(),
  group: str().optional(),
  mode: mode().optional(),
};
