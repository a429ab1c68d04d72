// ESLint 9 flat config for the whole workspace. Each package runs `eslint src`
// (its `lint` script, which Nx infers as the `lint` target); ESLint finds this file
// by walking up from the package directory.
//
// typescript-eslint "recommended" (syntactic only, no type information) keeps lint
// fast and build-independent: it never creates a TypeScript program, so it can run
// without `^build` and in parallel with typecheck (which does the type-aware work).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Build output, captured tool output and scratch dirs are not source.
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    '**/__fixtures__/**',
    '**/.nx/**',
    '**/.scratch/**',
    '**/coverage/**',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,cts}'],
    rules: {
      // `_`-prefixed names are deliberately unused (positional params, ignored
      // destructured elements, `catch (_e)`); rest siblings drop keys on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Plain JS scripts (bins, tools) run on Node; TS files get undefined-name
    // checks from the compiler instead (typescript-eslint turns no-undef off there).
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: {
      'no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // CommonJS files: Nx loads release version actions with require(), so they stay CJS.
    files: ['**/*.cjs', 'tools/release/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
