// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'examples/**', 'bench/out/**', '.scratch/**', 'test-artifacts/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/pprof/**', 'src/analyze/**', 'src/compare/**', 'src/render/**', 'src/model/**'],
    rules: {
      // Pure layers: no I/O, no clock, no printing (DESIGN.md, Architecture).
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'os', 'child_process', 'zlib', 'http', 'https'] }],
      'no-restricted-globals': ['error', 'process', 'console'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }, { object: 'performance', property: 'now' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Pure code takes the clock as an argument.' }],
    },
  },
  {
    files: ['src/web/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // report.html's script: profile strings are set as text, never parsed as markup.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Set textContent; profile strings are untrusted.' },
        { property: 'outerHTML', message: 'Set textContent; profile strings are untrusted.' },
        { property: 'insertAdjacentHTML', message: 'Build elements; profile strings are untrusted.' },
        { object: 'document', property: 'write', message: 'Build elements; profile strings are untrusted.' },
        { property: 'createContextualFragment', message: 'Build elements; profile strings are untrusted.' },
      ],
      'no-restricted-globals': ['error', 'eval', 'Function'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
