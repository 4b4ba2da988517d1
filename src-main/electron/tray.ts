// The tray icon that keeps the node reachable while the window is closed: open, a status line
// (connections, relayed messages, links), pause/resume relaying for friends, start at login, quit.
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
  let paused: boolean | null = null;

  const setPaused = async (p: boolean): Promise<void> => {
    const r = await opts.api.call('relaying.set', { paused: p });
    if (!r.ok) status = `Node error: ${r.error.message}`;
    void refresh();
  };

  const render = (): void => {
    const atLogin = app.getLoginItemSettings().openAtLogin;
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open w2w', click: opts.open },
        { type: 'separator' },
        { label: status, enabled: false },
        {
          label: 'Pause relaying for friends',
          type: 'checkbox',
          checked: paused === true,
          enabled: paused !== null,
          click: () => void setPaused(paused !== true),
        },
        { type: 'separator' },
        { label: 'Start at login', type: 'checkbox', checked: atLogin, click: () => app.setLoginItemSettings({ openAtLogin: !atLogin }) },
        { label: 'Quit w2w', click: opts.quit },
      ]),
    );
  };

  const refresh = async (): Promise<void> => {
    const r = await opts.api.call('node.status', {});
    if (r.ok) {
      const v = r.value;
      paused = v.relaying.paused;
      status = `${v.connections} connections · ${v.messagesRouted} relayed · ${v.linksUp} links${paused ? ' · paused' : ''}`;
    } else {
      status = `Node error: ${r.error.message}`;
    }
    tray.setToolTip(`w2w — ${status}`);
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
