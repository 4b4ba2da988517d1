// Session-wide hardening for the desktop app (see REFERENCES.md, "Electron security essentials"): no
// remote content, the UI's CSP on every response, no permissions but clipboard writes, and no
// navigation, new windows or webviews from any web contents.
import { app, session, type Session } from 'electron';
import { UI_CSP } from '../web/security-headers.js';

const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/** Only files of the renderer build (and devtools' own pages) may load. */
export function isAllowedRequest(url: string, rendererDirUrl: string): boolean {
  if (url.startsWith('devtools:')) return true;
  if (url.startsWith('data:')) return true; // img-src 'self' data: in the CSP
  return url.startsWith(rendererDirUrl);
}

export function hardenSession(rendererDirUrl: string, ses: Session = session.defaultSession): void {
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, rendererDirUrl) }));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [UI_CSP] } });
  });
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => ALLOWED_PERMISSIONS.has(permission));
}

/** Every web contents, now and later: no navigation away, no pop-ups, no webviews. */
export function lockDownWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
