// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'attio-app/', 'dist/', '.tools/', '.temporal/', 'coverage/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
    },
  },
  {
    // Workflows are replayed deterministically inside Temporal's sandbox: no Node APIs, no I/O libraries, and only
    // type imports from the code that does I/O (see workflows/README.md).
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Workflows may not use Node built-ins: do I/O in an activity.',
            })),
            ...[
              'undici',
              'pino',
              'pino-pretty',
              'express',
              '@temporalio/client',
              '@temporalio/worker',
              '@temporalio/activity',
            ].map((name) => ({ name, message: 'Workflows may not import I/O libraries: do I/O in an activity.' })),
          ],
          patterns: [
            {
              group: [
                '**/activities',
                '**/activities/**',
                '**/asana/**',
                '**/attio/**',
                '**/mapping/**',
                '**/receiver/**',
                '**/stand-ins/**',
                '**/common/logger',
                '**/common/config',
              ],
              allowTypeImports: true,
              message: 'Workflows may import only types from code that does I/O.',
            },
          ],
        },
      ],
    },
  },
  {
    // Entry points and the demo talk to a person on the terminal.
    files: ['scripts/**/*.ts', 'cli/**/*.ts', 'bench/**/*.ts', 'stand-ins/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
