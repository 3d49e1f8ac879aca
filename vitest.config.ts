import { defineConfig } from 'vitest/config';

// Four projects: fast unit tests beside the code, integration tests that start real
// Postgres/Kafka/kube-apiserver processes (test/integration, run serially), and the fault-injection
// scenarios (test/faults, run serially after them).
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
            'bench/**/*.test.ts',
          ],
          environment: 'node',
          // Property tests do real work; on a shared 2-core CI machine 5 s is too tight.
          testTimeout: 30_000,
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
      {
        // Sign-in through a real OpenID Provider in chromium (issue 19): make test-login. Its own
        // project (not integration), so make test runs it once, through the test-login target.
        test: {
          name: 'login',
          include: ['test/login/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          globalSetup: ['test/login/global-setup.ts'],
        },
      },
      {
        // Fault injection (issue 8): real processes under load while a broker, Postgres or a process
        // dies; the integration tests' Postgres and Kafka (no kube-apiserver), plus private ones per scenario.
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['test/faults/global-setup.ts'],
        },
      },
      {
        // catcast on a real single-node Kubernetes (issue 14): scripts/k8s/cluster.sh starts kubelet,
        // containerd, the control plane and CoreDNS; helm installs the chart with the built image.
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          environment: 'node',
          testTimeout: 900_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          globalSetup: ['test/cluster/global-setup.ts'],
        },
      },
    ],
  },
});
