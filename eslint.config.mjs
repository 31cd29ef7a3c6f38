import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'examples/**', '.vscode-test/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
    },
  },
  {
    // Tests and benchmarks poke at API JSON whose shape the assertions check.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The core is pure: no editor, no I/O libraries at runtime. Adapters live in src/node and src/vscode.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core must not import vscode: put editor code in src/vscode.' },
          { name: '@kubernetes/client-node', message: 'src/core reaches the cluster through the ClusterReader port (src/node adapts client-node).', allowTypeImports: true },
          { name: 'simple-git', message: 'src/core reaches git through the Git port (src/node adapts simple-git).', allowTypeImports: true },
          { name: 'child_process', message: 'src/core never runs processes.' },
          { name: 'node:child_process', message: 'src/core never runs processes.' },
          { name: 'fs', message: 'src/core reads files through the FileSystem port.' },
          { name: 'node:fs', message: 'src/core reads files through the FileSystem port.' },
          { name: 'fs/promises', message: 'src/core reads files through the FileSystem port.' },
          { name: 'node:fs/promises', message: 'src/core reads files through the FileSystem port.' },
        ],
        patterns: [{ group: ['**/vscode/**', '**/node/**', '**/cli/**'], message: 'src/core must not depend on adapters.' }],
      }],
    },
  },
);
