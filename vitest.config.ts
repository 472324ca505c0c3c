import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// A fixed order: unit tests, then the loopback sshd tests, then the lab tests (which share one
// set of namespace hosts), each group alphabetically, so every run meets the lab the same way.
class FixedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: string) => (f.includes('/test/unit/') ? 0 : f.includes('/test/transport/') ? 1 : 2);
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Lab tests share one set of namespaces on the machine: run files one at a time.
    fileParallelism: false,
    sequence: { sequencer: FixedOrder },
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
