// Main-process side of the preload's bridge: 'w2w:call' dispatches to the same NodeApi the web bridge
// uses, after checking that the caller is our own page and the method is in the contract; every API
// event goes to the window as 'w2w:event'; 'w2w:showInFolder' opens the folder of a fetched copy that
// data.downloads lists (the page gives a content hash, never a path). No logic beyond those checks.
import { ipcMain, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { API_METHODS, type ApiMethod, type ApiResult, type NodeApi } from '../../src-shared/api/contract.js';
import { ErrorCode, errorName } from '../../src-shared/protocol/errors.js';
import { API_EVENT_NAMES } from '../web/api-events.js';

const refused = (message: string): ApiResult<never> => ({ ok: false, error: { code: ErrorCode.BAD_REQUEST, name: errorName(ErrorCode.BAD_REQUEST), message } });

/** True when `url` is our renderer page (any hash or query), loaded from the file it was built to. */
export function isOurPage(url: string | undefined, pageUrl: string): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    const p = new URL(pageUrl);
    return u.protocol === 'file:' && u.host === p.host && u.pathname === p.pathname;
  } catch {
    return false;
  }
}

const CONTENT_HASH = /^[0-9a-f]{64}$/;

/** Only our page's main frame may call the node: not a subframe, not a page navigated elsewhere. */
function fromOurPage(event: IpcMainInvokeEvent, pageUrl: string): boolean {
  const frame = event.senderFrame;
  return !!frame && frame.parent === null && isOurPage(frame.url, pageUrl);
}

/** Registers the handlers; returns a function that removes them. */
export function registerIpc(api: NodeApi, pageUrl: string, target: () => WebContents | null): () => void {
  ipcMain.handle('w2w:call', (event: IpcMainInvokeEvent, method: unknown, params: unknown) => {
    if (!fromOurPage(event, pageUrl)) return refused('this page may not call the node');
    if (typeof method !== 'string' || !(API_METHODS as readonly string[]).includes(method)) return refused(`unknown method "${String(method).slice(0, 60)}"`);
    return api.call(method as ApiMethod, (params ?? {}) as never);
  });
  ipcMain.handle('w2w:showInFolder', async (event: IpcMainInvokeEvent, contentHash: unknown): Promise<boolean> => {
    if (!fromOurPage(event, pageUrl) || typeof contentHash !== 'string' || !CONTENT_HASH.test(contentHash)) return false;
    // The path comes from the node's own fetch records, so the page cannot point the file manager anywhere else.
    const r = await api.call('data.downloads', {});
    const found = r.ok ? r.value.find((d) => d.contentHash === contentHash && d.state === 'complete' && d.onDisk) : undefined;
    if (!found) return false;
    shell.showItemInFolder(found.path);
    return true;
  });
  const offs = API_EVENT_NAMES.map((name) =>
    api.on(name, (payload) => {
      const wc = target();
      if (wc && !wc.isDestroyed() && isOurPage(wc.getURL(), pageUrl)) wc.send('w2w:event', name, payload);
    }),
  );
  return () => {
    ipcMain.removeHandler('w2w:call');
    ipcMain.removeHandler('w2w:showInFolder');
    for (const off of offs) off();
  };
}
