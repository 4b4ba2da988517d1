// Chooses the transport for this page: Electron's preload bridge when present, else the web bridge.
import { BridgeTransport, bridgeUrl } from './bridge-transport.js';
import { IpcTransport } from './ipc-transport.js';
import type { Transport } from './transport.js';
import './preload-api.js';

export function pickTransport(win: Window = window): Transport {
  return win.w2w ? new IpcTransport(win.w2w) : new BridgeTransport(bridgeUrl(win.location));
}
