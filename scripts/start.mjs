#!/usr/bin/env node
// `npm start` (after the build): the desktop app where Electron can run; elsewhere it says why not and
// runs the headless node with its web UI (`w2w node --ui`), whose printed URL opens the same UI in a
// browser. `npm start -- --headless` (or W2W_HEADLESS=1) always runs headless; other arguments go to
// `w2w node` (e.g. `npm start -- --port 7171`).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, startMode } from './start-mode.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const choice = startMode({ binary: electronBinary(root), platform: process.platform, env: process.env, args });

let child;
if (choice.mode === 'electron') {
  console.log('Starting the w2w desktop app (Electron); it keeps relaying from the tray when its window is closed.');
  child = spawn(choice.binary, [root], { stdio: 'inherit' });
} else {
  if (choice.reason) console.error(`${choice.reason}\nStarting the headless node with its web UI instead: open the UI URL it prints.\n`);
  const nodeArgs = args.filter((a) => a !== '--headless');
  child = spawn(process.execPath, [path.join(root, 'bin', 'w2w.js'), 'node', '--ui', ...nodeArgs], { stdio: 'inherit' });
}
// Ctrl-C reaches the child straight from the terminal (same process group): wait for its clean shutdown
// instead of dying first, and don't send a second SIGINT (the node takes a second one as "stop now").
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
