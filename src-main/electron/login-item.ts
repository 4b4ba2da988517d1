// "Start at login" for the tray. macOS and Windows have it in Electron (setLoginItemSettings); Linux
// does not, so there it is an XDG autostart entry (~/.config/autostart/w2w.desktop) that starts this
// very executable (the AppImage's own path when run from one) hidden in the tray.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app } from 'electron';
import { autostartEntry } from './desktop-entry.js';

function autostartFile(): string {
  const base = process.env.XDG_CONFIG_HOME && path.isAbsolute(process.env.XDG_CONFIG_HOME) ? process.env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'autostart', 'w2w.desktop');
}

export function startsAtLogin(): boolean {
  if (process.platform !== 'linux') return app.getLoginItemSettings().openAtLogin;
  return fs.existsSync(autostartFile());
}

export function setStartAtLogin(on: boolean): void {
  if (process.platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
    return;
  }
  const file = autostartFile();
  if (!on) {
    fs.rmSync(file, { force: true });
    return;
  }
  const exe = process.env.APPIMAGE ?? process.execPath;
  // A dev run (electron .) needs the app's folder as its argument; a packaged app does not.
  const args = app.isPackaged ? [] : [app.getAppPath()];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, autostartEntry([exe, ...args, '--hidden']), { mode: 0o644 });
}
