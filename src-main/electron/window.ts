// The app window: sandboxed, context-isolated, no Node in the page, loading the built renderer from
// files. Closing it only hides it: the node keeps running in the tray.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow } from 'electron';

const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

export interface MainWindowOptions {
  indexHtml: string;
  iconPng: string | null;
  /** true once the app is quitting: then a close really closes */
  quitting: () => boolean;
  /** started at login (--hidden): stay in the tray until the user opens the window */
  hidden?: boolean;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'w2w',
    backgroundColor: '#f1f5f9',
    ...(opts.iconPng ? { icon: opts.iconPng } : {}),
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.setMenuBarVisibility(false);
  win.once('ready-to-show', () => {
    if (!opts.hidden) win.show();
  });
  win.on('close', (e) => {
    if (opts.quitting()) return;
    e.preventDefault();
    win.hide();
  });
  void win.loadFile(path.resolve(opts.indexHtml));
  return win;
}
