// Lint rules: type-aware so that forgotten promises are caught (CONVENTIONS.md #11), and the
// package map enforced (CONVENTIONS.md: a map that lives only in people's heads drifts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundaryConfigs } from './scripts/lint/boundaries.js';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      '.tools/**',
      'cdk8s/imports/**',
      'cdk8s/dist/**',
      'charts/**',
      'ui/dist/**',
      'pkg/ui/static/**',
      'bench/results/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
    },
  },
  // The package map of docs/architecture.md: layers and allowed imports (scripts/lint/package-map.json).
  ...boundaryConfigs,
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
