// Where plain ws:// is allowed: loopback only, unless the operator explicitly says --insecure.
import net from 'node:net';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** A reason the URL may not be used, or null. Only ws:// to a non-loopback host without --insecure is refused. */
export function plainTransportProblem(url: string, insecure: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not a URL (expected ws://HOST:PORT/ or wss://HOST:PORT/)`;
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return `"${url}" must start with ws:// or wss://`;
  if (u.protocol === 'ws:' && !insecure && !isLoopbackHost(u.hostname)) {
    return `plain ws:// to ${u.hostname} would send everything unencrypted; use wss://, or pass --insecure if you really mean it`;
  }
  return null;
}
