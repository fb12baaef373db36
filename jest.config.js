/**
 * Three projects: unit (pure, no servers), replay (recorded workflow histories replayed against today's code, no
 * server) and integration (real Temporal dev server + stand-ins).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  // 2 cores: one jest worker per core; the dev server shares them.
  maxWorkers: 2,
  // Integration tests wait on a real server; each awaits a condition, never a fixed sleep.
  testTimeout: 120_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'replay',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/replay/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
