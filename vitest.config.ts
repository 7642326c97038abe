import { defineConfig } from 'vitest/config';

/**
 * Three projects, each one file at a time. `npm test` (test/run.sh) runs them in two processes:
 * "local" in one; "slurm" then "cluster" in the other, since the Slurm tests mostly wait on the
 * cluster (a time-limit test alone sleeps three minutes) while the local tests keep the 2-core
 * machine busy. Within a project, files never overlap: they share one cluster, one machine's
 * CPUs, and the tools' scratch space.
 */
const shared = {
  fileParallelism: false,
  testTimeout: 120_000,
  hookTimeout: 300_000,
} as const;

const slurmFiles = ['test/slurm/**/*.test.ts', 'test/e2e/demo-slurm.test.ts'];
/**
 * On the local Temporal cluster (PostgreSQL, mTLS) as well as on the dev server: the demo end to
 * end and the campaign workflows, with the cluster's own test. Run after the Slurm project, in
 * its lane (test/run.sh).
 */
const clusterFiles = [
  'test/e2e/temporal-cluster.test.ts',
  'test/e2e/demo.test.ts',
  'test/workflows/campaign.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          ...shared,
          name: 'local',
          include: ['test/**/*.test.ts'],
          exclude: [...slurmFiles, 'test/e2e/temporal-cluster.test.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'cluster',
          include: clusterFiles,
          env: { HARMONISE_TEST_TEMPORAL: 'cluster' },
        },
      },
      {
        test: {
          ...shared,
          name: 'slurm',
          include: slurmFiles,
          // Stops the single-node cluster at the end if the tests started it.
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
