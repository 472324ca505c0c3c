// Lint of the TypeScript sources and tests: the rules that catch real faults (a promise nobody
// awaits, a variable nobody reads, a type import that survives into the emitted JavaScript).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      '.bundle-test-*/',
      'bench/.build/',
      'node_modules/',
      'test/fixtures/',
      'test/lab/fixtures/',
      'roles/',
      'assets/',
    ],
  },
  js.configs.recommended,
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // ANSI escapes and the NUL/SUB bytes of a terminal's and mysql's output are matched on purpose.
      'no-control-regex': 'off',
      // Tests match rendered configuration text whose indentation is literal spaces.
      'no-regex-spaces': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
);
