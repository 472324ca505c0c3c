// One lab command at a time. A lock left by a killed command (its pid is gone) is taken over,
// and the command that takes it over repairs whatever was left half made.
import { mkdirSync, openSync, closeSync, writeSync, rmSync } from 'node:fs';
import { LvsplayError, diag } from '../diagnostics.js';
import { type LabPaths } from './paths.js';
import { livePid, pidRecord } from './procs.js';

export async function withLabLock<T>(p: LabPaths, fn: () => Promise<T>): Promise<T> {
  mkdirSync(p.stateDir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(p.lock, 'wx');
      writeSync(fd, pidRecord(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const holder = livePid(p.lock);
      if (holder && holder !== process.pid) {
        throw new LvsplayError(
          diag(`lab: another lab command (pid ${holder}) is running`, undefined, 'wait for it to finish'),
        );
      }
      rmSync(p.lock, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(p.lock, { force: true });
  }
}
