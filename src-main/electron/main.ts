// Electron main process: one instance, the node running here, the window and the tray around it, and
// a notification for messages that arrive while the window is hidden. Wiring only; the node and the
// API contract do the work.
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, Notification } from 'electron';
import { createNodeApi } from '../node/api.js';
import { W2wNode } from '../node/node.js';
import { findRendererDir } from '../web/renderer-dir.js';
import { registerIpc } from './ipc.js';
import { chooseKeyProtection } from './key-protection.js';
import { notificationBody } from './notification-text.js';
import { hardenSession, lockDownWebContents } from './security.js';
import { createTray } from './tray.js';
import { trayText } from './tray-text.js';
import { createMainWindow } from './window.js';


let quitting = false;
let win: BrowserWindow | null = null;
let node: W2wNode | null = null;

function showWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

async function startNode(dataDir: string): Promise<W2wNode> {
  const { protector, warning } = chooseKeyProtection();
  if (warning) {
    console.warn(`w2w: ${warning}`);
    if (Notification.isSupported()) new Notification({ title: 'w2w', body: warning }).show();
  }
  const base = { dataDir, keyProtector: protector, log: (line: string) => console.error(line) };
  try {
    // The saved listen address (Settings) applies; 127.0.0.1:7070 by default.
    return await W2wNode.start(base);
  } catch (err) {
    // Another node (e.g. `w2w node`) has the usual port: take any free one.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return W2wNode.start({ ...base, port: 0 });
  }
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', showWindow);
  lockDownWebContents();
  await app.whenReady();

  const rendererDir = findRendererDir();
  if (!rendererDir) throw new Error('The UI is not built (no dist-renderer/index.html); run `npm run build:renderer`.');
  const indexHtml = path.join(rendererDir, 'index.html');
  const pageUrl = pathToFileURL(indexHtml).href;
  const iconPng = path.join(rendererDir, 'icon-32.png');
  hardenSession(pathToFileURL(rendererDir + path.sep).href);

  const dataDir = process.env.W2W_DATA ? path.resolve(process.env.W2W_DATA) : path.join(app.getPath('userData'), 'node');
  node = await startNode(dataDir);
  const api = createNodeApi(node);

  // Started at login (login-item.ts passes --hidden): the node runs in the tray, the window waits.
  const hidden = process.argv.includes('--hidden');
  win = createMainWindow({ indexHtml, iconPng: fs.existsSync(iconPng) ? iconPng : null, quitting: () => quitting, hidden });
  const offIpc = registerIpc(api, pageUrl, () => win?.webContents ?? null);
  const tray = createTray({
    api,
    iconPng: fs.existsSync(iconPng) ? iconPng : null,
    open: showWindow,
    quit: () => {
      quitting = true;
      app.quit();
    },
  });

  api.on('message', (m) => {
    if (m.direction !== 'in' || (win?.isVisible() && win.isFocused()) || !Notification.isSupported()) return;
    const n = new Notification({ title: m.group ? `w2w · ${m.group}` : 'w2w', body: notificationBody(m.text), silent: false });
    n.on('click', showWindow);
    n.show();
  });

  // A finished fetch is worth a notification: big files take long enough for the user to look away.
  const text = trayText(app.getLocale());
  const lastBytes = new Map<string, number>();
  api.on('transfer.progress', (p) => {
    const before = lastBytes.get(p.contentHash) ?? 0;
    lastBytes.set(p.contentHash, p.bytes);
    if (p.bytes < p.total || before >= p.total) return;
    lastBytes.delete(p.contentHash);
    if ((win?.isVisible() && win.isFocused()) || !Notification.isSupported()) return;
    // Name the file as its owner declared it (the node's download records), not by its hash.
    void api.call('data.downloads', {}).then((r) => {
      const name = (r.ok ? r.value.find((d) => d.contentHash === p.contentHash)?.name : undefined) ?? `${p.contentHash.slice(0, 12)}…`;
      // The name is the owner's choice: escaped like a message.
      const n = new Notification({ title: 'w2w', body: notificationBody(text.downloadFinished(name, `${Math.max(1, Math.round(p.total / 1024)).toLocaleString()} KiB`)) });
      n.on('click', showWindow);
      n.show();
    });
  });

  app.on('activate', showWindow);
  // The node keeps running with every window closed; only Quit (tray) or the OS ends it.
  app.on('window-all-closed', () => {});
  app.on('before-quit', (e) => {
    quitting = true;
    if (!node) return;
    e.preventDefault();
    const stopping = node;
    node = null;
    offIpc();
    tray.dispose();
    void stopping.stop().finally(() => app.quit());
  });
}

main().catch((err: unknown) => {
  console.error(`w2w: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  app.exit(1);
});
