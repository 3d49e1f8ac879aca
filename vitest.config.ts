import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and integration tests that start real
// Postgres/Kafka/kube-apiserver processes (test/integration, run serially).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'pkg/**/*.test.ts',
            'cmd/**/*.test.ts',
            'cdk8s/**/*.test.ts',
            'scripts/**/*.test.ts',
            'ui/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['test/integration/global-setup.ts'],
        },
      },
    ],
  },
});
