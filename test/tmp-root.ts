// Every temporary file or directory the tests make (os.tmpdir() in tests, in the CLI runs they
// start and in the tools those run) goes under one directory made for this test run, removed when
// the run ends: the machine's /tmp does not fill up with what finished tests left behind.
// Workers are started after this runs, so they inherit TMPDIR.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  // Each project runs this set-up: the first one makes the directory, the others use it.
  if (process.env.LVSPLAY_TESTS_TMP) return () => undefined;
  const root = mkdtempSync(join(tmpdir(), 'lvsplay-tests-'));
  process.env.LVSPLAY_TESTS_TMP = root;
  // Tests run commands as other local users (become), which must reach their own temp files.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => {
    // A file system still mounted below (a test that failed half way) is left alone, not emptied.
    const mounted = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[1]?.startsWith(`${root}/`));
    if (mounted) process.stderr.write(`tests: ${root} still has a file system mounted below it; left in place\n`);
    else rmSync(root, { recursive: true, force: true });
  };
}
