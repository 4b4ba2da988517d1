// data.downloads and data.resume through the node API on two real linked nodes (127.0.0.1, SQLite files,
// real crypto): a finished fetch is listed with its name, owner, size, time and whether it is still on
// disk; a fetch cut off when its holder stops serving fails with TRANSFER_FAILED (600) and the transfer
// reason, is listed as partial with its verified bytes, and data.resume finishes it once the file is
// served again. Bad input gets BAD_REQUEST.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeApi } from '../../src-shared/api/contract.js';
import { ErrorCode } from '../../src-shared/protocol/errors.js';
import { fromHex, idToText } from '../../src-shared/ids.js';
import { decodeHolding, encodeCore } from '../../src-shared/protocol/declaration.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity, sign } from '../../src-main/crypto/identity.js';
import { signHolding } from '../../src-main/data/declare.js';
import { publishHolding } from '../../src-main/data/directory-client.js';
import { createNodeApi } from '../../src-main/node/api.js';
import { W2wNode } from '../../src-main/node/node.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-downloads-'));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function waitFor<T>(probe: () => Promise<T | null>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * seed + (i >> 11)) & 0xff;
  return b;
}

describe('data.downloads and data.resume', () => {
  let alice: W2wNode;
  let bob: W2wNode;
  let aliceApi: NodeApi;
  let bobApi: NodeApi;

  beforeAll(async () => {
    alice = await W2wNode.start({ dataDir: path.join(tmp, 'alice'), host: '127.0.0.1', port: 0, openFederation: true });
    bob = await W2wNode.start({ dataDir: path.join(tmp, 'bob'), host: '127.0.0.1', port: 0, peers: [{ url: alice.url, pinnedId: null }] });
    aliceApi = createNodeApi(alice);
    bobApi = createNodeApi(bob);
  });

  afterAll(async () => {
    await bob.stop();
    await alice.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function shareOnAlice(name: string, bytes: Buffer): Promise<{ hash: string; file: string }> {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, bytes);
    const shared = await aliceApi.call('data.share', { path: file, access: { kind: 'public' } });
    if (!shared.ok) throw new Error(shared.error.message);
    const hash = shared.value.contentHash;
    await waitFor(async () => {
      const d = await bobApi.call('data.declarations', { hash });
      return d.ok && d.value.length > 0 ? true : null;
    }, 'the declaration on Bob’s relay');
    return { hash, file };
  }

  it('lists a finished fetch with its name, owner, size and time, and notices when the file is gone', async () => {
    const before = Date.now();
    const bytes = pattern(300_000, 13);
    const { hash } = await shareOnAlice('report.pdf', bytes);
    const fetched = await bobApi.call('data.fetch', { hash, out: 'report.pdf' });
    if (!fetched.ok) throw new Error(fetched.error.message);

    const list = await bobApi.call('data.downloads', {});
    if (!list.ok) throw new Error(list.error.message);
    const entry = list.value.find((d) => d.contentHash === hash);
    expect(entry).toMatchObject({
      name: 'report.pdf',
      fileName: 'report.pdf',
      path: path.join(bob.dataDir, 'downloads', 'report.pdf'),
      size: bytes.length,
      bytes: bytes.length,
      owner: alice.id,
      state: 'complete',
      onDisk: true,
      inDownloads: true,
    });
    expect(entry!.finishedMs).toBeGreaterThanOrEqual(before);
    expect(entry!.startedMs).toBeLessThanOrEqual(entry!.finishedMs!);

    // Fetching it again under a name already taken is the caller's mistake, not the node's.
    const twice = await bobApi.call('data.fetch', { hash, out: 'report.pdf' });
    expect(twice.ok ? null : [twice.error.code, twice.error.message]).toEqual([ErrorCode.BAD_REQUEST, 'a file named "report.pdf" is already in the downloads; remove it or fetch under another name']);

    fs.rmSync(fetched.value.path);
    const after = await bobApi.call('data.downloads', {});
    expect(after.ok && after.value.find((d) => d.contentHash === hash)?.onDisk).toBe(false);
    // The owner's side fetched nothing.
    const own = await aliceApi.call('data.downloads', {});
    expect(own.ok && own.value).toEqual([]);
  });

  it('an interrupted fetch fails with TRANSFER_FAILED, is listed as partial, and resumes to the same bytes', async () => {
    const bytes = pattern(24 * 1024 * 1024, 7);
    const { hash, file } = await shareOnAlice('movie.bin', bytes);
    const hashBytes = fromHex(hash)!;

    // Alice stops serving as soon as Bob has verified some chunks: Bob's fetch fails part way.
    let cut = false;
    const off = bobApi.on('transfer.progress', (p) => {
      if (!cut && p.contentHash === hash && p.bytes > 0) {
        cut = true;
        alice.data.unshare(hashBytes);
      }
    });
    const failed = await bobApi.call('data.fetch', { hash, out: 'movie.bin' });
    off();
    expect(cut).toBe(true);
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error.code).toBe(ErrorCode.TRANSFER_FAILED);
    expect(failed.error.name).toBe('TRANSFER_FAILED');
    expect(failed.error.transfer).toBe('NOT_HELD');

    const list = await bobApi.call('data.downloads', {});
    const partial = list.ok ? list.value.find((d) => d.contentHash === hash) : undefined;
    expect(partial).toMatchObject({ name: 'movie.bin', state: 'partial', onDisk: true, inDownloads: true, finishedMs: null, size: bytes.length });
    expect(partial!.bytes).toBeGreaterThan(0);
    expect(partial!.bytes).toBeLessThan(bytes.length);

    // Still nobody serves it: resuming fails with the transfer's reason, and the partial state stays.
    const early = await bobApi.call('data.resume', { hash });
    expect(early.ok ? null : [early.error.code, early.error.transfer]).toEqual([ErrorCode.TRANSFER_FAILED, 'NOT_HELD']);
    const still = await bobApi.call('data.downloads', {});
    expect(still.ok && still.value.find((d) => d.contentHash === hash)?.state).toBe('partial');

    // Alice serves it again; the resume picks up the verified chunks and ends with the same bytes.
    const again = await aliceApi.call('data.share', { path: file, access: { kind: 'public' } });
    expect(again.ok && again.value.contentHash).toBe(hash);
    await waitFor(async () => {
      const d = await bobApi.call('data.declarations', { hash });
      return d.ok && d.value.length > 0 ? true : null;
    }, 'the declaration back on Bob’s relay');
    // A second resume (a double click, another window) while the first runs is refused as such.
    const [resumed, doubled] = await Promise.all([bobApi.call('data.resume', { hash }), bobApi.call('data.resume', { hash })]);
    expect(doubled.ok ? null : [doubled.error.code, doubled.error.message]).toEqual([ErrorCode.BAD_REQUEST, 'that content is being fetched already']);
    if (!resumed.ok) throw new Error(resumed.error.message);
    expect(resumed.value).toEqual({ path: path.join(bob.dataDir, 'downloads', 'movie.bin'), size: bytes.length });
    expect(sha(fs.readFileSync(resumed.value.path))).toBe(sha(bytes));
    const done = await bobApi.call('data.downloads', {});
    expect(done.ok && done.value.find((d) => d.contentHash === hash)).toMatchObject({ state: 'complete', bytes: bytes.length, onDisk: true });

    // A finished fetch has nothing left to resume.
    const twice = await bobApi.call('data.resume', { hash });
    expect(twice.ok ? null : twice.error.code).toBe(ErrorCode.BAD_REQUEST);
  }, 60_000);

  it('never fetches two contents into one name: not over the part file of an interrupted fetch, not two at once', async () => {
    const a = await shareOnAlice('clash-a.bin', pattern(200_000, 3));
    const b = await shareOnAlice('clash-b.bin', pattern(200_000, 5));
    const downloads = path.join(bob.dataDir, 'downloads');
    fs.mkdirSync(downloads, { recursive: true });
    // What an interrupted fetch of other content leaves under that name.
    const stale = path.join(downloads, 'clash.bin.w2w-part');
    fs.writeFileSync(stale, 'verified bytes of another fetch');
    const over = await bobApi.call('data.fetch', { hash: a.hash, out: 'clash.bin' });
    expect(over.ok ? null : over.error.code).toBe(ErrorCode.BAD_REQUEST);
    expect(fs.readFileSync(stale, 'utf8')).toBe('verified bytes of another fetch');
    fs.rmSync(stale);
    const [first, second] = await Promise.all([bobApi.call('data.fetch', { hash: a.hash, out: 'both.bin' }), bobApi.call('data.fetch', { hash: b.hash, out: 'both.bin' })]);
    expect(first.ok).toBe(true);
    expect(second.ok ? null : second.error.code).toBe(ErrorCode.BAD_REQUEST);
    expect(sha(fs.readFileSync(path.join(downloads, 'both.bin')))).toBe(sha(pattern(200_000, 3)));
  });

  it('discards an interrupted fetch: the part file and the record go, a finished or running one stays', async () => {
    const bytes = pattern(16 * 1024 * 1024, 11);
    const { hash, file } = await shareOnAlice('draft.bin', bytes);
    let cut = false;
    const off = bobApi.on('transfer.progress', (p) => {
      if (!cut && p.contentHash === hash && p.bytes > 0) {
        cut = true;
        alice.data.unshare(fromHex(hash)!);
      }
    });
    const failed = await bobApi.call('data.fetch', { hash, out: 'draft.bin' });
    off();
    expect(failed.ok).toBe(false);
    const part = path.join(bob.dataDir, 'downloads', 'draft.bin.w2w-part');
    expect(fs.existsSync(part)).toBe(true);

    const left = await bobApi.call('data.discard', { hash });
    if (!left.ok) throw new Error(left.error.message);
    expect(left.value.find((d) => d.contentHash === hash)).toBeUndefined();
    expect(fs.existsSync(part)).toBe(false);
    const again = await bobApi.call('data.discard', { hash });
    expect(again.ok ? null : again.error.message).toBe('there is no interrupted fetch of that content to discard');
    const resume = await bobApi.call('data.resume', { hash });
    expect(resume.ok ? null : resume.error.code).toBe(ErrorCode.BAD_REQUEST);

    // Fetched afresh under the same name, it starts from nothing and ends with the same bytes.
    const served = await aliceApi.call('data.share', { path: file, access: { kind: 'public' } });
    expect(served.ok).toBe(true);
    await waitFor(async () => {
      const d = await bobApi.call('data.declarations', { hash });
      return d.ok && d.value.length > 0 ? true : null;
    }, 'the declaration back on Bob’s relay');
    // While it runs it cannot be discarded; once finished it is the user's file and stays listed.
    let refusal: ReturnType<typeof bobApi.call<'data.discard'>> | null = null;
    const off2 = bobApi.on('transfer.progress', (p) => {
      if (refusal === null && p.contentHash === hash) refusal = bobApi.call('data.discard', { hash });
    });
    const fetched = await bobApi.call('data.fetch', { hash, out: 'draft.bin' });
    off2();
    if (!fetched.ok) throw new Error(fetched.error.message);
    expect(refusal).not.toBeNull();
    const refused = await refusal!;
    expect(refused.ok ? null : refused.error.message).toBe('that content is being fetched; wait until it ends');
    expect(sha(fs.readFileSync(fetched.value.path))).toBe(sha(bytes));
    const finished = await bobApi.call('data.discard', { hash });
    expect(finished.ok ? null : finished.error.code).toBe(ErrorCode.BAD_REQUEST);
    expect(fs.existsSync(fetched.value.path)).toBe(true);
    const list = await bobApi.call('data.downloads', {});
    expect(list.ok && list.value.find((d) => d.contentHash === hash)?.state).toBe('complete');
  }, 60_000);

  it("fetches and resumes only the declaration of the owner the user chose, not a stranger's newer duplicate", async () => {
    const bytes = pattern(150_000, 11);
    const { hash } = await shareOnAlice('chosen.bin', bytes);
    const hashBytes = Buffer.from(fromHex(hash)!);
    const served = alice.store.servedFiles.get(hashBytes);
    const decoded = decodeHolding(served!.holding);
    if (!decoded.ok) throw new Error('alice serves an undecodable holding');
    // mallory never had the data: it declares the same content under its own name, newer than alice's
    const malloryKey = generateIdentity();
    const mallory = await RelayClient.connect({ url: alice.url, identity: malloryKey });
    const core = { ...decoded.holding.core, owner: malloryKey.publicKey, createdMs: Date.now() + 60_000 };
    const coreBytes = encodeCore(core);
    const ownerSig = sign(malloryKey, Buffer.concat([Buffer.from('w2w/1 decl'), coreBytes]));
    await publishHolding(mallory, signHolding(malloryKey, core, coreBytes, ownerSig, core.createdMs));
    await mallory.close();
    await waitFor(async () => {
      const d = await bobApi.call('data.declarations', { hash });
      return d.ok && d.value.length === 2 ? true : null;
    }, 'both declarations on Bob’s relay');
    const ownerOf = async (): Promise<string | undefined> => {
      const list = await bobApi.call('data.downloads', {});
      return list.ok ? list.value.find((d) => d.contentHash === hash)?.owner : undefined;
    };

    const fetched = await bobApi.call('data.fetch', { hash, out: 'chosen.bin', owner: alice.id });
    if (!fetched.ok) throw new Error(fetched.error.message);
    expect(sha(fs.readFileSync(fetched.value.path))).toBe(sha(bytes));
    expect(await ownerOf()).toBe(alice.id);

    // An interrupted fetch of alice's declaration (nothing on disk yet) resumes under alice's declaration.
    fs.rmSync(fetched.value.path);
    bob.store.fetches.start(hashBytes, fetched.value.path, served!.holding, Date.now());
    const resumed = await bobApi.call('data.resume', { hash });
    if (!resumed.ok) throw new Error(resumed.error.message);
    expect(sha(fs.readFileSync(resumed.value.path))).toBe(sha(bytes));
    expect(await ownerOf()).toBe(alice.id);

    const bad = await bobApi.call('data.fetch', { hash, out: 'other.bin', owner: 'not an id' });
    expect(bad.ok ? null : bad.error.code).toBe(ErrorCode.BAD_REQUEST);
  });

  it('data.fetch with from fetches only from that holder', async () => {
    const bytes = pattern(120_000, 17);
    const { hash } = await shareOnAlice('from-alice.bin', bytes);
    // nobody else holds it: a fetch from another holder is refused before any transfer
    const stranger = await bobApi.call('data.fetch', { hash, out: 'from-stranger.bin', from: idToText(generateIdentity().publicKey) });
    expect(stranger.ok ? null : [stranger.error.code, stranger.error.transfer]).toEqual([ErrorCode.TRANSFER_FAILED, 'NO_HOLDER']);
    expect(fs.existsSync(path.join(bob.dataDir, 'downloads', 'from-stranger.bin.w2w-part'))).toBe(false);
    const fetched = await bobApi.call('data.fetch', { hash, out: 'from-alice.bin', from: alice.id });
    if (!fetched.ok) throw new Error(fetched.error.message);
    expect(sha(fs.readFileSync(fetched.value.path))).toBe(sha(bytes));
    const bad = await bobApi.call('data.fetch', { hash, out: 'x.bin', from: 42 as unknown as string });
    expect(bad.ok ? null : bad.error.code).toBe(ErrorCode.BAD_REQUEST);
  });

  it('refuses to resume or discard what was never fetched, and a hash that is not one', async () => {
    for (const params of [{ hash: 'ef'.repeat(32) }, { hash: 'nope' }, {}, { hash: 42 }]) {
      for (const method of ['data.resume', 'data.discard'] as const) {
        const r = await bobApi.call(method, params as { hash: string });
        expect(r.ok ? null : r.error.code, method).toBe(ErrorCode.BAD_REQUEST);
      }
    }
  });
});
