// Proves the import boundaries in eslint.config.js: each forbidden import is reported, each allowed one is not.
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BOUNDARY_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax', 'no-restricted-globals']);

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** Boundary findings for `code` linted as if it were the file at `filePath`; fails on parse errors and ignored paths. */
async function boundaryFindings(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  expect(result).toBeDefined();
  const messages = result!.messages;
  // A null ruleId means a parse error or "file ignored": either would make an "allowed" case pass vacuously.
  expect(messages.filter((m) => m.ruleId === null)).toEqual([]);
  return messages.filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId));
}

type Case = [filePath: string, code: string];

const SHARED = 'src-shared/protocol/example.ts';
const RENDERER = 'src-renderer/src/lib/example.ts';
const RENDERER_SVELTE = 'src-renderer/src/components/Example.svelte';
const MAIN = 'src-main/cli/example.ts';
const ELECTRON_MAIN = 'src-main/electron/example.ts';
const UNIT_TEST = 'tests/unit/example.test.ts';
const BENCH = 'bench/example.ts';

const forbidden: Case[] = [
  // src-shared: platform-free.
  [SHARED, "import { readFile } from 'node:fs';\nexport { readFile };"],
  [SHARED, "import fs from 'fs';\nexport { fs };"],
  [SHARED, "import { join } from 'path/posix';\nexport { join };"],
  [SHARED, "import { createHash } from 'crypto';\nexport { createHash };"],
  [SHARED, "import net from 'net';\nexport { net };"],
  [SHARED, "import { EventEmitter } from 'events';\nexport { EventEmitter };"],
  [SHARED, "export * from 'node:buffer';"],
  [SHARED, "export const load = () => import('node:fs');"],
  [SHARED, "import { app } from 'electron';\nexport { app };"],
  [SHARED, "import type { App } from 'electron';\nexport type { App };"],
  [SHARED, "import WebSocket from 'ws';\nexport { WebSocket };"],
  [SHARED, "import sodium from 'sodium-native';\nexport { sodium };"],
  [SHARED, "import Database from 'better-sqlite3';\nexport { Database };"],
  [SHARED, "import { main } from '../../src-main/cli/main.js';\nexport { main };"],
  [SHARED, "import type { Api } from '../../src-renderer/src/lib/api.js';\nexport type { Api };"],
  [SHARED, 'export const title = () => document.title;'],
  [SHARED, "export const open = () => window.open('x');"],
  [SHARED, "export const read = () => localStorage.getItem('k');"],
  [SHARED, 'export const agent = () => navigator.userAgent;'],
  [SHARED, "export const bytes = () => Buffer.from('x');"],
  [SHARED, 'export const env = () => process.env.HOME;'],
  // src-renderer: svelte, its own files and src-shared only.
  [RENDERER, "import { readFile } from 'node:fs';\nexport { readFile };"],
  [RENDERER, "import path from 'path';\nexport { path };"],
  [RENDERER, "import { ipcRenderer } from 'electron';\nexport { ipcRenderer };"],
  [RENDERER, "export const load = () => import('electron');"],
  [RENDERER, "import WebSocket from 'ws';\nexport { WebSocket };"],
  [RENDERER, "import sodium from 'sodium-native';\nexport { sodium };"],
  [RENDERER, "import Database from 'better-sqlite3';\nexport { Database };"],
  [RENDERER, "import { createNode } from '../../../src-main/node.js';\nexport { createNode };"],
  [RENDERER, "import leftPad from 'left-pad';\nexport { leftPad };"],
  [RENDERER, 'export const env = () => process.env.HOME;'],
  [RENDERER_SVELTE, "<script lang=\"ts\">\n  import { ipcRenderer } from 'electron';\n  ipcRenderer.send('x');\n</script>\n"],
  [RENDERER_SVELTE, "<script lang=\"ts\">\n  import { readFileSync } from 'node:fs';\n  readFileSync('x');\n</script>\n"],
  // src-main outside src-main/electron: the CLI and the node run without Electron.
  [MAIN, "import { app } from 'electron';\nexport { app };"],
  [MAIN, "import type { App } from 'electron';\nexport type { App };"],
  [MAIN, "export const load = () => import('electron');"],
  [MAIN, "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const e = require('electron');"],
  [MAIN, "import '../../src-renderer/src/main.js';"],
  [MAIN, 'export const title = () => document.title;'],
  [ELECTRON_MAIN, "import '../../src-renderer/src/main.js';"],
  // Tests and benchmarks: no electron at run time.
  [UNIT_TEST, "import { app } from 'electron';\nexport { app };"],
  [UNIT_TEST, "export const load = () => import('electron');"],
  // verbatimModuleSyntax keeps this as `import {} from 'electron'`, which loads electron.
  [UNIT_TEST, "import { type BrowserWindow } from 'electron';\nexport type { BrowserWindow };"],
  [UNIT_TEST, "import 'electron';"],
  [BENCH, "import { BrowserWindow } from 'electron';\nexport { BrowserWindow };"],
];

const allowed: Case[] = [
  [SHARED, "import { ByteReader } from './bytes.js';\nexport { ByteReader };"],
  [SHARED, "import { ErrorCode } from '../protocol/errors.js';\nexport { ErrorCode };"],
  [SHARED, 'export const encode = (s: string) => new TextEncoder().encode(s);'],
  [RENDERER, "import { mount } from 'svelte';\nexport { mount };"],
  [RENDERER, "import { writable } from 'svelte/store';\nexport { writable };"],
  [RENDERER, "import { ByteReader } from '../../../src-shared/protocol/bytes.js';\nexport { ByteReader };"],
  [RENDERER, "import App from '../App.svelte';\nexport { App };"],
  [RENDERER, 'export const hash = () => window.location.hash;'],
  [RENDERER_SVELTE, "<script lang=\"ts\">\n  import { onMount } from 'svelte';\n  onMount(() => document.title);\n</script>\n"],
  [MAIN, "import { readFile } from 'node:fs/promises';\nexport { readFile };"],
  [MAIN, "import WebSocket from 'ws';\nexport { WebSocket };"],
  [MAIN, "import { decodeFrame } from '../../src-shared/protocol/frames.js';\nexport { decodeFrame };"],
  [ELECTRON_MAIN, "import { app, BrowserWindow } from 'electron';\nexport { app, BrowserWindow };"],
  [ELECTRON_MAIN, "export const load = () => import('electron');"],
  [UNIT_TEST, "import type { BrowserWindow } from 'electron';\nexport type { BrowserWindow };"],
  [UNIT_TEST, "import { readFile } from 'node:fs/promises';\nexport { readFile };"],
  [BENCH, "import type { App } from 'electron';\nexport type { App };"],
];

describe('import boundaries (eslint.config.js)', () => {
  it.each(forbidden)('reports %s: %s', async (filePath, code) => {
    const findings = await boundaryFindings(filePath, code);
    expect(findings.length).toBeGreaterThan(0);
    // Each finding explains the rule, not just "restricted".
    for (const finding of findings) expect(finding.message.length).toBeGreaterThan(40);
  });

  it.each(allowed)('allows %s: %s', async (filePath, code) => {
    expect(await boundaryFindings(filePath, code)).toEqual([]);
  });
});
