import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Used by scripts/mutations.sh only: any test file (unit, integration, faults) run against the fault
// suite's Postgres and Kafka (test/faults/global-setup.ts provides the same pgAdminUrl and kafkaBrokers
// as the integration setup, without the kube-apiserver no mutated test needs).
export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['pkg/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/faults/**/*.test.ts'],
    environment: 'node',
    testTimeout: 900_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    globalSetup: ['test/faults/global-setup.ts'],
  },
});
