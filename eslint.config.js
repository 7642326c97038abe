// One lint toolchain: typescript-eslint (type-aware) + import-x; Prettier formats.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`, `${name}/*`]);

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'var/', 'test-artifacts/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'no-console': 'error',
    },
  },
  {
    // Workflow code must stay deterministic: no Node built-ins, no process spawning, no logging
    // libraries, no config reads. Only @temporalio/workflow, domain/, shared.ts and activity types.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins
            .filter((name) => !name.endsWith('/*'))
            .map((name) => ({
              name,
              message: 'Workflow code must be deterministic: no Node built-ins.',
            })),
          patterns: [
            {
              group: ['node:*'],
              message: 'Workflow code must be deterministic: no Node built-ins.',
            },
            {
              group: [
                'execa',
                'pino',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message:
                'Workflow code may import only @temporalio/workflow, domain/ and activity types.',
            },
            {
              group: ['**/activities/**'],
              allowTypeImports: true,
              message: 'Workflow code may import activity types only (import type).',
            },
            {
              group: [
                '**/config.ts',
                '**/logger.ts',
                '**/worker.ts',
                '**/client.ts',
                '**/executors/**',
                '**/store/**',
                '**/cli/**',
              ],
              message:
                'Workflow code may not read config, log with pino, or touch executors, the store or clients.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process access in workflow code.' },
        { name: 'setInterval', message: 'Use workflow sleep/condition.' },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/demo/cli.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests build deliberately malformed JSON and pass activity functions to test environments.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
