import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Lab test files run alphabetically, one at a time, so every run meets the lab the same way.
class Alphabetical extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    globalSetup: ['test/tmp-root.ts'],
    hookTimeout: 600_000,
    projects: [
      {
        // Pure tests: parsing, planning, module plans on captured output. In parallel.
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        // Real tools on this machine (ansible-*, a loopback sshd on a free port, shellcheck, tsc,
        // the built CLI): nothing shared between files, so in parallel with the unit tests.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/transport/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The lab's hosts are one set of namespaces on the machine: one file at a time, after the rest.
        extends: true,
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1, sequencer: Alphabetical },
        },
      },
    ],
  },
});
