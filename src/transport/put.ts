// An atomic file write as one shell script, so it costs one round trip: the content arrives on
// stdin into a temp file in the target's directory (same filesystem, so the final rename is
// atomic), is checked for its full length (a dropped connection gives cat an early EOF, not an
// error), fsynced, given its owner and mode, validated, the old file kept as a backup if asked,
// then renamed over the target. Any failure removes the temp file; the old file is untouched.

import { posix } from 'node:path';
import { raw, sh, type ShellCommand } from './quote.js';
import type { PutOpts, PutStep } from './types.js';

const FAIL_TAG = 'lvsplay-put-failed:';
const BACKUP_TAG = 'lvsplay-backup:';

export function putScript(path: string, size: number, opts: PutOpts): ShellCommand {
  if (!path.startsWith('/')) throw new RangeError(`put needs an absolute path, got ${JSON.stringify(path)}`);
  const dir = posix.dirname(path);
  const owner = opts.owner
    ? sh`chown ${opts.group ? `${opts.owner}:${opts.group}` : opts.owner} "$tmp" || fail owner "cannot set owner"`
    : opts.group
      ? sh`chgrp ${opts.group} "$tmp" || fail owner "cannot set group"`
      : // An existing file keeps its owner, as Ansible's atomic_move does.
        sh`[ -e "$dest" ] && chown "$(stat -c %u:%g "$dest")" "$tmp" 2>/dev/null`;
  const mode =
    opts.mode !== undefined
      ? sh`chmod ${opts.mode.toString(8).padStart(4, '0')} "$tmp" || fail mode "cannot set mode"`
      : sh`if [ -e "$dest" ]; then chmod "$(stat -c %a "$dest")" "$tmp"; else chmod "$(printf %o $((0666 & ~0$um)))" "$tmp"; fi || fail mode "cannot set mode"`;
  // The validate command is playbook text (like a shell task); %s becomes the temp file. It is
  // "$tmp", exported, so that it also names the file inside quotes handed to another shell
  // (`sh -c 'test -s %s'`), where Ansible's plain substitution puts the path.
  const validate = opts.validate
    ? sh`(export tmp; ${raw(opts.validate.split('%s').join('"$tmp"'))}) || fail validate ${`validation failed: ${opts.validate}`}`
    : sh`:`;
  // A hard link keeps the old inode under the backup name at no copying cost.
  const backup = opts.backup
    ? sh`if [ -e "$dest" ]; then bk="$dest.$$.$(date +%Y-%m-%d@%H:%M:%S)~"; ln "$dest" "$bk" 2>/dev/null || cp -p "$dest" "$bk" || fail backup "cannot back up"; printf '%s%s\n' ${BACKUP_TAG} "$bk"; fi`
    : sh`:`;
  return sh`um=$(umask)
dest=${path}; dir=${dir}; size=${size}; tmp=
fail() { [ -n "$tmp" ] && rm -f "$tmp"; printf '\n%s%s %s\n' ${FAIL_TAG} "$1" "$2" >&2; exit 1; }
trap '[ -n "$tmp" ] && rm -f "$tmp"' EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 141' PIPE
[ -d "$dir" ] || fail write "directory $dir does not exist"
[ -d "$dest" ] && fail write "$dest is a directory"
tmp=$(umask 077; mktemp "$dir/.lvsplay.XXXXXXXXXX") || fail write "cannot create a file in $dir"
cat > "$tmp" || fail write "cannot write $tmp"
[ "$(wc -c < "$tmp")" -eq "$size" ] || fail verify "content arrived incomplete"
sync "$tmp" 2>/dev/null || sync
${owner}
${mode}
${validate}
${backup}
mv -f "$tmp" "$dest" || fail rename "cannot rename into place"
tmp=
sync "$dir" 2>/dev/null
exit 0`;
}

export interface PutOutcome {
  failedStep?: PutStep;
  backupPath?: string;
  stdout: string;
  stderr: string;
}

/** Takes the script's own tags out of its output. */
export function readPutOutput(stdout: string, stderr: string): PutOutcome {
  const out: PutOutcome = { stdout: '', stderr: '' };
  out.stdout = stdout
    .split('\n')
    .filter((l) => {
      if (!l.startsWith(BACKUP_TAG)) return true;
      out.backupPath = l.slice(BACKUP_TAG.length);
      return false;
    })
    .join('\n');
  const at = stderr.lastIndexOf(FAIL_TAG);
  if (at >= 0) {
    const line = stderr.slice(at + FAIL_TAG.length).split('\n')[0]!;
    const [step, ...msg] = line.split(' ');
    out.failedStep = step as PutStep;
    // the tool's own message ends with a newline, and the tag's line starts with one
    const before = stderr.slice(0, at).replace(/\n+$/, '');
    out.stderr = (before + (before.trim() ? '\n' : '') + msg.join(' ')).trim();
  } else {
    out.stderr = stderr;
  }
  return out;
}
