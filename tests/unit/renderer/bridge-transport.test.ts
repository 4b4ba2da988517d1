// The web bridge transport against a scripted socket: queued calls, answers by id, pushed events,
// drops (open calls fail with NOT_CONNECTED, then a redial), and a node that no longer accepts the page.
import { describe, expect, it } from 'vitest';
import { BridgeTransport, bridgeUrl, MAX_CALL_BYTES, type SocketHandlers } from '../../../src-renderer/src/lib/api/bridge-transport.js';
import type { ConnectionState } from '../../../src-renderer/src/lib/api/transport.js';
import { IpcTransport } from '../../../src-renderer/src/lib/api/ipc-transport.js';
import { settle } from './fake-api.js';

class ScriptedSockets {
  readonly dials: { url: string; h: SocketHandlers; sent: string[]; closed: boolean }[] = [];
  readonly timers: (() => void)[] = [];
  probeStatus: number | null = null;
  probes = 0;

  transport(): BridgeTransport {
    return new BridgeTransport('ws://127.0.0.1:1/api', {
      openSocket: (url, h) => {
        const d = { url, h, sent: [] as string[], closed: false };
        this.dials.push(d);
        return { send: (t) => d.sent.push(t), close: () => (d.closed = true) };
      },
      probe: async () => {
        this.probes++;
        return this.probeStatus;
      },
      setTimer: (fn) => this.timers.push(fn),
    });
  }

  get last() {
    const d = this.dials.at(-1);
    if (!d) throw new Error('no dial');
    return d;
  }

  runTimers(): void {
    for (const fn of this.timers.splice(0)) fn();
  }
}

describe('BridgeTransport', () => {
  it('derives the socket URL from the page', () => {
    expect(bridgeUrl({ protocol: 'http:', host: '127.0.0.1:5000' })).toBe('ws://127.0.0.1:5000/api');
    expect(bridgeUrl({ protocol: 'https:', host: 'ui.example' })).toBe('wss://ui.example/api');
  });

  it('queues calls until the socket opens, then matches answers by id', async () => {
    const s = new ScriptedSockets();
    const t = s.transport();
    const states: ConnectionState[] = [];
    t.onState((x) => states.push(x));
    expect(t.state).toBe('connecting');
    const a = t.call('identity.get', {});
    const b = t.call('peers.list', {});
    expect(s.last.sent).toEqual([]);
    s.last.h.open();
    expect(states).toEqual(['open']);
    const [ma, mb] = s.last.sent.map((x) => JSON.parse(x) as { id: number; method: string; params: unknown });
    expect(ma).toEqual({ id: 1, method: 'identity.get', params: {} });
    expect(mb?.method).toBe('peers.list');
    s.last.h.message(JSON.stringify({ id: mb?.id, result: { ok: true, value: [] } }));
    s.last.h.message(JSON.stringify({ id: ma?.id, result: { ok: true, value: { id: 'w2w1me' } } }));
    expect(await a).toEqual({ ok: true, value: { id: 'w2w1me' } });
    expect(await b).toEqual({ ok: true, value: [] });
    // Once open, calls go straight out.
    void t.call('node.status', {});
    expect(s.last.sent).toHaveLength(3);
  });

  it('delivers pushed events to their listeners and ignores junk', () => {
    const s = new ScriptedSockets();
    const t = s.transport();
    s.last.h.open();
    const got: string[] = [];
    const off = t.on('notice', (n) => got.push(n.text));
    s.last.h.message(JSON.stringify({ event: 'notice', payload: { text: 'one' } }));
    s.last.h.message('not json');
    s.last.h.message('null');
    s.last.h.message(JSON.stringify({ event: 'presence', payload: { id: 'x', online: true, timeMs: 1 } }));
    off();
    s.last.h.message(JSON.stringify({ event: 'notice', payload: { text: 'two' } }));
    expect(got).toEqual(['one']);
  });

  it('fails open calls with NOT_CONNECTED on a drop and redials with backoff', async () => {
    const s = new ScriptedSockets();
    const t = s.transport();
    s.last.h.open();
    const pending = t.call('peers.list', {});
    s.last.h.close(1006);
    expect(await pending).toMatchObject({ ok: false, error: { code: 0, name: 'NOT_CONNECTED' } });
    expect(t.state).toBe('closed');
    await settle();
    expect(s.dials).toHaveLength(1);
    s.runTimers();
    expect(s.dials).toHaveLength(2);
    expect(t.state).toBe('connecting');
    s.last.h.open();
    expect(t.state).toBe('open');
    expect(s.probes).toBe(0);
  });

  it('stops redialling once the page itself is refused (401/403)', async () => {
    const s = new ScriptedSockets();
    const t = s.transport();
    s.last.h.close(1006);
    await settle();
    s.runTimers();
    s.probeStatus = 401;
    s.last.h.close(1006);
    await settle();
    expect(s.probes).toBe(1);
    expect(t.state).toBe('unauthorized');
    expect(s.timers).toHaveLength(0);
    expect(await t.call('identity.get', {})).toMatchObject({ ok: false, error: { name: 'NOT_CONNECTED' } });
  });

  it('refuses a call larger than the bridge accepts without sending it', async () => {
    const s = new ScriptedSockets();
    const t = s.transport();
    s.last.h.open();
    const r = await t.call('messages.send', { to: { kind: 'all' }, text: 'x'.repeat(MAX_CALL_BYTES) });
    expect(r).toMatchObject({ ok: false, error: { name: 'BAD_REQUEST' } });
    expect(s.last.sent).toEqual([]);
  });

  it('close() ends everything', async () => {
    const s = new ScriptedSockets();
    const t = s.transport();
    const pending = t.call('peers.list', {});
    t.close();
    expect(s.last.closed).toBe(true);
    expect(await pending).toMatchObject({ ok: false, error: { name: 'NOT_CONNECTED' } });
    s.last.h.close(1000);
    await settle();
    expect(s.timers).toHaveLength(0);
  });
});

describe('IpcTransport', () => {
  it('passes calls and events through and turns a thrown IPC error into NOT_CONNECTED', async () => {
    const listeners: ((p: unknown) => void)[] = [];
    const t = new IpcTransport({
      call: (async (method: string) => {
        if (method === 'peers.list') throw new Error('ipc gone');
        return { ok: true, value: { id: 'w2w1me' } };
      }) as never,
      on: ((_e: string, l: (p: unknown) => void) => {
        listeners.push(l);
        return () => {};
      }) as never,
      pathForFile: () => '',
      showInFolder: async () => true,
    });
    expect(t.state).toBe('open');
    expect(await t.call('identity.get', {})).toEqual({ ok: true, value: { id: 'w2w1me' } });
    expect(await t.call('peers.list', {})).toMatchObject({ ok: false, error: { name: 'NOT_CONNECTED', message: 'ipc gone' } });
    const got: unknown[] = [];
    t.on('notice', (n) => got.push(n));
    listeners[0]?.({ text: 'hi' });
    expect(got).toEqual([{ text: 'hi' }]);
  });
});

describe('file staging', () => {
  const file = (name: string, size = 3): File => new File([new Uint8Array(size)], name);

  it('the bridge uploads to ./files/upload with the name in the query and returns the node’s handle', async () => {
    const seen: string[] = [];
    const t = new BridgeTransport('ws://127.0.0.1:1/api', {
      openSocket: () => ({ send: () => {}, close: () => {} }),
      upload: async (url, f, onProgress) => {
        seen.push(url);
        onProgress(f.size, f.size);
        return { status: 201, body: JSON.stringify({ path: '/data/uploads/ab-報告.txt', name: '報告.txt', size: f.size }) };
      },
    });
    const progress: number[] = [];
    const r = await t.stageFile(file('報告.txt'), (sent) => progress.push(sent));
    expect(r).toEqual({ ok: true, value: { path: '/data/uploads/ab-報告.txt', name: '報告.txt', size: 3 } });
    expect(seen).toEqual([`./files/upload?name=${encodeURIComponent('報告.txt')}`]);
    expect(progress).toEqual([3]);
    expect(t.downloadUrl('a b&c.txt')).toBe('./files/download?name=a%20b%26c.txt');
    t.close();
  });

  it('the bridge turns refusals into stable error names', async () => {
    const answer = { status: 413, body: '' };
    const t = new BridgeTransport('ws://127.0.0.1:1/api', { openSocket: () => ({ send: () => {}, close: () => {} }), upload: async () => answer });
    expect(await t.stageFile(file('a'))).toMatchObject({ ok: false, error: { code: 0, name: 'UPLOAD_TOO_LARGE' } });
    answer.status = 403;
    expect(await t.stageFile(file('a'))).toMatchObject({ ok: false, error: { name: 'NOT_CONNECTED' } });
    answer.status = 0;
    expect(await t.stageFile(file('a'))).toMatchObject({ ok: false, error: { name: 'UPLOAD_FAILED', message: 'the upload was cut off' } });
    Object.assign(answer, { status: 201, body: '{"path":1}' });
    expect(await t.stageFile(file('a'))).toMatchObject({ ok: false, error: { name: 'UPLOAD_FAILED' } });
    t.close();
  });

  it('the desktop app shares the file where it is, and has no download URL', async () => {
    const paths = new Map<File, string>();
    const real = file('real.bin', 5);
    paths.set(real, '/home/me/real.bin');
    const shown: string[] = [];
    const t = new IpcTransport({
      call: (async () => ({ ok: true, value: null })) as never,
      on: (() => () => {}) as never,
      pathForFile: (f) => paths.get(f) ?? '',
      showInFolder: async (hash) => {
        shown.push(hash);
        if (hash === 'broken') throw new Error('ipc gone');
        return hash === 'a1'.repeat(32);
      },
    });
    expect(await t.stageFile(real)).toEqual({ ok: true, value: { path: '/home/me/real.bin', name: 'real.bin', size: 5 } });
    expect(await t.stageFile(file('made-in-page.txt'))).toMatchObject({ ok: false, error: { name: 'NO_FILE_PATH' } });
    expect(t.downloadUrl('x')).toBeNull();
    // It opens the folder of a fetched copy instead (the main process looks the path up).
    expect(t.canShowInFolder).toBe(true);
    expect(await t.showInFolder('a1'.repeat(32))).toBe(true);
    expect(await t.showInFolder('b2'.repeat(32))).toBe(false);
    expect(await t.showInFolder('broken')).toBe(false);
    expect(shown).toEqual(['a1'.repeat(32), 'b2'.repeat(32), 'broken']);
  });

  it('the bridge cannot open folders on the node’s machine', async () => {
    const t = new BridgeTransport('ws://127.0.0.1:1/api', { openSocket: () => ({ send: () => {}, close: () => {} }), upload: async () => ({ status: 0, body: '' }) });
    expect(t.canShowInFolder).toBe(false);
    expect(await t.showInFolder('a1'.repeat(32))).toBe(false);
    t.close();
  });
});
