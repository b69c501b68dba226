import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default defineConfig(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      'dist/**',
      'force-app/**',
      'cards/salesforce/force-app/**',
      'coverage/**',
      'bench/out/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js', 'jest.config.cjs', '.dependency-cruiser.cjs', 'bin/*.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    // scoring/ is the pure core: no clock, no I/O, no logger, nothing from app/ or connectors/.
    files: ['scoring/**/*.ts'],
    ignores: ['scoring/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process'],
              message: 'scoring/ is pure: no I/O.',
            },
            {
              group: ['winston', 'express', 'pg', 'better-sqlite3', 'kysely'],
              message: 'scoring/ is pure: no I/O.',
            },
            {
              group: ['**/app/**', '**/connectors/**'],
              message: 'scoring/ imports nothing of app/ or connectors/.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'scoring/ has no clock: pass times in.' },
        { name: 'console', message: 'scoring/ has no logger.' },
        { name: 'process', message: 'scoring/ reads no environment.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'scoring/ is deterministic: pass a seeded RNG.' },
      ],
    },
  },
  {
    // jest.config.cjs (sfdx-lwc-jest): CommonJS because package.json says "type": "module".
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/app/**'], message: 'connectors/ must not import app/.' }] },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
