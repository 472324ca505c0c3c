// An atomic write that failed on the target's filesystem says what happened and what to do; the
// messages are what GNU cat and mktemp print (the lab's fault suite fills a real tmpfs).
import { describe, expect, it } from 'vitest';
import { putFailure } from '../../src/exec/module-run.js';
import { readPutOutput } from '../../src/transport/put.js';

describe('a failed atomic write', () => {
  it('on a full filesystem names the directory and says to free space there', () => {
    const m = putFailure(
      '/var/www/html/index.html',
      'write',
      'cat: write error: No space left on device\ncannot write /var/www/html/.lvsplay.Ab12Cd34Ef',
    );
    expect(m).toBe(
      'could not write /var/www/html/index.html (write failed): cat: write error: No space left on device\ncannot write /var/www/html/.lvsplay.Ab12Cd34Ef; the old file is left as it was; the filesystem of /var/www/html is full: free space there (df -h /var/www/html) and run again',
    );
  });

  it('on a read-only filesystem or an exhausted quota says so', () => {
    expect(
      putFailure(
        '/etc/x.conf',
        'write',
        "mktemp: failed to create file via template '/etc/.lvsplay.XXXXXXXXXX': Read-only file system",
      ),
    ).toMatch(/\/etc is on a read-only filesystem: remount it read-write/);
    expect(putFailure('/home/a/f', 'write', 'cat: write error: Disk quota exceeded')).toMatch(
      /disk quota of \/home\/a is used up/,
    );
  });

  it('for any other cause keeps the message as it was', () => {
    expect(putFailure('/etc/x.conf', 'validate', 'validation failed: false')).toBe(
      'could not write /etc/x.conf (validate failed): validation failed: false; the old file is left as it was',
    );
  });
});

describe("the write script's failure tag", () => {
  it("is taken out of stderr, the tool's message kept on its own line without a blank one", () => {
    const stderr = 'cat: write error: No space left on device\n\nlvsplay-put-failed:write cannot write /d/.lvsplay.x\n';
    expect(readPutOutput('', stderr)).toEqual({
      failedStep: 'write',
      stdout: '',
      stderr: 'cat: write error: No space left on device\ncannot write /d/.lvsplay.x',
    });
  });
});
