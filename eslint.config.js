// Shared lint rules for every package. Type-aware (no-floating-promises needs types), and the
// package dependency direction node → controller → partition-actor → storage → protocol enforced
// with no-restricted-imports.
import tseslint from 'typescript-eslint';

const ORDER = ['protocol', 'storage', 'partition-actor', 'controller', 'node'];

/** A package may import the packages below it, never those above, and never another's internals. */
function importRulesFor(pkg) {
  const above = ORDER.slice(ORDER.indexOf(pkg) + 1).map((p) => `@oxbow/${p}`);
  const others = ORDER.filter((p) => p !== pkg);
  return {
    files: [`packages/${pkg}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: above.map((name) => ({ name, message: `${pkg} sits below ${name}: dependencies point one way.` })),
          patterns: [
            { group: ['@oxbow/*/*'], message: 'Import a package through its index (src/index.ts), never its internals.' },
            { group: others.map((p) => `**/${p}/src/**`), message: 'Import other packages by name (@oxbow/...).' },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/src/generated/**', '**/.turbo/**', '**/vitest.config.ts'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['packages/*/tsconfig.check.json', 'test/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use an `as const` table instead of enum.' }],
    },
  },
  {
    // Tests load kafkajs (untyped CommonJS) to cross-check our codec against an independent implementation.
    files: ['packages/*/test/**/*.ts', 'packages/*/bench/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Plain JavaScript launchers (bin/*.mjs) belong to no tsconfig project: lint them without types.
  { files: ['**/*.mjs', '**/*.cjs', 'eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  ...ORDER.map(importRulesFor),
);
