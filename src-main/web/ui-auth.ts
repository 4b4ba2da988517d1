// Who may use the UI: whoever holds the token printed at start (in the URL once, then in a cookie).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 32 random bytes as 64 hex digits. */
export function newUiToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time comparison of a presented token with the real one. */
export function tokenMatches(presented: string | null | undefined, token: string): boolean {
  if (typeof presented !== 'string') return false;
  // Compared as bytes: a string of as many characters may still have more UTF-8 bytes, and
  // timingSafeEqual throws on buffers of two lengths (uncaught in the upgrade handler: a crash).
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/**
 * The cookie's name carries the port: cookies ignore ports, so two nodes' UIs on 127.0.0.1 would
 * otherwise overwrite each other's cookie in one browser.
 */
export function cookieName(port: number): string {
  return `w2w_ui_${port}`;
}

/** HttpOnly (scripts never see it), SameSite=Strict (no cross-site request carries it). */
export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The value of one cookie from the Cookie header, or null. */
export function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type AuthOutcome = 'cookie' | 'token' | 'missing' | 'wrong';

/** How a request proves it may use the UI: a valid cookie, a valid `?token=`, neither, or a wrong one. */
export function authenticate(req: IncomingMessage, url: URL, token: string, port: number): AuthOutcome {
  const cookie = readCookie(req, cookieName(port));
  if (tokenMatches(cookie, token)) return 'cookie';
  const query = url.searchParams.get('token');
  if (tokenMatches(query, token)) return 'token';
  return cookie === null && query === null ? 'missing' : 'wrong';
}
