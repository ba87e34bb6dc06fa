import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the `source` condition, so tests run
// against src/ without a build step (production resolves the same packages to dist/).
//
// Two projects: `main` (unit, integration and scenario tests, run in parallel) and `cluster` (the
// distributed fail-over tests, the benchmark's small CI profile and the README run on a fresh clone:
// several OS processes each, which need the machine to themselves and the build in dist/). `npm test`
// runs them one after the other.
export default defineConfig({
  resolve: { conditions: ['source'] },
  // The globalSetup file runs in vitest's own environment, which would hand workspace packages to Node's
  // loader (no TypeScript): transform them like the tests do.
  environments: {
    __vitest__: {
      resolve: { conditions: ['source'], externalConditions: ['source'], noExternal: [/^@csms\//] },
    },
  },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['test/cluster/**', 'test/bench/**', 'test/readme/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts', 'test/bench/**/*.test.ts', 'test/readme/**/*.test.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
