// ESLint over src/ and test/: typescript-eslint's type-checked recommendations, with the
// promise rules as errors (a floating promise is an unhandled rejection or a step that
// finishes after its caller thinks it did). Run with `npm run lint`.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'src/probes/injected/generated.ts',
      'node_modules/**',
      'fixtures/**',
      'reports/**',
      'bench/**',
      'examples/**',
      'scripts/**',
      'docs/**',
    ],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `_name` marks a value destructured away on purpose (`const { raw: _raw, ...rest } = e`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Every command body has the one signature the registry awaits, `(options, ctx) =>
    // Promise<ExitCode>`, so a throw is a rejection in each; some have nothing to await.
    files: ['src/cli/commands/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // The injected probe takes the platform's methods off their prototypes on purpose (to call
    // them later with Reflect.apply, whatever the app does to the prototypes meanwhile).
    files: ['src/probes/injected/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Test doubles implement async interfaces (launch, close, sleep, goto...) with bodies that
    // have nothing to await; the async keyword keeps their signature the interface's.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
);
