// The tray icon that keeps the node reachable while the window is closed: open, the status
// (connections, relayed messages, links, relaying state), pause/resume relaying for friends, start at
// login, quit; in the OS language (English or Japanese).
import { app, Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import type { NodeApi } from '../../src-shared/api/contract.js';
import { setStartAtLogin, startsAtLogin } from './login-item.js';
import { statusLines, trayText } from './tray-text.js';

export interface TrayOptions {
  api: NodeApi;
  iconPng: string | null;
  open: () => void;
  quit: () => void;
}

const REFRESH_MS = 10_000;

export function createTray(opts: TrayOptions): { tray: Tray; dispose: () => void } {
  const image = opts.iconPng ? nativeImage.createFromPath(opts.iconPng) : nativeImage.createEmpty();
  const tray = new Tray(image);
  tray.setToolTip('w2w');
  const text = trayText(app.getLocale());
  let lines: string[] = [text.starting];
  let paused: boolean | null = null;

  const setPaused = async (p: boolean): Promise<void> => {
    const r = await opts.api.call('relaying.set', { paused: p });
    if (!r.ok) lines = [text.nodeError(r.error.message)];
    void refresh();
  };

  const render = (): void => {
    const atLogin = startsAtLogin();
    const template: MenuItemConstructorOptions[] = [
      { label: text.open, click: opts.open },
      { type: 'separator' },
      ...lines.map((label): MenuItemConstructorOptions => ({ label, enabled: false })),
      { type: 'separator' },
      // The item names what a click does, so it reads right in menus that draw no check mark.
      { label: paused ? text.resume : text.pause, enabled: paused !== null, click: () => void setPaused(paused !== true) },
      {
        label: text.startAtLogin,
        type: 'checkbox',
        checked: atLogin,
        click: () => {
          try {
            setStartAtLogin(!atLogin);
          } catch (err) {
            lines = [text.nodeError(err instanceof Error ? err.message : String(err))];
          }
          render();
        },
      },
      { type: 'separator' },
      { label: text.quit, click: opts.quit },
    ];
    tray.setContextMenu(Menu.buildFromTemplate(template));
  };

  const refresh = async (): Promise<void> => {
    const r = await opts.api.call('node.status', {});
    if (r.ok) {
      paused = r.value.relaying.paused;
      lines = statusLines(r.value, text);
    } else {
      lines = [text.nodeError(r.error.message)];
    }
    tray.setToolTip(`w2w — ${lines.join(' · ')}`);
    render();
  };

  tray.on('click', opts.open);
  render();
  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  // A switch flipped in the window (or another tray click) shows at once.
  const off = opts.api.on('relaying', () => void refresh());
  return {
    tray,
    dispose: () => {
      off();
      clearInterval(timer);
      tray.destroy();
    },
  };
}
