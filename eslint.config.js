// Lint config: typescript-eslint's recommended rules plus the import boundaries between processes (see STYLE.md, habit 2).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './src-renderer/svelte.config.js';

// Every Node builtin, bare or with a subpath (fs, fs/promises), plus anything spelled `node:`.
const builtinNames = [...new Set(builtinModules.map((name) => name.split('/')[0]))];
const NODE_BUILTIN = `node:.*|(?:${builtinNames.join('|')})(?:/.*)?`;
const ELECTRON = 'electron(?:/.*)?';
const NODE_ONLY_PACKAGES = '(?:ws|sodium-native|better-sqlite3|bufferutil)(?:/.*)?';
const SRC_MAIN = '(?:.*/)?src-main(?:/.*)?';
const SRC_RENDERER = '(?:.*/)?src-renderer(?:/.*)?';

/** One `no-restricted-imports` pattern: `source` is matched against the whole import specifier. */
const ban = (source, message, extra = {}) => ({ regex: `^(?:${source})$`, caseSensitive: true, message, ...extra });

/** The same whole-specifier match as an esquery regex literal (a `/` would end the literal, so it is escaped). */
const selectorRegex = (source) => `/^(?:${source.replaceAll('/', '\\/')})$/`;
/**
 * `no-restricted-imports` never sees `import('x')` or `require('x')`, so the same specifiers are banned
 * there through `no-restricted-syntax`.
 */
const banRuntimeLoads = (source, message) => [
  { selector: `ImportExpression[source.value=${selectorRegex(source)}]`, message },
  { selector: `CallExpression[callee.name='require'][arguments.0.value=${selectorRegex(source)}]`, message },
];
/** `import { type X } from 'm'` with only inline type specifiers: verbatimModuleSyntax keeps it as `import {} from 'm'`. */
const inlineTypeOnlyImport = (source) =>
  `ImportDeclaration[importKind='value'][source.value=${selectorRegex(source)}]:has(ImportSpecifier)` +
  `:not(:has(ImportSpecifier[importKind='value'])):not(:has(ImportDefaultSpecifier)):not(:has(ImportNamespaceSpecifier))`;

const MSG = {
  sharedNode:
    'src-shared is platform-free (it runs in Node and in the renderer): no Node builtins. Take bytes as Uint8Array and put Node-only code in src-main.',
  sharedElectron: 'src-shared is platform-free: it may not import electron. Electron code lives in src-main/electron.',
  sharedNative:
    'src-shared is platform-free: ws, sodium-native, better-sqlite3 and bufferutil are Node-only. Use them from src-main (crypto/, store/, relay/).',
  sharedMain: 'src-shared may not import from src-main: the dependency points the other way (src-main imports src-shared).',
  sharedRenderer: 'src-shared may not import from src-renderer: the renderer depends on src-shared, never the reverse.',
  rendererNode:
    'The renderer is a sandboxed browser page: no Node builtins. Reach the node through the API contract in src-shared/api.',
  rendererElectron:
    'The renderer may not import electron: it talks to the main process only through the preload bridge and the API contract in src-shared/api.',
  rendererNative:
    'The renderer may not import ws, sodium-native, better-sqlite3 or bufferutil: they are Node-only and belong to src-main.',
  rendererMain: 'The renderer may not import from src-main: it sees only the API contract in src-shared.',
  rendererOther:
    'The renderer may import only svelte, its own files and src-shared (by relative path). Add a package here only after deciding it belongs in the renderer bundle, and widen this rule in eslint.config.js.',
  mainElectron:
    'Only src-main/electron may import electron: the CLI and the headless node must run under plain Node without Electron.',
  mainRenderer: 'src-main may not import from src-renderer: the renderer is a separate Vite bundle that talks to main over the API contract.',
  testElectron:
    'Tests and benchmarks run under plain Node: import electron only as `import type`. End-to-end tests drive the app through Playwright instead.',
};

const DOM_GLOBALS = ['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'location', 'indexedDB'];
const NODE_GLOBALS = ['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global', 'setImmediate'];

const restrictGlobals = (names, message) => names.map((name) => ({ name, message }));

export default defineConfig(
  {
    ignores: ['dist/', 'dist-renderer/', 'release/', 'node_modules/', 'test-results/', 'playwright-report/', '.w2w-data/'],
  },

  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,

  {
    rules: {
      // Leading underscore marks an argument or binding that is unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // The typescript-eslint rule is a superset (it understands `import type`); the core one stays off to avoid double reports.
      'no-restricted-imports': 'off',
    },
  },

  // TypeScript inside .svelte components and .svelte.ts rune modules.
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },

  // Runtime globals per process: Node for the tools, scripts and main; the browser for the renderer.
  {
    files: ['**/*.{js,mjs,cjs}', 'src-main/**', 'tests/**', 'bench/**', 'scripts/**', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: globals.browser },
  },

  // src-shared: pure code that runs in both Node and the renderer.
  {
    files: ['src-shared/**/*.{ts,js,svelte}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ban(NODE_BUILTIN, MSG.sharedNode),
            ban(ELECTRON, MSG.sharedElectron),
            ban(NODE_ONLY_PACKAGES, MSG.sharedNative),
            ban(SRC_MAIN, MSG.sharedMain),
            ban(SRC_RENDERER, MSG.sharedRenderer),
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...banRuntimeLoads(NODE_BUILTIN, MSG.sharedNode),
        ...banRuntimeLoads(ELECTRON, MSG.sharedElectron),
        ...banRuntimeLoads(NODE_ONLY_PACKAGES, MSG.sharedNative),
      ],
      'no-restricted-globals': [
        'error',
        ...restrictGlobals(DOM_GLOBALS, 'src-shared is platform-free: no DOM globals. Pass what you need in from the renderer.'),
        ...restrictGlobals(NODE_GLOBALS, 'src-shared is platform-free: no Node globals (use Uint8Array, not Buffer). Pass what you need in from src-main.'),
      ],
    },
  },

  // src-renderer: a sandboxed page that sees only svelte, its own files and src-shared.
  {
    files: ['src-renderer/**/*.{ts,js,svelte}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ban(NODE_BUILTIN, MSG.rendererNode),
            ban(ELECTRON, MSG.rendererElectron),
            ban(NODE_ONLY_PACKAGES, MSG.rendererNative),
            ban(SRC_MAIN, MSG.rendererMain),
            // Any other bare package: relative and root-absolute paths and svelte pass; the cases above keep their own message.
            ban(`(?![./]|svelte(?:/|$)|(?:${NODE_BUILTIN}|${ELECTRON}|${NODE_ONLY_PACKAGES})$).*`, MSG.rendererOther),
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...banRuntimeLoads(NODE_BUILTIN, MSG.rendererNode),
        ...banRuntimeLoads(ELECTRON, MSG.rendererElectron),
        ...banRuntimeLoads(NODE_ONLY_PACKAGES, MSG.rendererNative),
      ],
      'no-restricted-globals': [
        'error',
        ...restrictGlobals(NODE_GLOBALS, 'The renderer is a sandboxed page without Node globals. Ask the node through the API contract.'),
      ],
    },
  },

  // src-main: Node code; only src-main/electron may touch electron.
  {
    files: ['src-main/**/*.{ts,js}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [ban(ELECTRON, MSG.mainElectron), ban(SRC_RENDERER, MSG.mainRenderer)] },
      ],
      'no-restricted-syntax': ['error', ...banRuntimeLoads(ELECTRON, MSG.mainElectron)],
      'no-restricted-globals': [
        'error',
        ...restrictGlobals(
          DOM_GLOBALS.filter((name) => name !== 'navigator'),
          'src-main runs in Node (the CLI, the node, Electron main): there is no DOM here. UI code belongs in src-renderer.',
        ),
      ],
    },
  },
  {
    files: ['src-main/electron/**/*.{ts,js}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [ban(SRC_RENDERER, MSG.mainRenderer)] }],
      'no-restricted-syntax': 'off',
    },
  },

  // Tests and benchmarks run under plain Node: electron types are fine, electron at run time is not.
  {
    files: ['tests/**/*.{ts,js}', 'bench/**/*.{ts,js}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [ban(ELECTRON, MSG.testElectron, { allowTypeImports: true })] },
      ],
      'no-restricted-syntax': [
        'error',
        ...banRuntimeLoads(ELECTRON, MSG.testElectron),
        {
          selector: inlineTypeOnlyImport(ELECTRON),
          message: `${MSG.testElectron} Write \`import type { X }\`: inline \`type\` specifiers still load the module at run time.`,
        },
      ],
    },
  },
);
