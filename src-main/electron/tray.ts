// The tray icon that keeps the node reachable while the window is closed: open, a status line, start at
// login, quit. Pausing relaying for friends is not offered: the node has no such switch yet.
import { app, Menu, nativeImage, Tray } from 'electron';
import type { NodeApi } from '../../src-shared/api/contract.js';

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
  let status = 'Starting…';

  const render = (): void => {
    const atLogin = app.getLoginItemSettings().openAtLogin;
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open w2w', click: opts.open },
        { type: 'separator' },
        { label: status, enabled: false },
        { type: 'separator' },
        { label: 'Start at login', type: 'checkbox', checked: atLogin, click: () => app.setLoginItemSettings({ openAtLogin: !atLogin }) },
        { label: 'Quit w2w', click: opts.quit },
      ]),
    );
  };

  const refresh = async (): Promise<void> => {
    const r = await opts.api.call('node.status', {});
    status = r.ok ? `Relay ${r.value.relayUrl} · ${r.value.registered} clients · ${r.value.messagesRouted} routed` : `Node error: ${r.error.message}`;
    tray.setToolTip(`w2w — ${status}`);
    render();
  };

  tray.on('click', opts.open);
  render();
  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  return {
    tray,
    dispose: () => {
      clearInterval(timer);
      tray.destroy();
    },
  };
}
