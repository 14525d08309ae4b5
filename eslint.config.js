// Strict lint in CI (docs/style.md 15, SEC-36): typescript-eslint, eslint-plugin-security and
// Microsoft's SDL rules; no `any`, no non-null `!`.
import { builtinModules } from 'node:module';
import sdl from '@microsoft/eslint-plugin-sdl';
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';

// TypeBox as the browser gets it (src/shared/api/schema-helpers.ts, src/web/api/response-check.ts):
// builders and checks by name, since the `Type` and `Value` objects hold all of TypeBox; never the
// TypeCompiler, whose `new Function` the CSP forbids.
const browserTypeBox = [{ name: '@sinclair/typebox/compiler', message: 'The TypeCompiler generates code with new Function, which the CSP forbids.' }];
const browserTypeBoxSyntax = [
  'error',
  {
    selector: "ImportDeclaration[source.value=/^@sinclair\\/typebox(\\/type)?$/] > ImportSpecifier[imported.name='Type']",
    message: "Import the builders as a namespace (import * as Type from '@sinclair/typebox'): the Type object holds all of TypeBox.",
  },
  {
    selector: "ImportDeclaration[source.value='@sinclair/typebox/value'] > ImportSpecifier[imported.name='Value']",
    message: 'Import Check and the other functions by name: the Value object holds all of them.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'src/web/dist/**', 'data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  security.configs.recommended,
  {
    plugins: { '@microsoft/sdl': sdl },
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      '@microsoft/sdl/no-document-write': 'error',
      '@microsoft/sdl/no-inner-html': 'error',
      '@microsoft/sdl/no-html-method': 'error',
      '@microsoft/sdl/no-postmessage-star-origin': 'error',
      '@microsoft/sdl/no-insecure-url': [
        'error',
        { exceptions: ['^http://localhost', '^http://127\\.0\\.0\\.1', '^http://www\\.w3\\.org/', '^http://\\$\\{'] },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Object keys here come from closed typed lists, not from users: the rule's findings were noise.
      'security/detect-object-injection': 'off',
      // Paths come from configuration and temp dirs, never from a request.
      'security/detect-non-literal-fs-filename': 'off',
    },
  },
  {
    // Tests feed the service insecure and malformed URLs on purpose.
    files: ['**/*.test.ts', 'test/**'],
    rules: { '@microsoft/sdl/no-insecure-url': 'off' },
  },
  {
    // SEC-32: migrations never touch key material or the root key.
    files: ['src/core/db/migrations/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/vault/**', '**/lib/crypto/**', 'node:crypto', 'crypto', 'pkcs11js'], message: 'Migrations must not touch key material (SEC-32).' }] },
      ],
    },
  },
  {
    // Layering (docs/style.md): drivers/ and lib/ import nothing of the app; services never import Fastify.
    files: ['drivers/**', 'src/lib/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/core/**', '**/gateway/**', '**/web/**', '**/cli/**'], message: 'lib/ and drivers/ import nothing of the app.' }] }] },
  },
  {
    // The CLI loads a command's work inside its action (src/cli/README.md): the files that every
    // `openeks` run loads import commander, the CLI's own frame and lib/ only, and types from anywhere.
    files: ['src/main.ts', 'src/cli/program.ts', 'src/cli/cli-context.ts', 'src/cli/cli-errors.ts', 'src/cli/commands/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Anything but: commander, node:*, the CLI's frame (context, errors, program, commands/*), lib/* and shared/*.
              regex: String.raw`^(?!commander$|node:|\./cli/(cli-context|cli-errors|program)\.js$|\.\.?/(cli-context|cli-errors)\.js$|\./commands/[a-z-]+\.js$|(\./|(\.\./)+)lib/[a-z-]+\.js$|(\.\./)+shared/[a-z-]+\.js$)`,
              allowTypeImports: true,
              message: 'Import the work of a command inside its action (await import), so that other commands do not load it.',
            },
          ],
        },
      ],
    },
  },
  {
    // src/shared/ runs in the browser as well as in Node (src/shared/README.md): no Node, no server
    // libraries, nothing of the app above it.
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...[...builtinModules, 'fastify', 'kysely', 'pg', 'better-sqlite3'].map((name) => ({ name, message: 'src/shared/ is pure: no Node and no server libraries.' })),
            ...browserTypeBox,
          ],
          patterns: [
            { group: ['node:*', 'fastify/*', '@fastify/*', 'kysely/*', 'pg/*', 'better-sqlite3/*'], message: 'src/shared/ is pure: no Node and no server libraries.' },
            { group: ['**/core/**', '**/lib/**', '**/cli/**', '**/gateway/**', '**/web/**', '**/drivers/**', '**/simulators/**'], message: 'src/shared/ imports nothing of the app.' },
          ],
        },
      ],
      'no-restricted-syntax': browserTypeBoxSyntax,
      // Node's globals do not exist in the browser either.
      'no-restricted-globals': ['error', ...['Buffer', 'process', 'global', 'require', '__dirname', '__filename', 'setImmediate'].map((name) => ({ name, message: 'src/shared/ runs in the browser too.' }))],
    },
  },
  {
    // The web UI reaches the server only over HTTP; what both sides need is in src/shared/.
    files: ['src/web/**'],
    ignores: ['src/web/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: browserTypeBox,
          patterns: [{ group: ['**/core/**', '**/lib/**', '**/cli/**', '**/gateway/**', '**/drivers/**', '**/simulators/**'], message: 'The web UI imports src/shared/, never the server, the CLI, the gateway or the drivers.' }],
        },
      ],
      'no-restricted-syntax': browserTypeBoxSyntax,
    },
  },
  {
    files: ['src/core/modules/**/*-service.ts', 'src/core/modules/**/*-repo.ts', 'src/core/vault/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'fastify', message: 'Services never import Fastify.' }] }] },
  },
);
