// Shared data and remote delete in the renderer over a fake API: speed/ETA formatting, sharing a file
// (staged by the transport, then declared), declarations gathered per peer and filtered, a fetch's
// progress from events to done or a named failure, and delete statuses from answers and live events.
import { describe, expect, it } from 'vitest';
import type { ApiResult, DownloadView, DeclarationView, DeleteRequestView, SharedFileView } from '../../../src-shared/api/contract.js';
import { idToText } from '../../../src-shared/ids.js';
import { isSafeFileName, safeFileName } from '../../../src-shared/file-name.js';
import { formatDuration, formatSpeed, percent, shortHash } from '../../../src-renderer/src/lib/format/format.js';
import { dataErrorKey } from '../../../src-renderer/src/lib/i18n/data-errors.js';
import { DeletesState, summarize } from '../../../src-renderer/src/lib/state/deletes.svelte.js';
import { NAMES_STORAGE_KEY, SharedState } from '../../../src-renderer/src/lib/state/shared.svelte.js';
import { FakeApi, fail, ok, settle } from './fake-api.js';

const ME = idToText(new Uint8Array(32).fill(1));
const BOB = idToText(new Uint8Array(32).fill(2));
const CAROL = idToText(new Uint8Array(32).fill(3));
const H1 = 'a1'.repeat(32);
const H2 = 'b2'.repeat(32);

const decl = (over: Partial<DeclarationView>): DeclarationView => ({
  contentHash: H1,
  name: 'report.pdf',
  mime: 'application/pdf',
  size: 1000,
  owner: BOB,
  holder: BOB,
  access: { kind: 'public' },
  reshare: false,
  createdMs: 1,
  ...over,
});

const served = (over: Partial<SharedFileView>): SharedFileView => ({
  contentHash: H1,
  name: 'mine.txt',
  mime: 'text/plain',
  size: 10,
  path: '/data/uploads/x-mine.txt',
  owner: ME,
  access: 'public',
  reshare: false,
  state: 'serving',
  stopReason: null,
  fetchers: 0,
  ...over,
});

const download = (over: Partial<DownloadView>): DownloadView => ({
  contentHash: H1,
  name: 'report.pdf',
  fileName: 'report.pdf',
  path: '/data/downloads/report.pdf',
  size: 1000,
  mime: 'application/pdf',
  owner: BOB,
  state: 'complete',
  bytes: 1000,
  onDisk: true,
  inDownloads: true,
  startedMs: 10,
  finishedMs: 20,
  ...over,
});

class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v);
  }
}

describe('transfer formatting', () => {
  it('formats speed, time left, percent and hashes', () => {
    expect(formatSpeed(0)).toBe('0 B/s');
    expect(formatSpeed(1536.4)).toBe('1.5 KiB/s');
    expect(formatSpeed(12.5 * 1024 * 1024)).toBe('13 MiB/s');
    expect(formatSpeed(-5)).toBe('0 B/s');
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(1)).toBe('0:01');
    expect(formatDuration(59_001)).toBe('1:00');
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(percent(0, 0)).toBe(0);
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 3)).toBe(100);
    expect(shortHash(H1)).toBe(`${H1.slice(0, 12)}…`);
  });
});

describe('safe file names', () => {
  it('keeps ordinary names and makes the rest safe to create in one directory', () => {
    expect(safeFileName('議事録 (1).txt')).toBe('議事録 (1).txt');
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('a\\b:c*?"<>|\u0000\u007f.txt')).toBe('a_b_c________.txt');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('   ')).toBe('file');
    expect(safeFileName('.bashrc')).toBe('bashrc');
    expect(safeFileName('name. ')).toBe('name');
    expect(safeFileName('CON.txt')).toBe('_CON.txt');
    const long = safeFileName(`${'x'.repeat(200)}.tar.gz`);
    expect(long.length).toBe(80);
    expect(long.endsWith('.gz')).toBe(true);
    // A cut through a surrogate pair leaves no half character.
    expect(safeFileName('😀'.repeat(60))).toBe('😀'.repeat(40));
    for (const n of ['a.txt', '議事録.txt']) expect(isSafeFileName(n)).toBe(true);
    for (const n of ['', '.', '..', 'a/b', '../x', 'nul', 'x\n']) expect(isSafeFileName(n)).toBe(false);
  });
});

describe('data error keys', () => {
  it('names transfer reasons and upload failures, and leaves the rest to the node’s message', () => {
    expect(dataErrorKey({ code: 600, name: 'TRANSFER_FAILED', message: 'm', transfer: 'NOT_ALLOWED' })).toBe('shared.err.NOT_ALLOWED');
    expect(dataErrorKey({ code: 600, name: 'TRANSFER_FAILED', message: 'm', transfer: 'CORRUPT_CHUNK' })).toBe('shared.err.CORRUPT');
    expect(dataErrorKey({ code: 0, name: 'UPLOAD_TOO_LARGE', message: 'm' })).toBe('shared.err.UPLOAD_TOO_LARGE');
    expect(dataErrorKey({ code: 600, name: 'TRANSFER_FAILED', message: 'm', transfer: 'CHUNK_TOO_LARGE' })).toBe('shared.err.CHUNK_TOO_LARGE');
    expect(dataErrorKey({ code: 600, name: 'TRANSFER_FAILED', message: 'm', transfer: 'INTERNAL' })).toBe('shared.err.HOLDER_FAILED');
    // A reason this renderer does not know yet still reads as a failed transfer, not as a raw code.
    expect(dataErrorKey({ code: 600, name: 'TRANSFER_FAILED', message: 'm', transfer: 'T199' })).toBe('shared.err.TRANSFER_FAILED');
    // An INTERNAL without the transfer code is the node's own failure: only its message can say it.
    expect(dataErrorKey({ code: 500, name: 'INTERNAL', message: 'm' })).toBeNull();
    expect(dataErrorKey({ code: 310, name: 'BAD_REQUEST', message: 'm' })).toBeNull();
  });
});

describe('SharedState', () => {
  it('shares a file: staged by the transport, declared with its access, then listed', async () => {
    const api = new FakeApi()
      .handle('data.share', (p) => ok(decl({ contentHash: H2, name: p.name ?? '?', owner: ME, holder: ME, access: p.access })))
      .handle('data.shared', () => ok([served({ contentHash: H2, name: 'notes.txt' })]));
    const progress: number[] = [];
    api.stage = (file, onProgress) => {
      onProgress?.(2, 4);
      progress.push(2);
      return ok({ path: '/data/uploads/ff-notes.txt', name: file.name, size: file.size });
    };
    const storage = new MemoryStorage();
    const s = new SharedState(api, storage);
    const r = await s.share(new File(['abcd'], 'notes.txt'), { kind: 'peers', peers: [BOB] }, true);
    expect(r.ok).toBe(true);
    expect(api.calls.find((c) => c.method === 'data.share')?.params).toEqual({
      path: '/data/uploads/ff-notes.txt',
      name: 'notes.txt',
      access: { kind: 'peers', peers: [BOB] },
      reshare: true,
    });
    expect(progress).toEqual([2]);
    expect(s.upload).toBeNull();
    expect(s.mine.map((f) => f.name)).toEqual(['notes.txt']);
    expect(JSON.parse(storage.getItem(NAMES_STORAGE_KEY) ?? '{}')).toEqual({ [H2]: 'notes.txt' });
    // A new page remembers the name after the file stopped being shared.
    expect(new SharedState(new FakeApi(), storage).nameOf(H2)).toBe('notes.txt');
  });

  it('does not declare a file the transport could not stage', async () => {
    const api = new FakeApi();
    api.stage = () => fail(0, 'UPLOAD_TOO_LARGE');
    const s = new SharedState(api);
    const r = await s.share(new File(['x'], 'big.iso'), { kind: 'public' }, false);
    expect(r).toMatchObject({ ok: false, error: { name: 'UPLOAD_TOO_LARGE' } });
    expect(api.methods()).toEqual([]);
    expect(s.upload).toBeNull();
  });

  it('gathers declarations per peer, deduplicated, and filters them by peer', async () => {
    const api = new FakeApi().handle('data.declarations', (p) =>
      p.peer === BOB
        ? ok([decl({ createdMs: 1 }), decl({ createdMs: 1 })])
        : ok([decl({ contentHash: H2, name: 'c.txt', owner: CAROL, holder: CAROL, createdMs: 2 }), decl({ holder: CAROL })]),
    );
    const s = new SharedState(api);
    expect(await s.loadDeclarations([BOB, CAROL])).toBeNull();
    expect(api.calls.map((c) => c.params)).toEqual([{ peer: BOB }, { peer: CAROL }]);
    expect(s.visible.map((d) => `${d.name}@${d.holder === BOB ? 'bob' : 'carol'}`)).toEqual(['c.txt@carol', 'report.pdf@bob', 'report.pdf@carol']);
    s.peerFilter = BOB;
    // Bob's own file held by Carol stays visible under Bob (he owns it).
    expect(s.visible.map((d) => d.holder === BOB ? 'bob' : 'carol')).toEqual(['bob', 'carol']);
    s.peerFilter = CAROL;
    expect(s.visible).toHaveLength(2);
  });

  it('keeps what it found when one peer’s query fails, and reports the error', async () => {
    const api = new FakeApi().handle('data.declarations', (p) => (p.peer === BOB ? ok([decl({})]) : fail(310, 'BAD_REQUEST', 'bad id')));
    const s = new SharedState(api);
    expect(await s.loadDeclarations([BOB, CAROL])).toMatchObject({ name: 'BAD_REQUEST' });
    expect(s.declarations).toHaveLength(1);
  });

  it("follows a fetch of the declaration's owner from progress events to done, into a safe file name", async () => {
    let finish: (v: { path: string; size: number }) => void = () => {};
    const api = new FakeApi().handle('data.fetch', () => new Promise((resolve) => (finish = (v) => resolve(ok(v)))));
    const s = new SharedState(api);
    const d = decl({ name: '../secret/plan.pdf', size: 4000 });
    const done = s.fetch(d);
    // the owner shown is the one fetched: another declaration of the same content is not
    expect(api.calls[0]?.params).toEqual({ hash: H1, out: '_secret_plan.pdf', owner: BOB });
    expect(s.transfers[H1]).toMatchObject({ phase: 'fetching', bytes: 0, total: 4000 });
    s.applyProgress({ contentHash: H1, bytes: 2000, total: 4000, bytesPerSec: 1000, etaMs: 2000 });
    expect(s.transfers[H1]).toMatchObject({ bytes: 2000, bytesPerSec: 1000, etaMs: 2000 });
    // An older event never moves the bar back.
    s.applyProgress({ contentHash: H1, bytes: 1000, total: 4000, bytesPerSec: 900, etaMs: 3000 });
    expect(s.transfers[H1]?.bytes).toBe(2000);
    finish({ path: '/data/downloads/_secret_plan.pdf', size: 4000 });
    await done;
    expect(s.transfers[H1]).toMatchObject({ phase: 'done', bytes: 4000, path: '/data/downloads/_secret_plan.pdf', error: null });
    // Late events after the end change nothing.
    s.applyProgress({ contentHash: H1, bytes: 3000, total: 4000, bytesPerSec: 1, etaMs: 1 });
    expect(s.transfers[H1]?.phase).toBe('done');
  });

  it('shows a failed fetch with its reason, and a fetch it did not start from its events', async () => {
    const api = new FakeApi().handle('data.fetch', () => ({ ok: false, error: { code: 600, name: 'TRANSFER_FAILED', message: 'w2w1…: NOT_ALLOWED (2)', transfer: 'NOT_ALLOWED' } }));
    const s = new SharedState(api);
    await s.fetch(decl({}));
    expect(s.transfers[H1]).toMatchObject({ phase: 'failed', error: { transfer: 'NOT_ALLOWED' } });
    s.dismissTransfer(H1);
    expect(s.transfers[H1]).toBeUndefined();
    // A copy removed at its owner's request has nothing left to save.
    const api2 = new FakeApi().handle('data.fetch', () => ok({ path: '/d/report.pdf', size: 1000 }));
    const s2 = new SharedState(api2);
    await s2.fetch(decl({}));
    s2.applyDeleted({ contentHash: H1, owner: BOB });
    expect(s2.transfers[H1]).toMatchObject({ phase: 'deleted', path: null });
    s2.applyDeleted({ contentHash: H2, owner: BOB });
    expect(s2.transfers[H2]).toBeUndefined();
    expect(s.transfers[H1]).toBeUndefined();
    s.applyProgress({ contentHash: H2, bytes: 10, total: 100, bytesPerSec: 5, etaMs: 18_000 });
    expect(s.transfers[H2]).toMatchObject({ phase: 'fetching', fileName: H2.slice(0, 16), bytes: 10 });
    await settle();
  });
});

describe('SharedState downloads', () => {
  it('after a reload, lists the node’s downloads and offers a finished copy on disk for saving again', async () => {
    const api = new FakeApi().handle('data.downloads', () =>
      ok([download({}), download({ contentHash: H2, name: 'gone.txt', fileName: 'gone.txt', onDisk: false }), download({ contentHash: 'c3'.repeat(32), state: 'partial', bytes: 300, finishedMs: null })]),
    );
    const s = new SharedState(api);
    expect(await s.loadDownloads()).toBeNull();
    expect(s.downloadsLoaded).toBe(true);
    expect(s.downloads.map((d) => d.state)).toEqual(['complete', 'complete', 'partial']);
    // Only the copy still on disk becomes a done transfer (its declaration row shows Save file).
    expect(s.transfers[H1]).toMatchObject({ phase: 'done', fileName: 'report.pdf', path: '/data/downloads/report.pdf' });
    expect(s.transfers[H2]).toBeUndefined();
    expect(s.transfers['c3'.repeat(32)]).toBeUndefined();
    expect(s.nameOf(H2)).toBe('gone.txt');
    // A running fetch is not replaced by a reload of the list.
    s.transfers[H1] = { hash: H1, fileName: 'report.pdf', phase: 'fetching', bytes: 1, total: 1000, bytesPerSec: 0, etaMs: null, error: null, path: null };
    await s.loadDownloads();
    expect(s.transfers[H1]?.phase).toBe('fetching');
    // A copy deleted at its owner's request leaves the list.
    s.applyDeleted({ contentHash: H2, owner: BOB });
    expect(s.downloads.map((d) => d.contentHash)).toEqual([H1, 'c3'.repeat(32)]);
  });

  it('resumes an interrupted fetch from its verified bytes, and shows why a resume failed', async () => {
    let answer: ApiResult<{ path: string; size: number }> = { ok: false, error: { code: 600, name: 'TRANSFER_FAILED', message: 'nobody serves it', transfer: 'NO_HOLDER' } };
    let listed: DownloadView[] = [download({ state: 'partial', bytes: 400, finishedMs: null })];
    let seenDuring: string | undefined;
    const api = new FakeApi()
      .handle('data.downloads', () => ok(listed.map((d) => ({ ...d }))))
      .handle('data.resume', () => {
        seenDuring = s.transfers[H1]?.phase;
        return answer;
      });
    const s = new SharedState(api);
    await s.loadDownloads();
    const d = s.downloads[0]!;
    const failed = s.resume(d);
    expect(s.transfers[H1]).toMatchObject({ phase: 'fetching', bytes: 400, total: 1000 });
    expect(s.downloads[0]?.state).toBe('fetching');
    await failed;
    expect(seenDuring).toBe('fetching');
    expect(api.calls.find((c) => c.method === 'data.resume')?.params).toEqual({ hash: H1 });
    expect(s.transfers[H1]).toMatchObject({ phase: 'failed', error: { name: 'TRANSFER_FAILED', transfer: 'NO_HOLDER' } });
    expect(s.downloads[0]?.state).toBe('partial');

    answer = ok({ path: '/data/downloads/report.pdf', size: 1000 });
    listed = [download({})];
    await s.resume(s.downloads[0]!);
    expect(s.transfers[H1]).toMatchObject({ phase: 'done', bytes: 1000, path: '/data/downloads/report.pdf', error: null });
    expect(s.downloads[0]).toMatchObject({ state: 'complete', onDisk: true });
  });

  it('discards an interrupted fetch: the node’s list replaces its own, a refusal changes nothing', async () => {
    const partial = download({ contentHash: H2, name: 'draft.bin', state: 'partial', bytes: 300, finishedMs: null });
    let answer: ApiResult<DownloadView[]> = { ok: false, error: { code: 100, name: 'BAD_REQUEST', message: 'that content is being fetched; wait until it ends' } };
    const api = new FakeApi().handle('data.downloads', () => ok([download({}), partial])).handle('data.discard', () => answer);
    const s = new SharedState(api);
    await s.loadDownloads();
    s.transfers[H2] = { hash: H2, fileName: 'draft.bin', phase: 'failed', bytes: 300, total: 1000, bytesPerSec: 0, etaMs: null, error: null, path: null };
    const refused = await s.discard(s.downloads[1]!);
    expect(refused.ok).toBe(false);
    expect(s.downloads.map((d) => d.contentHash)).toEqual([H1, H2]);
    expect(s.transfers[H2]?.phase).toBe('failed');
    answer = ok([download({})]);
    expect((await s.discard(s.downloads[1]!)).ok).toBe(true);
    expect(api.calls.filter((c) => c.method === 'data.discard').map((c) => c.params)).toEqual([{ hash: H2 }, { hash: H2 }]);
    expect(s.downloads.map((d) => d.contentHash)).toEqual([H1]);
    expect(s.transfers[H2]).toBeUndefined();
  });

  it('a fetch from the declarations adds its download to the list', async () => {
    const api = new FakeApi().handle('data.fetch', () => ok({ path: '/data/downloads/report.pdf', size: 1000 })).handle('data.downloads', () => ok([download({})]));
    const s = new SharedState(api);
    await s.fetch(decl({}));
    expect(api.calls.map((c) => c.method)).toEqual(['data.fetch', 'data.downloads']);
    expect(s.downloads).toHaveLength(1);
  });
});

describe('DeletesState', () => {
  const req = (over: Partial<DeleteRequestView>): DeleteRequestView => ({ contentHash: H1, requestedMs: 5, holders: [], ...over });

  it('summarizes holder statuses', () => {
    expect(
      summarize([
        { holder: BOB, status: 'deleted', error: null },
        { holder: CAROL, status: 'pending', error: 'RECIPIENT_OFFLINE' },
        { holder: ME, status: 'not-held', error: null },
      ]),
    ).toEqual({ total: 3, pending: 1, deleted: 1, refused: 0, notHeld: 1 });
  });

  it('loads requests, adds a new one, and follows each holder live', async () => {
    const api = new FakeApi()
      .handle('data.deletes', () => ok([req({ contentHash: H2, holders: [{ holder: BOB, status: 'refused', error: null }] })]))
      .handle('data.delete', () => ok([{ holder: BOB, status: 'pending', error: null }]));
    const s = new DeletesState(api, () => 99);
    expect(await s.load()).toBeNull();
    expect(s.get(H2)?.holders[0]?.status).toBe('refused');
    const r = await s.request(H1);
    expect(r.ok).toBe(true);
    expect(api.calls.at(-1)?.params).toEqual({ hash: H1, waitMs: 0 });
    expect(s.list.map((x) => x.contentHash)).toEqual([H1, H2]);
    expect(s.get(H1)).toEqual({ contentHash: H1, requestedMs: 99, holders: [{ holder: BOB, status: 'pending', error: null }] });
    s.applyStatus({ contentHash: H1, holder: BOB, status: 'deleted', error: null });
    s.applyStatus({ contentHash: H1, holder: CAROL, status: 'pending', error: 'RECIPIENT_OFFLINE' });
    expect(s.get(H1)?.holders).toEqual([
      { holder: BOB, status: 'deleted', error: null },
      { holder: CAROL, status: 'pending', error: 'RECIPIENT_OFFLINE' },
    ]);
    // An event about a request this page never listed (made from the CLI, say) shows up too.
    s.applyStatus({ contentHash: 'cc'.repeat(32), holder: BOB, status: 'not-held', error: null });
    expect(s.list[0]?.holders).toEqual([{ holder: BOB, status: 'not-held', error: null }]);
  });

  it('keeps a receipt that arrived before the answer to the request', async () => {
    let answer: () => void = () => {};
    const api = new FakeApi().handle('data.delete', () => new Promise((resolve) => (answer = () => resolve(ok([{ holder: BOB, status: 'pending', error: null }])))));
    const s = new DeletesState(api);
    const pending = s.request(H1);
    s.applyStatus({ contentHash: H1, holder: BOB, status: 'deleted', error: null });
    answer();
    await pending;
    expect(s.get(H1)?.holders).toEqual([{ holder: BOB, status: 'deleted', error: null }]);
  });

  it('adds nothing when no holder was known', async () => {
    const s = new DeletesState(new FakeApi().handle('data.delete', () => ok([])));
    expect(await s.request(H1)).toEqual({ ok: true, value: [] });
    expect(s.list).toEqual([]);
  });
});
