/**
 * Three projects: unit (pure, no servers), replay (recorded workflow histories replayed against today's code, no
 * server) and integration (real Temporal dev server + stand-ins).
 */
const ESM_ONLY_JS = '/node_modules/(openid-client|oauth4webapi|jose)/.+\\.js$';
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  // openid-client and its dependencies ship ES modules only; Node runs them through require(esm), jest needs CommonJS.
  [ESM_ONLY_JS]: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false }],
};
const transformIgnorePatterns = ['/node_modules/(?!(openid-client|oauth4webapi|jose)/)'];

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
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'replay',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/replay/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
