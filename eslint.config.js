// One lint toolchain: typescript-eslint (type-aware) + import-x; Prettier formats.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Which part of the tree may import which (resolved paths, `import type` included). Tests and
 * benchmarks may import anything of src/; nothing in src/ imports them or infra/.
 */
const zones = [
  {
    target: './src',
    from: ['./infra', './bench', './test'],
    message: 'src/ may not import infra/, bench/ or test/.',
  },
  {
    target: './src/domain',
    from: './src',
    except: ['./domain'],
    message: 'src/domain is pure: it imports only src/domain.',
  },
  {
    target: './src/activities',
    from: ['src/executors/slurm/**', 'src/executors/local*.ts'],
    message:
      'Activities reach jobs through the executor port (executors/port.ts) that worker.ts injects, never an adapter.',
  },
  {
    // bin/harmonise-engine.js bundles src/frequency alone, named by a digest of that folder.
    target: './src/frequency',
    from: './src',
    except: ['./frequency'],
    message: 'src/frequency is bundled on its own: it imports only src/frequency and packages.',
  },
  {
    // The API reaches Temporal and the data root only through the typed client (src/client*.ts).
    target: './src/api',
    from: ['./src/workflows', './src/executors'],
    message:
      'src/api reaches workflows and executors only through the typed client (src/client.ts).',
  },
  {
    target: './src/api/!(auth).ts',
    from: './src/store',
    message: 'src/api reaches the data root only through the typed client (src/client.ts).',
  },
  {
    // auth.ts also writes the development token files for `harmonise up`, with the store's
    // atomic write, and reads the named tokens (re-read when their file changes); it writes
    // no other file.
    target: './src/api/auth.ts',
    from: './src/store',
    except: ['./atomic.ts', './named-tokens.ts'],
    message:
      'src/api/auth.ts may use the store only for the token files (store/atomic.ts, store/named-tokens.ts).',
  },
  {
    // The commands that act on work (not those that start the services) go through the client.
    target: './src/cli/*-commands.ts',
    from: ['./src/store', './src/workflows', './src/executors', './src/activities'],
    message: 'CLI commands reach Temporal and the data root only through the typed client.',
  },
  {
    target: ['./src/workflows', './src/shared.ts'],
    from: './src',
    except: ['./workflows', './domain', './shared.ts', './activities'],
    message: 'Workflow code may import only workflows/, domain/, shared.ts and activity types.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'var/', 'test-artifacts/', 'bin/', 'dist', '.dist-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // Imports name their .ts files, so Node's resolver finds them. Import cycles (type-only ones
    // included, which import-x/no-cycle skips) are dependency-cruiser's: .dependency-cruiser.js.
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?![.]|zod$)',
              message: 'src/domain is pure: zod is its only package (no Node built-ins, no I/O).',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's sandbox and must stay deterministic: no Node built-ins, no
    // process spawning, no logging libraries, no config reads. Which project files it may import
    // is the last of the zones above; src/shared.ts is in the workflow bundle too.
    files: ['src/workflows/**/*.ts', 'src/shared.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?![.]|@temporalio/(workflow|common)$)',
              caseSensitive: true,
              message:
                'Workflow code must be deterministic: of packages, only @temporalio/workflow and @temporalio/common (no Node built-ins).',
            },
            {
              group: ['**/activities/**'],
              allowTypeImports: true,
              message: 'Workflow code may import activity types only (import type).',
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
    // The API reaches Temporal only through the typed client (src/client*.ts).
    files: ['src/api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@temporalio/*'],
              message: 'src/api reaches Temporal only through the typed client (src/client.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // Units short enough to read at once: a file of src/ in 300 lines, a function in 80 (a factory
    // counts the methods it returns, so each activity is a named function of its own).
    files: ['src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    files: ['src/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true },
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
