// What every reporter is told about the run it draws.
import type { SecretSource } from './redact.js';

export interface DrawOptions {
  /** Where the output goes (stdout by default). */
  stream: NodeJS.WritableStream;
  /** 0 = default, 1 = -v (module results), 2 = -vv (also commands and task paths), 3 = -vvv. */
  verbosity: number;
  /** --diff: show unified diffs of what changed (or, with --check, would change). */
  diff: boolean;
  /** --check: mark banners as Ansible's check_mode_markers do. */
  check: boolean;
  /** Colour the output (a TTY without NO_COLOR). */
  colour: boolean;
  /** Strings scrubbed from every line printed: become passwords, vault values. Read live. */
  secrets: SecretSource;
}
